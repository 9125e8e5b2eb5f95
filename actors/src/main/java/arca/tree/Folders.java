package arca.tree;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import arca.proto.tree.Node;
import arca.service.Failure;
import arca.service.GrpcErrors;
import io.grpc.Status;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The path walk: resolves a path to its node through the folders from the datasource root (one entity ask per level),
 * and the asks every operation shares (a page of children, moving a child to another folder).
 */
final class Folders {
  static final int MAX_PAGE = 5000;

  private final ClusterSharding sharding;
  private final Duration timeout;

  Folders(ClusterSharding sharding, Duration timeout) {
    this.sharding = sharding;
    this.timeout = timeout;
  }

  /** The folder that holds a node, and the node itself. */
  record Located(String parent, Entry entry) {}

  Duration timeout() {
    return timeout;
  }

  EntityRef<FolderEntity.Command> folder(String datasource, String uuid) {
    return sharding.entityRefFor(FolderEntity.KEY, FolderEntity.id(datasource, uuid));
  }

  /** The reply's value, or its failure as a gRPC status. */
  static <T> CompletionStage<T> ok(FolderEntity.Reply r, Function<FolderEntity.Reply, T> f) {
    if (r.failure() != null) return CompletableFuture.failedFuture(GrpcErrors.status(r.failure()));
    return CompletableFuture.completedFuture(f.apply(r));
  }

  static String last(List<String> uuids) {
    return uuids.get(uuids.size() - 1);
  }

  static <T> CompletionStage<T> notFound(TreePath p) {
    return CompletableFuture.failedFuture(GrpcErrors.status(Failure.notFound("'" + GrpcErrors.printable(p.text()) + "' not found")));
  }

  static <T> CompletionStage<T> notAFolder(String path) {
    return CompletableFuture.failedFuture(GrpcErrors.status(
        Failure.precondition("'" + GrpcErrors.printable(path) + "' is a file, not a folder")));
  }

  /** The uuids of the folders along a folder path, root first; missing folders are created when asked to. */
  CompletionStage<List<String>> chain(TreePath p, boolean create) {
    CompletionStage<List<String>> chain = CompletableFuture.completedFuture(new ArrayList<>(List.of(FolderEntity.ROOT)));
    for (int i = 0; i < p.segments().size(); i++) {
      String name = p.segments().get(i);
      String at = p.prefix(i + 1);
      chain = chain.thenCompose(uuids -> folder(p.datasource(), last(uuids))
          .<FolderEntity.Reply>ask(r -> create ? new FolderEntity.EnsureFolder(name, "", Map.of(), r) : new FolderEntity.Get(name, r), timeout)
          .thenCompose(r -> {
            if (r.failure() != null) {
              Failure f = r.failure();
              return CompletableFuture.failedFuture(GrpcErrors.status(f.is(Status.Code.NOT_FOUND)
                  ? Failure.notFound("'" + GrpcErrors.printable(at) + "' not found") : f));
            }
            if (!r.entry().folder()) return notAFolder(at);
            uuids.add(r.entry().uuid());
            return CompletableFuture.completedFuture(uuids);
          }));
    }
    return chain;
  }

  /** The uuid of the folder that holds {@code p} (created along the way when asked to). */
  CompletionStage<String> parentOf(TreePath p, boolean create) {
    return chain(p.parent(), create).thenApply(Folders::last);
  }

  CompletionStage<Located> locate(TreePath p) {
    return parentOf(p, false).thenCompose(parent -> folder(p.datasource(), parent)
        .<FolderEntity.Reply>ask(r -> new FolderEntity.Get(p.name(), r), timeout)
        .thenCompose(r -> r.failure() != null ? notFound(p) : CompletableFuture.completedFuture(new Located(parent, r.entry()))));
  }

  /** The node at {@code p}, the root included. */
  CompletionStage<Node> node(TreePath p) {
    if (p.isRoot()) return CompletableFuture.completedFuture(Nodes.root(p.datasource()));
    return locate(p).thenApply(l -> Nodes.node(p.datasource(), p.text(), l.entry()));
  }

  CompletionStage<FolderEntity.PageReply> page(String datasource, String uuid, FolderEntity.ListParams params) {
    return folder(datasource, uuid).<FolderEntity.PageReply>ask(r -> new FolderEntity.ListChildren(params, r), timeout);
  }

  /** Moves child {@code name} of one folder into another as {@code moved}; the entry as it arrived. */
  CompletionStage<Entry> moveOut(String datasource, String fromFolder, String name, String destFolder, Entry moved,
                                 boolean overwrite) {
    return folder(datasource, fromFolder)
        .<FolderEntity.Reply>ask(r -> new FolderEntity.MoveOut(name, FolderEntity.id(datasource, destFolder), moved, overwrite, r), timeout)
        .thenCompose(r -> ok(r, FolderEntity.Reply::entry));
  }
}
