package arca.tree;

import akka.cluster.sharding.typed.javadsl.EntityRef;
import arca.proto.tree.ListResponse;
import arca.proto.tree.ListTrashRequest;
import arca.proto.tree.Node;
import arca.proto.tree.PurgeRequest;
import arca.proto.tree.PurgeResponse;
import arca.proto.tree.RestoreRequest;
import arca.proto.tree.TrashRequest;
import arca.service.GrpcErrors;
import arca.service.Requests;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static arca.tree.AlreadyDone.orAlreadyDone;
import static arca.tree.Folders.MAX_PAGE;
import static arca.tree.Folders.ok;

/**
 * The recycle bin of a datasource (the folder entity {@link FolderEntity#TRASH}): trash moves a node into it, keyed by
 * its uuid and marked with its original path; restore moves it back; purge removes it for good and names the blobs
 * that go with it.
 */
final class TrashBin {
  private final Folders folders;
  private final Duration timeout;

  TrashBin(Folders folders) {
    this.folders = folders;
    this.timeout = folders.timeout();
  }

  private EntityRef<FolderEntity.Command> bin(String datasource) {
    return folders.folder(datasource, FolderEntity.TRASH);
  }

  CompletionStage<Node> trash(TrashRequest in) {
    TreePath p = TreePath.of(in.getDatasource(), in.getPath());
    if (p.isRoot()) throw GrpcErrors.invalid("the root cannot be deleted");
    String requestId = Requests.id(in.getRequestId());
    CompletionStage<Node> trashed = folders.locate(p).thenCompose(l -> folders.moveOut(p.datasource(), l.parent(), p.name(),
            FolderEntity.TRASH, l.entry().trashed(p.text(), System.currentTimeMillis(), in.getBy()).byRequest(requestId), false))
        .thenApply(e -> Nodes.node(p.datasource(), e.uuid(), e));
    // sent again after it applied: the entry this very request put in the recycle bin
    return orAlreadyDone(trashed, requestId, id -> {
      var params = new FolderEntity.ListParams(0, MAX_PAGE, 0, false, false, "", "", "", p.text());
      return folders.page(p.datasource(), FolderEntity.TRASH, params)
          .thenApply(page -> page.children().stream().filter(e -> id.equals(e.requestId())).findFirst()
              .map(e -> Nodes.node(p.datasource(), e.uuid(), e)).orElse(null));
    });
  }

  CompletionStage<ListResponse> list(ListTrashRequest in) {
    TreePath ds = TreePath.root(in.getDatasource());
    int limit = in.getLimit() == 0 ? 1000 : in.getLimit();
    if (limit < 1 || limit > MAX_PAGE || in.getOffset() < 0) throw GrpcErrors.invalid("limit must be 1-" + MAX_PAGE + ", offset >= 0");
    var params = new FolderEntity.ListParams(in.getOffset(), limit, 0, false, false, "", "", "", in.getPrefix());
    return folders.page(ds.datasource(), FolderEntity.TRASH, params).thenApply(page -> {
      ListResponse.Builder out = ListResponse.newBuilder().setTotal(page.total());
      for (Entry e : page.children()) out.addChildren(Nodes.node(ds.datasource(), e.uuid(), e));
      return out.build();
    });
  }

  CompletionStage<Node> restore(RestoreRequest in) {
    TreePath ds = TreePath.root(in.getDatasource());
    String requestId = Requests.id(in.getRequestId());
    CompletionStage<Node> restored = bin(ds.datasource())
        .<FolderEntity.Reply>ask(r -> new FolderEntity.Get(in.getUuid(), r), timeout)
        .thenCompose(r -> ok(r, FolderEntity.Reply::entry))
        .thenCompose(entry -> restore(ds.datasource(), entry, in.getTo(), requestId));
    // sent again after it applied (with its target: the gateway always names it): the node this request restored
    if (in.getTo().isEmpty()) return restored;
    TreePath to = TreePath.of(ds.datasource(), in.getTo());
    return orAlreadyDone(restored, requestId, id -> folders.locate(to)
        .<Node>thenApply(l -> id.equals(l.entry().requestId()) && l.entry().uuid().equals(in.getUuid())
            ? Nodes.node(ds.datasource(), to.text(), l.entry()) : null)
        .exceptionally(notThere -> null));
  }

  /** Moves {@code entry} out of the bin to {@code to}, or to where it was trashed from when {@code to} is empty. */
  private CompletionStage<Node> restore(String datasource, Entry entry, String to, String requestId) {
    TreePath target = TreePath.of(datasource, to.isEmpty() ? entry.trashPath() : to);
    if (target.isRoot()) throw GrpcErrors.invalid("cannot restore over the root");
    return folders.parentOf(target, true).thenCompose(parent -> folders.moveOut(datasource, FolderEntity.TRASH,
            entry.name(), parent, entry.restored(target.name()).byRequest(requestId), false))
        .thenApply(e -> Nodes.node(datasource, target.text(), e));
  }

  CompletionStage<PurgeResponse> purge(PurgeRequest in) {
    TreePath ds = TreePath.root(in.getDatasource());
    String requestId = Requests.id(in.getRequestId());
    var trash = bin(ds.datasource());
    CompletionStage<PurgeResponse> purged = trash.<FolderEntity.Reply>ask(r -> new FolderEntity.Get(in.getUuid(), r), timeout)
        .thenCompose(r -> ok(r, FolderEntity.Reply::entry))
        // the entry leaves the bin only once its blobs are known, so a failed purge can be retried
        .thenCompose(entry -> collect(ds.datasource(), entry, PurgeResponse.newBuilder())
            .thenCompose(b -> trash.<FolderEntity.Reply>ask(
                    r -> new FolderEntity.Remove(entry.name(), null, true, requestId, r), timeout)
                .thenCompose(r -> ok(r, x -> b.build()))));
    // sent again after it applied: done, nothing left to return (the first answer carried the blobs)
    return orAlreadyDone(purged, requestId, id -> trash.<FolderEntity.Reply>ask(
            r -> new FolderEntity.Remove(in.getUuid(), null, true, id, r), timeout)
        .thenApply(r -> r.failure() == null ? PurgeResponse.getDefaultInstance() : null));
  }

  /** The blobs of a node and, for a folder, of everything under it (walked page by page). */
  private CompletionStage<PurgeResponse.Builder> collect(String datasource, Entry e, PurgeResponse.Builder out) {
    if (!e.folder()) {
      out.addBlobIds(e.blobId()).setFiles(out.getFiles() + 1);
      return CompletableFuture.completedFuture(out);
    }
    out.setFolders(out.getFolders() + 1);
    return collectPage(datasource, e.uuid(), "", out);
  }

  private CompletionStage<PurgeResponse.Builder> collectPage(String datasource, String uuid, String cursor,
                                                              PurgeResponse.Builder out) {
    var params = new FolderEntity.ListParams(0, MAX_PAGE, 0, false, false, cursor, "", "", null);
    return folders.page(datasource, uuid, params).thenCompose(page -> {
      CompletionStage<PurgeResponse.Builder> chain = CompletableFuture.completedFuture(out);
      for (Entry child : page.children()) chain = chain.thenCompose(b -> collect(datasource, child, b));
      return page.nextCursor().isEmpty() ? chain : chain.thenCompose(b -> collectPage(datasource, uuid, page.nextCursor(), b));
    });
  }
}
