package arca.rest.files.nodes;

import arca.proto.tree.ListTrashRequest;
import arca.proto.tree.ListResponse;
import arca.proto.tree.Node;
import arca.proto.tree.PurgeRequest;
import arca.proto.tree.RestoreRequest;
import arca.proto.tree.TreeService;
import arca.rest.ApiError;
import arca.rest.access.Principal;
import arca.rest.files.Blobs;
import arca.rest.files.FileAccess;
import arca.rest.files.Location;
import arca.rest.files.NodeAction;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A workspace's recycle bin for {@code /a/trash/{ws}}: the entries whose original path lies under the caller's root
 * of the workspace and that the caller may read there ({@link FileAccess#visibility}: an entry from a folder an ACL
 * or a policy keeps from them is neither listed nor counted, and answers 404 to restore and purge). Restoring reads
 * the entry (everything in it) and writes its target; purging removes it, so each needs those node rights.
 */
final class TrashBin {
  /** The tree's largest bin page. */
  private static final int PAGE = 5000;

  private TrashBin() {}

  /**
   * One page. When nothing in the workspace can be hidden it is the tree's page; else the bin is read whole, filtered,
   * and {@code offset}, {@code limit} and {@code total} count visible entries.
   */
  static CompletionStage<Map<String, Object>> list(TreeService tree, FileAccess access, Principal p, String ws, int offset, int limit) {
    return access.resolve(p, ws, "").thenCompose(root -> access.visibility(p, ws).thenCompose(v -> {
      if (!v.mayHideBelow("")) {
        return tree.listTrash(request(root).setOffset(offset).setLimit(limit).build())
            .thenApply(r -> answer(ws, root, r.getChildrenList(), r.getTotal()));
      }
      return all(tree, root, 0, new ArrayList<>()).thenApply(entries -> {
        List<Node> shown = entries.stream().filter(n -> v.visible(relative(root, n.getTrash().getOriginalPath()))).toList();
        List<Node> page = shown.subList(Math.min(offset, shown.size()), (int) Math.min((long) offset + limit, shown.size()));
        return answer(ws, root, page, shown.size());
      });
    }));
  }

  static CompletionStage<Map<String, Object>> restore(TreeService tree, FileAccess access, Principal p, String ws, String uuid,
                                                      Optional<String> to, String requestId) {
    return visibleEntry(tree, access, p, ws, uuid).thenCompose(e -> access.resolveSubtree(p, ws, e.path(), NodeAction.READ)
        .thenCompose(x -> access.resolveSubtree(p, ws, to.orElse(e.path()), NodeAction.WRITE))
        .thenCompose(target -> tree.restore(RestoreRequest.newBuilder().setDatasource(target.datasource()).setUuid(uuid)
            .setTo(target.path()).setRequestId(requestId).build()).thenApply(r -> NodesRoutes.json(ws, relative(e.root(), target.path()), r))));
  }

  static CompletionStage<Void> purge(TreeService tree, FileAccess access, Blobs blobs, Principal p, String ws, String uuid,
                                     String requestId) {
    return visibleEntry(tree, access, p, ws, uuid).thenCompose(e -> access.resolveSubtree(p, ws, e.path(), NodeAction.REMOVE)
        .thenCompose(root -> tree.purge(PurgeRequest.newBuilder().setDatasource(root.datasource()).setUuid(uuid)
            .setRequestId(requestId).build()))
        .thenCompose(r -> blobs.deleteAll(e.root().datasource(), r.getBlobIdsList())).thenApply(d -> (Void) null));
  }

  /** An entry, its workspace-relative original path and the caller's workspace root. */
  record Entry(Node node, String path, Location root) {}

  /** A bin entry of this workspace that the caller may see; 404 otherwise. */
  static CompletionStage<Entry> visibleEntry(TreeService tree, FileAccess access, Principal p, String ws, String uuid) {
    return access.resolve(p, ws, "").thenCompose(root -> access.visibility(p, ws).thenCompose(v -> all(tree, root, 0, new ArrayList<>())
        .thenApply(entries -> entries.stream().filter(n -> n.getUuid().equals(uuid))
            .map(n -> new Entry(n, relative(root, n.getTrash().getOriginalPath()), root))
            .filter(e -> v.visible(e.path())).findFirst()
            .orElseThrow(() -> ApiError.notFound("no recycle-bin entry '" + uuid + "' in workspace")))));
  }

  private static ListTrashRequest.Builder request(Location root) {
    return ListTrashRequest.newBuilder().setDatasource(root.datasource()).setPrefix(root.path().isEmpty() ? "" : root.path() + "/");
  }

  private static CompletionStage<List<Node>> all(TreeService tree, Location root, int offset, List<Node> into) {
    return tree.listTrash(request(root).setOffset(offset).setLimit(PAGE).build()).thenCompose((ListResponse r) -> {
      into.addAll(r.getChildrenList());
      int next = offset + r.getChildrenCount();
      return r.getChildrenCount() == 0 || next >= r.getTotal() ? CompletableFuture.completedFuture(into) : all(tree, root, next, into);
    });
  }

  private static Map<String, Object> answer(String ws, Location root, List<Node> entries, long total) {
    return Map.of("items", entries.stream().map(n -> {
      Map<String, Object> m = NodesRoutes.json(ws, relative(root, n.getTrash().getOriginalPath()), n);
      m.put("name", n.getName().equals(n.getUuid()) ? lastSegment(n.getTrash().getOriginalPath()) : n.getName());
      return m;
    }).toList(), "total", total);
  }

  /** The workspace-relative path of a datasource path under the workspace's root location. */
  static String relative(Location root, String datasourcePath) {
    if (root.path().isEmpty()) return datasourcePath;
    return datasourcePath.equals(root.path()) ? "" : datasourcePath.substring(root.path().length() + 1);
  }

  private static String lastSegment(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }
}
