package arca.rest.testsupport;

import arca.proto.tree.CopyJob;
import arca.proto.tree.CopyRequest;
import arca.proto.tree.CopyResponse;
import arca.proto.tree.CreateFolderRequest;
import arca.proto.tree.GetCopyJobRequest;
import arca.proto.tree.ListRequest;
import arca.proto.tree.ListResponse;
import arca.proto.tree.ListTrashRequest;
import arca.proto.tree.MoveRequest;
import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.proto.tree.PurgeRequest;
import arca.proto.tree.PurgeResponse;
import arca.proto.tree.PutFileRequest;
import arca.proto.tree.PutFileResponse;
import arca.proto.tree.RemoveRequest;
import arca.proto.tree.RestoreRequest;
import arca.proto.tree.SetPropsRequest;
import arca.proto.tree.StatRequest;
import arca.proto.tree.TrashInfo;
import arca.proto.tree.TrashRequest;
import arca.proto.tree.TreeService;
import io.grpc.Status;

import io.grpc.StatusRuntimeException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * In-memory tree service with the real one's contract for what the gateway calls: paths validated as the tree
 * does (INVALID_ARGUMENT), NOT_FOUND, FAILED_PRECONDITION for a file where a folder is needed or a failed
 * condition, ALREADY_EXISTS for a file/folder clash; listings in name order (NFC keys) with prefix, start_after and
 * "k:" cursors; PutFile creating parents and returning the replaced blob; Trash then Purge returning the blobs of a
 * whole folder; SetProps with the real one's rules (names {ns}local, limits, root refused, a request id applied once),
 * a file's dead properties kept through new content and shown in Stat and List; ListTrash by original path; Move
 * and Copy of a file (into an existing folder, a move with overwrite replacing a file). Restore, the move or copy of
 * a folder and GetCopyJob answer UNIMPLEMENTED.
 */
public final class FakeTreeService implements TreeService {
  private static final Pattern DATASOURCE = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern PROP_NAME = Pattern.compile("\\{[^{}\\p{Cntrl}]*\\}[^{}\\s\\p{Cntrl}]+");

  /** Children of each folder by name key; the key of a folder is datasource + "\0" + path. */
  private final Map<String, TreeMap<String, Node>> folders = new HashMap<>();
  private final Map<String, List<String>> trash = new HashMap<>();
  /** The recycle-bin entries (with their trash info), in the order trashed. */
  private final Map<String, Node> trashed = new LinkedHashMap<>();
  /** Request ids of the SetProps calls applied (a resent one answers the node as it is). */
  private final Set<String> appliedRequests = new HashSet<>();
  /** Every List call received. */
  public final AtomicInteger lists = new AtomicInteger();
  /** When set, every call fails with this status (a service that is down). */
  public volatile Status down;

  private static String folderKey(String ds, String path) { return ds + "\0" + path; }

  private static String key(String name) { return Normalizer.normalize(name, Normalizer.Form.NFC); }

  /** The validated segments of a path (a leading or trailing '/' tolerated, as the tree does). */
  private static List<String> segments(String ds, String path) {
    if (!DATASOURCE.matcher(ds).matches()) throw Status.INVALID_ARGUMENT.withDescription("bad datasource").asRuntimeException();
    String p = path.startsWith("/") ? path.substring(1) : path;
    if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    if (p.isEmpty()) return List.of();
    List<String> out = List.of(p.split("/", -1));
    for (String s : out) {
      if (s.isEmpty() || s.equals(".") || s.equals("..") || s.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
        throw Status.INVALID_ARGUMENT.withDescription("invalid path '" + path + "'").asRuntimeException();
      }
    }
    return out;
  }

  private TreeMap<String, Node> root(String ds) {
    return folders.computeIfAbsent(folderKey(ds, ""), k -> new TreeMap<>());
  }

  /** The children map of the folder at segments, creating missing folders when asked; null when missing. */
  private TreeMap<String, Node> folder(String ds, List<String> segs, boolean create) {
    TreeMap<String, Node> at = root(ds);
    for (int i = 0; i < segs.size(); i++) {
      String path = String.join("/", segs.subList(0, i + 1));
      Node n = at.get(key(segs.get(i)));
      if (n == null) {
        if (!create) throw Status.NOT_FOUND.withDescription("'" + path + "' not found").asRuntimeException();
        n = Node.newBuilder().setUuid(UUID.randomUUID().toString()).setDatasource(ds).setPath(path).setName(segs.get(i))
            .setType(NodeType.FOLDER).setMtime(System.currentTimeMillis()).build();
        at.put(key(segs.get(i)), n);
        folders.put(folderKey(ds, path), new TreeMap<>());
      } else if (n.getType() != NodeType.FOLDER) {
        throw Status.FAILED_PRECONDITION.withDescription("'" + path + "' is a file, not a folder").asRuntimeException();
      }
      at = folders.get(folderKey(ds, path));
    }
    return at;
  }

  private <T> CompletionStage<T> run(Supplier<T> body) {
    if (down != null) return Failures.failed(down);
    try {
      synchronized (this) {
        return Failures.async(body.get());
      }
    } catch (StatusRuntimeException e) {
      return Failures.failed(e.getStatus());
    }
  }

  private Node find(String ds, List<String> segs) {
    if (segs.isEmpty()) return Node.newBuilder().setUuid("root").setDatasource(ds).setType(NodeType.FOLDER).build();
    Node n = folder(ds, segs.subList(0, segs.size() - 1), false).get(key(segs.get(segs.size() - 1)));
    if (n == null) throw Status.NOT_FOUND.withDescription("'" + String.join("/", segs) + "' not found").asRuntimeException();
    return n;
  }

  @Override
  public CompletionStage<Node> stat(StatRequest in) {
    return run(() -> find(in.getDatasource(), segments(in.getDatasource(), in.getPath())));
  }

  @Override
  public CompletionStage<ListResponse> list(ListRequest in) {
    lists.incrementAndGet();
    return run(() -> {
      List<String> segs = segments(in.getDatasource(), in.getPath());
      Node self = find(in.getDatasource(), segs);
      if (self.getType() != NodeType.FOLDER) {
        throw Status.FAILED_PRECONDITION.withDescription("'" + in.getPath() + "' is a file, not a folder").asRuntimeException();
      }
      int limit = in.getLimit() == 0 ? 1000 : in.getLimit();
      if (limit < 1 || limit > 5000) throw Status.INVALID_ARGUMENT.withDescription("limit must be 1-5000").asRuntimeException();
      NavigableMap<String, Node> view = folder(in.getDatasource(), segs, false);
      if (!in.getPrefix().isEmpty()) view = view.subMap(key(in.getPrefix()), true, key(in.getPrefix()) + Character.MAX_VALUE, false);
      long total = view.size();
      String after = in.getCursor().startsWith("k:") ? in.getCursor().substring(2)
          : in.getStartAfter().isEmpty() ? null : key(in.getStartAfter());
      if (after != null) view = view.tailMap(after, false);
      ListResponse.Builder out = ListResponse.newBuilder().setFolder(self).setTotal(total);
      String last = null;
      for (Map.Entry<String, Node> e : view.entrySet()) {
        if (out.getChildrenCount() == limit) {
          out.setNextCursor("k:" + last);
          break;
        }
        out.addChildren(e.getValue());
        last = e.getKey();
      }
      return out.build();
    });
  }

  @Override
  public CompletionStage<Node> createFolder(CreateFolderRequest in) {
    return run(() -> {
      List<String> segs = segments(in.getDatasource(), in.getPath());
      if (!segs.isEmpty()) {
        Node existing = folder(in.getDatasource(), segs.subList(0, segs.size() - 1), true).get(key(segs.get(segs.size() - 1)));
        if (existing != null && existing.getType() != NodeType.FOLDER) {
          throw Status.ALREADY_EXISTS.withDescription("'" + in.getPath() + "' is a file, not a folder").asRuntimeException();
        }
      }
      folder(in.getDatasource(), segs, true);
      return find(in.getDatasource(), segs);
    });
  }

  @Override
  public CompletionStage<PutFileResponse> putFile(PutFileRequest in) {
    return run(() -> {
      List<String> segs = segments(in.getDatasource(), in.getPath());
      if (segs.isEmpty()) throw Status.INVALID_ARGUMENT.withDescription("a file needs a name").asRuntimeException();
      if (in.getBlobId().isEmpty()) throw Status.INVALID_ARGUMENT.withDescription("blob_id is required").asRuntimeException();
      TreeMap<String, Node> parent = folder(in.getDatasource(), segs.subList(0, segs.size() - 1), true);
      String name = segs.get(segs.size() - 1);
      Node existing = parent.get(key(name));
      if (existing != null && existing.getType() == NodeType.FOLDER) {
        throw Status.ALREADY_EXISTS.withDescription("'" + name + "' is a folder").asRuntimeException();
      }
      if (in.getIfNoneMatch() && existing != null) throw Status.FAILED_PRECONDITION.withDescription("exists").asRuntimeException();
      if (in.hasIfMatch() && (existing == null || !etagMatches(in.getIfMatch(), existing.getEtag()))) {
        throw Status.FAILED_PRECONDITION.withDescription("the current version does not match If-Match").asRuntimeException();
      }
      Node n = Node.newBuilder().setUuid(existing == null ? UUID.randomUUID().toString() : existing.getUuid())
          .setDatasource(in.getDatasource()).setPath(String.join("/", segs)).setName(name).setType(NodeType.FILE)
          .setSize(in.getSize()).setEtag(in.getEtag()).setMtime(in.getMtime() == 0 ? System.currentTimeMillis() : in.getMtime())
          .setVersion(existing == null ? 1 : existing.getVersion() + 1).setBlobId(in.getBlobId()).setSha256(in.getSha256())
          .setContentType(in.getContentType()).putAllProps(existing == null ? Map.of() : existing.getPropsMap()).build();
      parent.put(key(name), n);
      return PutFileResponse.newBuilder().setNode(n).setReplacedBlobId(existing == null ? "" : existing.getBlobId()).build();
    });
  }

  private static boolean etagMatches(String condition, String etag) {
    if (condition.trim().equals("*")) return true;
    for (String one : condition.split(",")) {
      if (one.trim().replaceFirst("^W/", "").replace("\"", "").equals(etag)) return true;
    }
    return false;
  }

  @Override
  public CompletionStage<PurgeResponse> remove(RemoveRequest in) {
    return run(() -> {
      List<String> segs = segments(in.getDatasource(), in.getPath());
      if (segs.isEmpty()) throw Status.INVALID_ARGUMENT.withDescription("the root cannot be removed").asRuntimeException();
      Node n = find(in.getDatasource(), segs);
      if (n.getType() == NodeType.FOLDER) throw Status.FAILED_PRECONDITION.withDescription("is a folder").asRuntimeException();
      if (in.hasIfMatch() && !etagMatches(in.getIfMatch(), n.getEtag())) {
        throw Status.FAILED_PRECONDITION.withDescription("the current version does not match If-Match").asRuntimeException();
      }
      folder(in.getDatasource(), segs.subList(0, segs.size() - 1), false).remove(key(n.getName()));
      return PurgeResponse.newBuilder().addBlobIds(n.getBlobId()).setFiles(1).build();
    });
  }

  @Override
  public CompletionStage<Node> trash(TrashRequest in) {
    return run(() -> {
      List<String> segs = segments(in.getDatasource(), in.getPath());
      if (segs.isEmpty()) throw Status.INVALID_ARGUMENT.withDescription("the root cannot be deleted").asRuntimeException();
      Node n = find(in.getDatasource(), segs);
      List<String> blobs = new ArrayList<>();
      detach(in.getDatasource(), n, blobs);
      folder(in.getDatasource(), segs.subList(0, segs.size() - 1), false).remove(key(n.getName()));
      trash.put(in.getDatasource() + "\0" + n.getUuid(), blobs);
      Node entry = n.toBuilder().setTrash(TrashInfo.newBuilder().setOriginalPath(String.join("/", segs))
          .setTrashedAt(System.currentTimeMillis()).setTrashedBy(in.getBy())).build();
      trashed.put(in.getDatasource() + "\0" + n.getUuid(), entry);
      return entry;
    });
  }

  /** Collects the blobs under a node and forgets its folders. */
  private void detach(String ds, Node n, List<String> blobs) {
    if (n.getType() != NodeType.FOLDER) {
      blobs.add(n.getBlobId());
      return;
    }
    TreeMap<String, Node> children = folders.remove(folderKey(ds, n.getPath()));
    if (children != null) children.values().forEach(c -> detach(ds, c, blobs));
  }

  @Override
  public CompletionStage<PurgeResponse> purge(PurgeRequest in) {
    return run(() -> {
      List<String> blobs = trash.remove(in.getDatasource() + "\0" + in.getUuid());
      trashed.remove(in.getDatasource() + "\0" + in.getUuid());
      if (blobs == null) throw Status.NOT_FOUND.withDescription("no trash entry " + in.getUuid()).asRuntimeException();
      return PurgeResponse.newBuilder().addAllBlobIds(blobs).build();
    });
  }

  /** Recycle-bin entries not purged yet. */
  public synchronized int trashed() {
    return trash.size();
  }

  @Override
  public CompletionStage<Node> setProps(SetPropsRequest in) {
    return run(() -> {
      List<String> segs = segments(in.getDatasource(), in.getPath());
      if (segs.isEmpty()) {
        throw Status.FAILED_PRECONDITION.withDescription("the datasource root has no dead properties").asRuntimeException();
      }
      for (String name : in.getRemoveList()) checkPropName(name);
      for (Map.Entry<String, String> e : in.getSetMap().entrySet()) {
        checkPropName(e.getKey());
        if (e.getValue().length() > 65_536) throw Status.RESOURCE_EXHAUSTED.withDescription("value too long").asRuntimeException();
      }
      Node n = find(in.getDatasource(), segs);
      if (!in.getRequestId().isEmpty() && appliedRequests.contains(in.getRequestId())) return n;
      Map<String, String> next = new TreeMap<>(n.getPropsMap());
      in.getRemoveList().forEach(next::remove);
      next.putAll(in.getSetMap());
      if (next.equals(n.getPropsMap())) return n;
      long total = next.entrySet().stream().mapToLong(e -> e.getKey().length() + e.getValue().length()).sum();
      if (next.size() > 256 || total > 262_144) {
        throw Status.RESOURCE_EXHAUSTED.withDescription("too many dead properties").asRuntimeException();
      }
      Node changed = n.toBuilder().clearProps().putAllProps(next).build();
      folder(in.getDatasource(), segs.subList(0, segs.size() - 1), false).put(key(n.getName()), changed);
      if (!in.getRequestId().isEmpty()) appliedRequests.add(in.getRequestId());
      return changed;
    });
  }

  private static void checkPropName(String name) {
    if (name.length() > 512) throw Status.RESOURCE_EXHAUSTED.withDescription("property name too long").asRuntimeException();
    if (!PROP_NAME.matcher(name).matches()) {
      throw Status.INVALID_ARGUMENT.withDescription("property name '" + name + "' is not {namespace}name").asRuntimeException();
    }
  }

  @Override
  public CompletionStage<Node> move(MoveRequest in) {
    return run(() -> {
      Node n = placeCopy(in.getDatasource(), in.getFrom(), in.getTo(), in.getOverwrite(), false);
      List<String> from = segments(in.getDatasource(), in.getFrom());
      folder(in.getDatasource(), from.subList(0, from.size() - 1), false).remove(key(from.get(from.size() - 1)));
      return n;
    });
  }

  @Override
  public CompletionStage<ListResponse> listTrash(ListTrashRequest in) {
    return run(() -> {
      List<Node> all = trashed.entrySet().stream().filter(e -> e.getKey().startsWith(in.getDatasource() + "\0"))
          .map(Map.Entry::getValue).filter(n -> n.getTrash().getOriginalPath().startsWith(in.getPrefix())).toList();
      int limit = in.getLimit() == 0 ? 1000 : in.getLimit();
      List<Node> page = all.subList(Math.min(in.getOffset(), all.size()), Math.min(in.getOffset() + limit, all.size()));
      return ListResponse.newBuilder().addAllChildren(page).setTotal(all.size()).build();
    });
  }

  /** A file placed at {@code to} (its parent must exist) as a copy of the file at {@code from}. */
  private Node placeCopy(String ds, String fromPath, String toPath, boolean overwrite, boolean newIdentity) {
    Node n = find(ds, segments(ds, fromPath));
    if (n.getType() != NodeType.FILE) throw Status.UNIMPLEMENTED.withDescription("the fake moves and copies files only").asRuntimeException();
    List<String> to = segments(ds, toPath);
    TreeMap<String, Node> parent = folder(ds, to.subList(0, to.size() - 1), false);
    String name = to.get(to.size() - 1);
    if (parent.containsKey(key(name)) && !overwrite) throw Status.ALREADY_EXISTS.withDescription("exists").asRuntimeException();
    Node placed = n.toBuilder().setPath(String.join("/", to)).setName(name)
        .setUuid(newIdentity ? UUID.randomUUID().toString() : n.getUuid()).build();
    parent.put(key(name), placed);
    return placed;
  }

  @Override
  public CompletionStage<Node> restore(RestoreRequest in) {
    return Failures.failed(Status.UNIMPLEMENTED);
  }

  @Override
  public CompletionStage<CopyResponse> copy(CopyRequest in) {
    return run(() -> CopyResponse.newBuilder()
        .setNode(placeCopy(in.getDatasource(), in.getFrom(), in.getTo(), false, true)).build());
  }

  @Override
  public CompletionStage<CopyJob> getCopyJob(GetCopyJobRequest in) {
    return Failures.failed(Status.UNIMPLEMENTED);
  }
}
