package arca.rest.files.nodes;

import arca.proto.tree.ListRequest;
import arca.proto.tree.ListResponse;
import arca.proto.tree.Node;
import arca.proto.tree.TreeService;
import arca.rest.ClientPaths;
import arca.rest.access.Principal;
import arca.rest.files.FileAccess;
import arca.rest.files.Location;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * One page of a folder's children for {@code GET /a/nodes/{ws}/{path}?children}, showing only what the caller may
 * read ({@link FileAccess#visibility}: the ACLs and the policies). A folder where nothing can be hidden is one tree
 * page, as asked. In a folder where something may be hidden, the gateway reads the tree's pages until it has
 * {@code limit} visible children (never more than it gives, so {@code nextCursor} resumes exactly after the last one
 * given and no child is skipped or repeated); {@code offset} counts visible children, and {@code total} is the number
 * of visible children (a count over the folder's pages), so that nothing hidden shows even as a number.
 */
final class NodeListing {
  private static final int SCAN_PAGE = 1000;

  private NodeListing() {}

  static CompletionStage<Map<String, Object>> page(TreeService tree, FileAccess access, Principal p, String ws, String path,
                                                   ListRequest.Builder req) {
    return access.resolve(p, ws, path).thenCompose(l -> access.visibility(p, ws).thenCompose(v -> {
      String folder = String.join("/", ClientPaths.segments(path));
      ListRequest base = req.setDatasource(l.datasource()).setPath(l.path()).build();
      if (!v.mayHideBelow(folder)) {
        return tree.list(base).thenApply(r -> answer(ws, path, l, r.getFolder(),
            r.getChildrenList().stream().filter(c -> !FileAccess.hidden(l.path(), c.getName())).toList(), r.getTotal(), r.getNextCursor()));
      }
      Predicate<Node> shown = c -> !FileAccess.hidden(l.path(), c.getName())
          && v.visible(folder.isEmpty() ? c.getName() : folder + "/" + c.getName());
      Scan first = new Scan(base.getCursor().isEmpty() ? base.getOffset() : 0, base.getLimit());
      return scan(tree, base.toBuilder().setOffset(0).build(), 0, shown, first).thenCompose(s -> {
        CompletionStage<Long> total = base.getCursor().isEmpty() && s.ended ? CompletableFuture.completedFuture(s.seen)
            : scan(tree, base.toBuilder().setOffset(0).setCursor("").build(), 0, shown, new Scan(Integer.MAX_VALUE, 0))
                .thenApply(all -> all.seen);
        return total.thenApply(t -> answer(ws, path, l, s.folder, s.children, t, s.next));
      });
    }));
  }

  /** What a scan gathered: children to skip, then to give; how many visible it saw; where the tree goes on. */
  private static final class Scan {
    int skip;
    int want;
    final List<Node> children = new ArrayList<>();
    long seen;
    String next = "";
    boolean ended;
    Node folder;

    Scan(int skip, int want) {
      this.skip = skip;
      this.want = want;
    }
  }

  /**
   * Reads tree pages from the request's cursor (or from the start, then by cursor or offset) until the scan has what
   * it wants or the folder ends. Each page asks at most what is still wanted, so that the last page is consumed whole
   * and its cursor is exact.
   */
  private static CompletionStage<Scan> scan(TreeService tree, ListRequest req, int treeOffset, Predicate<Node> shown, Scan s) {
    long left = (long) s.skip + s.want;
    int limit = (int) Math.max(1, Math.min(SCAN_PAGE, left));
    ListRequest page = req.getCursor().isEmpty() ? req.toBuilder().setOffset(treeOffset).setLimit(limit).build()
        : req.toBuilder().setLimit(limit).build();
    return tree.list(page).thenCompose(r -> {
      if (s.folder == null) s.folder = r.getFolder();
      for (Node c : r.getChildrenList()) {
        if (!shown.test(c)) continue;
        s.seen++;
        if (s.skip > 0) {
          s.skip--;
        } else if (s.want > 0) {
          s.children.add(c);
          s.want--;
        }
      }
      int offset = treeOffset + r.getChildrenCount();
      boolean end = r.getChildrenCount() == 0 || (r.getNextCursor().isEmpty() && offset >= r.getTotal());
      s.next = end ? "" : r.getNextCursor();
      s.ended = end;
      if (end || (s.skip == 0 && s.want == 0)) return CompletableFuture.completedFuture(s);
      ListRequest more = r.getNextCursor().isEmpty() ? req.toBuilder().setCursor("").build()
          : req.toBuilder().setCursor(r.getNextCursor()).build();
      return scan(tree, more, offset, shown, s);
    });
  }

  private static Map<String, Object> answer(String ws, String path, Location l, Node folder, List<Node> children,
                                            long total, String next) {
    Map<String, Object> out = new LinkedHashMap<>(NodesRoutes.json(ws, path, folder));
    out.put("children", children.stream()
        .map(c -> NodesRoutes.json(ws, path.isEmpty() ? c.getName() : path + "/" + c.getName(), c))
        .toList());
    out.put("total", total);
    if (!next.isEmpty()) out.put("nextCursor", next);
    return out;
  }
}
