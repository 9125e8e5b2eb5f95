package arca.tree;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import arca.proto.objects.ObjectsService;
import arca.proto.objects.ObjectsServiceClient;
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
import arca.proto.tree.TrashRequest;
import arca.proto.tree.TreeService;
import arca.grpc.Clients;
import arca.service.Failure;
import arca.service.GrpcErrors;
import arca.service.Requests;
import io.grpc.Status;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static arca.tree.AlreadyDone.orAlreadyDone;
import static arca.tree.Folders.MAX_PAGE;
import static arca.tree.Folders.last;
import static arca.tree.Folders.ok;

/**
 * arca.grpc.tree: validates paths ({@link TreePath}), resolves them through the folders ({@link Folders}) and asks
 * the folder that owns the node; the recycle bin is {@link TrashBin}'s, copies are {@link Copies}'.
 */
final class TreeGrpcService implements TreeService {
  private final Folders folders;
  private final Duration timeout;
  private final TrashBin trash;
  private final Copies copies;

  TreeGrpcService(ActorSystem<?> system, Clients clients) {
    ClusterSharding sharding = ClusterSharding.get(system);
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
    this.folders = new Folders(sharding, timeout);
    this.trash = new TrashBin(folders);
    this.copies = new Copies(sharding, folders,
        ds -> clients.client(ObjectsService.class, "ds-" + ds, ObjectsServiceClient::create));
  }

  @Override
  public CompletionStage<Node> stat(StatRequest in) {
    return GrpcErrors.call(() -> folders.node(TreePath.of(in.getDatasource(), in.getPath())));
  }

  @Override
  public CompletionStage<ListResponse> list(ListRequest in) {
    return GrpcErrors.call(() -> {
      TreePath p = TreePath.of(in.getDatasource(), in.getPath());
      FolderEntity.ListParams params = listParams(in);
      return folders.node(p).thenCompose(folderNode -> {
        if (folderNode.getType() != NodeType.FOLDER) return Folders.notAFolder(p.text());
        return folders.page(p.datasource(), folderNode.getUuid(), params).thenApply(page -> {
          ListResponse.Builder out = ListResponse.newBuilder().setFolder(folderNode).setTotal(page.total())
              .setNextCursor(page.nextCursor());
          for (Entry e : page.children()) out.addChildren(Nodes.node(p.datasource(), p.child(e.name()).text(), e));
          return out.build();
        });
      });
    });
  }

  private static FolderEntity.ListParams listParams(ListRequest in) {
    int limit = in.getLimit() == 0 ? 1000 : in.getLimit();
    if (limit < 1 || limit > MAX_PAGE) throw GrpcErrors.invalid("limit must be 1-" + MAX_PAGE);
    if (in.getOffset() < 0) throw GrpcErrors.invalid("offset must not be negative");
    String cursor = in.getCursor();
    if (!cursor.isEmpty() && !(cursor.startsWith("k:") || cursor.matches("o:\\d{1,9}"))) {
      throw GrpcErrors.invalid("cursor is not one this service gave");
    }
    return new FolderEntity.ListParams(in.getOffset(), limit, in.getSortValue(), in.getDescending(),
        in.getFoldersFirst(), cursor, in.getPrefix(), in.getStartAfter(), null);
  }

  @Override
  public CompletionStage<Node> createFolder(CreateFolderRequest in) {
    return GrpcErrors.call(() -> {
      Requests.id(in.getRequestId()); // creating a folder that exists is a no-op: a resent request applies once
      TreePath p = TreePath.of(in.getDatasource(), in.getPath());
      if (p.isRoot()) return CompletableFuture.completedFuture(Nodes.root(p.datasource()));
      return folders.parentOf(p, true).thenCompose(parent -> folders.folder(p.datasource(), parent)
          .<FolderEntity.Reply>ask(r -> new FolderEntity.EnsureFolder(p.name(), "", Map.of(), r), timeout)
          .thenCompose(r -> ok(r, x -> Nodes.node(p.datasource(), p.text(), x.entry()))));
    });
  }

  @Override
  public CompletionStage<PutFileResponse> putFile(PutFileRequest in) {
    return GrpcErrors.call(() -> {
      TreePath p = TreePath.of(in.getDatasource(), in.getPath());
      if (p.isRoot()) throw GrpcErrors.invalid("a file needs a name");
      if (in.getBlobId().isEmpty()) throw GrpcErrors.invalid("blob_id is required");
      Requests.id(in.getRequestId()); // a resent put names the same blob: the folder applies it once
      if (in.getSize() < 0) throw GrpcErrors.invalid("size must not be negative");
      long mtime = in.getMtime() == 0 ? System.currentTimeMillis() : in.getMtime();
      Entry file = new Entry("", p.name(), false, in.getSize(), in.getEtag(), mtime, 0, in.getBlobId(), in.getSha256(),
          in.getContentType(), null, 0, null, in.getRequestId(), Map.of());
      String ifMatch = in.hasIfMatch() ? in.getIfMatch() : null;
      return folders.parentOf(p, true).thenCompose(parent -> folders.folder(p.datasource(), parent)
          .<FolderEntity.Reply>ask(r -> new FolderEntity.PutFile(file, ifMatch, in.getIfNoneMatch(), false, r), timeout)
          .thenCompose(r -> ok(r, x -> PutFileResponse.newBuilder().setNode(Nodes.node(p.datasource(), p.text(), x.entry()))
              .setReplacedBlobId(x.replacedBlobId()).build())));
    });
  }

  @Override
  public CompletionStage<Node> move(MoveRequest in) {
    return GrpcErrors.call(() -> {
      TreePath from = TreePath.of(in.getDatasource(), in.getFrom());
      TreePath to = TreePath.of(in.getDatasource(), in.getTo());
      if (from.isRoot() || to.isRoot()) throw GrpcErrors.invalid("the root cannot be moved or replaced");
      String requestId = Requests.id(in.getRequestId());
      return orAlreadyDone(move(from, to, in.getOverwrite(), requestId), requestId, id -> folders.locate(to)
          .<Node>thenApply(l -> id.equals(l.entry().requestId()) ? Nodes.node(to.datasource(), to.text(), l.entry()) : null)
          .exceptionally(notThere -> null));
    });
  }

  /** A rename when both paths share a folder, else a move out of one folder into the other. */
  private CompletionStage<Node> move(TreePath from, TreePath to, boolean overwrite, String requestId) {
    return folders.locate(from).thenCompose(src -> folders.chain(to.parent(), true).thenCompose(chain -> {
      String dest = last(chain);
      if (src.entry().folder() && (chain.contains(src.entry().uuid()))) {
        throw GrpcErrors.invalid("a folder cannot be moved into itself or its own subfolders");
      }
      if (dest.equals(src.parent())) {
        return folders.folder(to.datasource(), dest)
            .<FolderEntity.Reply>ask(r -> new FolderEntity.Rename(from.name(), to.name(), overwrite, requestId, r), timeout)
            .thenCompose(r -> ok(r, x -> Nodes.node(to.datasource(), to.text(), x.entry())));
      }
      return folders.moveOut(to.datasource(), src.parent(), from.name(), dest,
              src.entry().named(to.name()).byRequest(requestId), overwrite)
          .thenApply(e -> Nodes.node(to.datasource(), to.text(), e));
    }));
  }

  @Override
  public CompletionStage<Node> setProps(SetPropsRequest in) {
    return GrpcErrors.call(() -> {
      TreePath p = TreePath.of(in.getDatasource(), in.getPath());
      if (p.isRoot()) {
        throw GrpcErrors.status(Failure.precondition("the datasource root has no dead properties"));
      }
      String requestId = Requests.id(in.getRequestId()); // the folder applies it once
      Failure refused = Props.changeProblem(in.getSetMap(), in.getRemoveList());
      if (refused != null) throw GrpcErrors.status(refused);
      Map<String, String> set = Map.copyOf(in.getSetMap());
      List<String> remove = List.copyOf(in.getRemoveList());
      return folders.parentOf(p, false).thenCompose(parent -> folders.folder(p.datasource(), parent)
          .<FolderEntity.Reply>ask(r -> new FolderEntity.SetProps(p.name(), set, remove, requestId, r), timeout)
          .thenCompose(r -> r.failure() != null && r.failure().is(Status.Code.NOT_FOUND)
              ? Folders.notFound(p)
              : ok(r, x -> Nodes.node(p.datasource(), p.text(), x.entry()))));
    });
  }

  @Override
  public CompletionStage<PurgeResponse> remove(RemoveRequest in) {
    return GrpcErrors.call(() -> {
      TreePath p = TreePath.of(in.getDatasource(), in.getPath());
      if (p.isRoot()) throw GrpcErrors.invalid("the root cannot be removed");
      String ifMatch = in.hasIfMatch() ? in.getIfMatch() : null;
      return folders.parentOf(p, false).thenCompose(parent -> folders.folder(p.datasource(), parent)
          .<FolderEntity.Reply>ask(r -> new FolderEntity.Remove(p.name(), ifMatch, false, "", r), timeout)
          .thenCompose(r -> ok(r, x -> PurgeResponse.newBuilder().addBlobIds(x.entry().blobId()).setFiles(1).build())));
    });
  }

  @Override
  public CompletionStage<Node> trash(TrashRequest in) {
    return GrpcErrors.call(() -> trash.trash(in));
  }

  @Override
  public CompletionStage<ListResponse> listTrash(ListTrashRequest in) {
    return GrpcErrors.call(() -> trash.list(in));
  }

  @Override
  public CompletionStage<Node> restore(RestoreRequest in) {
    return GrpcErrors.call(() -> trash.restore(in));
  }

  @Override
  public CompletionStage<PurgeResponse> purge(PurgeRequest in) {
    return GrpcErrors.call(() -> trash.purge(in));
  }

  @Override
  public CompletionStage<CopyResponse> copy(CopyRequest in) {
    return GrpcErrors.call(() -> copies.copy(in));
  }

  @Override
  public CompletionStage<CopyJob> getCopyJob(GetCopyJobRequest in) {
    return GrpcErrors.call(() -> copies.job(in));
  }
}
