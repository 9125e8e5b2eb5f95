package arca.rest.files.io;

import arca.proto.tree.ListRequest;
import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.proto.tree.TreeService;
import arca.rest.access.Principal;
import arca.rest.files.FileAccess;
import arca.rest.files.Location;
import io.grpc.Status;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One page of the bucket's keys under a prefix, resuming after a key. With the delimiter {@code /} a page maps
 * onto one folder listing of the tree (prefix and start-after passed down, the tree's cursor for further pages):
 * files are keys, folders common prefixes. Without a delimiter the folders are walked depth first. The top level
 * lists the workspaces the caller may use. Keys come in the tree's name order, in which a folder {@code a} sorts
 * before a sibling {@code a-b}, while S3 would sort {@code a/...} after it; pages and resumption use the same order,
 * so a listing is complete and without repeats. Only {@code /} is supported as delimiter (NotImplemented else).
 * A listing shows only what the caller may read ({@link FileAccess#visibility}): a file or folder an ACL or a policy
 * keeps from them is left out, a folder with everything in it, at every depth; pages fill up with what is visible,
 * and continue after the last key given.
 */
final class S3Listing {
  /** Tree page size of a depth-first walk. */
  private static final int WALK_PAGE = 1000;
  /** S3's default and largest page. */
  static final int MAX_KEYS = 1000;

  /** What to list: keys starting with {@code prefix}, after the key {@code after} (null: from the start). */
  record Query(String prefix, boolean delimited, String after, int maxKeys) {}

  /** A page: keys and common prefixes in order, whether more follow, and the last key or prefix given. */
  record Page(List<S3Xml.ObjectEntry> contents, List<String> prefixes, boolean truncated, String last) {}

  private final FileAccess access;
  private final TreeService tree;

  S3Listing(FileAccess access, TreeService tree) {
    this.access = access;
    this.tree = tree;
  }

  /** Entries gathered for one page, one more than asked for, to know whether the listing is truncated. */
  private static final class Walk {
    final List<Object> entries = new ArrayList<>();
    final int limit;

    Walk(int maxKeys) { this.limit = maxKeys + 1; }

    boolean full() { return entries.size() >= limit; }

    int room() { return limit - entries.size(); }

    void add(String folderKey, Node child, Location folder, FileAccess.Visibility v) {
      if (full() || FileAccess.hidden(folder.path(), child.getName()) || !v.visible(relative(folderKey, child.getName()))) return;
      if (child.getType() == NodeType.FOLDER) {
        entries.add(folderKey + child.getName() + "/");
      } else {
        entries.add(new S3Xml.ObjectEntry(folderKey + child.getName(), Instant.ofEpochMilli(child.getMtime()),
            child.getEtag(), child.getSize()));
      }
    }

    Page page(int maxKeys) {
      List<Object> given = entries.subList(0, Math.min(maxKeys, entries.size()));
      List<S3Xml.ObjectEntry> contents = new ArrayList<>();
      List<String> prefixes = new ArrayList<>();
      for (Object e : given) {
        if (e instanceof S3Xml.ObjectEntry o) contents.add(o);
        else prefixes.add((String) e);
      }
      Object last = given.isEmpty() ? null : given.get(given.size() - 1);
      return new Page(contents, prefixes, entries.size() > maxKeys,
          last == null ? null : last instanceof S3Xml.ObjectEntry o ? o.key() : (String) last);
    }
  }

  /** ListObjectsV2: continuation tokens are the last key given, base64url-encoded (opaque to clients). */
  CompletionStage<String> v2(Principal caller, S3Call call) {
    String prefix = call.param("prefix").orElse("");
    String delimiter = delimiter(call);
    int maxKeys = maxKeys(call);
    String token = call.param("continuation-token").orElse(null);
    String startAfter = call.param("start-after").filter(s -> !s.isEmpty()).orElse(null);
    String after = token != null ? decodeToken(token) : startAfter;
    return list(caller, new Query(prefix, delimiter != null, after, maxKeys)).thenApply(p -> S3Xml.listObjectsV2(
        new S3Xml.ListV2(S3Call.BUCKET, prefix, delimiter, maxKeys, p.truncated(), token,
            p.truncated() ? encodeToken(p.last()) : null, startAfter, urlEncoded(call), p.contents(), p.prefixes())));
  }

  /** ListObjects (version 1): the marker is a key; NextMarker is given whenever the answer is truncated. */
  CompletionStage<String> v1(Principal caller, S3Call call) {
    String prefix = call.param("prefix").orElse("");
    String delimiter = delimiter(call);
    int maxKeys = maxKeys(call);
    String marker = call.param("marker").filter(s -> !s.isEmpty()).orElse(null);
    return list(caller, new Query(prefix, delimiter != null, marker, maxKeys)).thenApply(p -> S3Xml.listObjectsV1(
        new S3Xml.ListV1(S3Call.BUCKET, prefix, delimiter, marker, maxKeys, p.truncated(),
            p.truncated() ? p.last() : null, urlEncoded(call), p.contents(), p.prefixes())));
  }

  private static String delimiter(S3Call call) {
    String d = call.param("delimiter").filter(s -> !s.isEmpty()).orElse(null);
    if (d != null && !d.equals("/")) throw new S3Exception("NotImplemented", "Only '/' is supported as a delimiter");
    return d;
  }

  private static int maxKeys(S3Call call) {
    String raw = call.param("max-keys").orElse("");
    if (raw.isEmpty()) return MAX_KEYS;
    try {
      int n = Integer.parseInt(raw);
      if (n < 0) throw new NumberFormatException();
      return Math.min(n, MAX_KEYS);
    } catch (NumberFormatException e) {
      throw new S3Exception("InvalidArgument", "max-keys must be an integer between 0 and 2147483647");
    }
  }

  private static boolean urlEncoded(S3Call call) {
    String type = call.param("encoding-type").orElse(null);
    if (type != null && !type.equals("url")) throw new S3Exception("InvalidArgument", "Invalid Encoding Method specified in Request");
    return type != null;
  }

  static String encodeToken(String lastKey) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(("k" + lastKey).getBytes(StandardCharsets.UTF_8));
  }

  static String decodeToken(String token) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
      if (text.startsWith("k") && text.length() > 1) return text.substring(1);
    } catch (IllegalArgumentException e) {
      // refused below
    }
    throw new S3Exception("InvalidArgument", "The continuation token provided is incorrect");
  }

  CompletionStage<Page> list(Principal caller, Query q) {
    Walk w = new Walk(q.maxKeys());
    if (q.maxKeys() == 0) return CompletableFuture.completedFuture(w.page(0));
    int slash = q.prefix().indexOf('/');
    CompletionStage<Void> done = slash < 0 ? workspaces(caller, q, w) : inWorkspace(caller, q, slash, w);
    return done.thenApply(x -> w.page(q.maxKeys()));
  }

  /** The top level: a common prefix per workspace, or (no delimiter) every workspace walked in slug order. */
  private CompletionStage<Void> workspaces(Principal caller, Query q, Walk w) {
    return access.visibleWorkspaces(caller).thenCompose(slugs -> {
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      for (String slug : slugs) {
        String key = slug + "/";
        if (!slug.startsWith(q.prefix()) || before(key, q.after())) continue;
        if (q.delimited()) {
          if (q.after() == null || key.compareTo(q.after()) > 0) chain = chain.thenRun(() -> { if (!w.full()) w.entries.add(key); });
        } else {
          chain = chain.thenCompose(x -> w.full() ? CompletableFuture.<Void>completedFuture(null)
              : orNothing(access.resolve(caller, slug, "").thenCompose(loc -> access.visibility(caller, slug)
                  .thenCompose(v -> walk(loc, key, "", q.after(), w, v)))));
        }
      }
      return chain;
    });
  }

  /** Under a workspace: the prefix names a folder (up to its last '/') and a start of names in it. */
  private CompletionStage<Void> inWorkspace(Principal caller, Query q, int slash, Walk w) {
    String workspace = q.prefix().substring(0, slash);
    String rest = q.prefix().substring(slash + 1);
    int last = rest.lastIndexOf('/');
    String folder = last < 0 ? "" : rest.substring(0, last);
    String names = rest.substring(last + 1);
    String key = S3Key.folderPrefix(workspace, folder);
    if (before(key, q.after())) return CompletableFuture.completedFuture(null);
    return orNothing(access.resolve(caller, workspace, folder).thenCompose(l -> access.visibility(caller, workspace).thenCompose(v -> q.delimited()
        ? folderPage(l, key, names, startAfter(key, q.after()), "", w, v)
        : walk(l, key, names, q.after(), w, v))));
  }

  /** One folder's children as keys and common prefixes, page after page until the walk is full. */
  private CompletionStage<Void> folderPage(Location loc, String key, String names, String startAfter, String cursor, Walk w,
                                          FileAccess.Visibility v) {
    return tree.list(request(loc, names, startAfter, cursor, w.room())).thenCompose(page -> {
      for (Node child : page.getChildrenList()) w.add(key, child, loc, v);
      if (w.full() || page.getNextCursor().isEmpty()) return CompletableFuture.<Void>completedFuture(null);
      return folderPage(loc, key, names, startAfter, page.getNextCursor(), w, v);
    });
  }

  /**
   * Every key under a folder, depth first, after the key {@code after}: when that key lies inside a subfolder, the
   * walk first finishes that subfolder, then goes on with the names after it.
   */
  private CompletionStage<Void> walk(Location loc, String key, String names, String after, Walk w, FileAccess.Visibility v) {
    if (before(key, after)) return CompletableFuture.completedFuture(null);
    String folder = relative(key, "");
    // a folder the caller may not read is left out with everything in it
    if (!folder.isEmpty() && !v.visible(folder.substring(0, folder.length() - 1))) return CompletableFuture.completedFuture(null);
    String startAfter = startAfter(key, after);
    CompletionStage<Void> first = CompletableFuture.completedFuture(null);
    if (after != null && after.startsWith(key) && after.indexOf('/', key.length()) >= 0 && startAfter.startsWith(names)) {
      first = orNothing(walk(loc.child(startAfter), key + startAfter + "/", "", after, w, v));
    }
    return first.thenCompose(x -> w.full() ? CompletableFuture.completedFuture(null) : walkPage(loc, key, names, startAfter, "", w, v));
  }

  private CompletionStage<Void> walkPage(Location loc, String key, String names, String startAfter, String cursor, Walk w,
                                         FileAccess.Visibility v) {
    return tree.list(request(loc, names, startAfter, cursor, WALK_PAGE)).thenCompose(page -> {
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      for (Node child : page.getChildrenList()) {
        chain = chain.thenCompose(x -> {
          if (w.full() || FileAccess.hidden(loc.path(), child.getName())) return CompletableFuture.completedFuture(null);
          if (child.getType() != NodeType.FOLDER) {
            w.add(key, child, loc, v);
            return CompletableFuture.completedFuture(null);
          }
          return orNothing(walk(loc.child(child.getName()), key + child.getName() + "/", "", null, w, v));
        });
      }
      return chain.thenCompose(x -> w.full() || page.getNextCursor().isEmpty() ? CompletableFuture.<Void>completedFuture(null)
          : walkPage(loc, key, names, startAfter, page.getNextCursor(), w, v));
    });
  }

  /** The workspace-relative path of {@code name} in the folder whose key (workspace first, ending in '/') is given. */
  private static String relative(String folderKey, String name) {
    return folderKey.substring(folderKey.indexOf('/') + 1) + name;
  }

  private static ListRequest request(Location loc, String names, String startAfter, String cursor, int limit) {
    return ListRequest.newBuilder().setDatasource(loc.datasource()).setPath(loc.path()).setPrefix(names)
        .setStartAfter(cursor.isEmpty() ? startAfter : "").setCursor(cursor).setLimit(Math.min(limit, 5000)).build();
  }

  /** Whether every key under {@code key} sorts before {@code after} (nothing of it is listed). */
  private static boolean before(String key, String after) {
    return after != null && !after.startsWith(key) && after.compareTo(key) > 0;
  }

  /** The name in the folder at {@code key} that the key {@code after} is at or inside of ("" when none). */
  private static String startAfter(String key, String after) {
    if (after == null || !after.startsWith(key)) return "";
    String rest = after.substring(key.length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  /** A folder that is missing, is a file, or is not the caller's to see lists as empty. */
  private static CompletionStage<Void> orNothing(CompletionStage<Void> stage) {
    return stage.exceptionally(e -> {
      Status.Code code = S3Failures.grpcCode(e);
      if (code == Status.Code.NOT_FOUND || code == Status.Code.FAILED_PRECONDITION || code == Status.Code.INVALID_ARGUMENT) return null;
      S3Exception s3 = S3Failures.of(e);
      if (s3.code().equals("NoSuchKey") || s3.code().equals("InvalidObjectName")) return null;
      throw s3;
    });
  }
}
