package arca.tree;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import arca.proto.objects.BlobRef;
import arca.proto.objects.CopyRequest;
import arca.proto.objects.ObjectsService;
import arca.proto.objects.ObjectsServiceClient;
import arca.proto.tree.FolderPair;
import arca.grpc.Clients;
import arca.service.GrpcErrors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Fills one folder of a copy: every child of the source folder gets its counterpart in the copy, a subfolder as an
 * (existing or new) folder, a file as a new blob holding the same bytes (the objects service copies them) recorded
 * under the same name; both with a copy of the source's dead properties. Running it twice for one folder leaves the same result (a file copied again replaces the
 * earlier copy, whose blob is deleted), which is what lets an interrupted job redo its current folder.
 */
final class FolderCopier {
  private static final int PAGE = 1000;

  private final ClusterSharding sharding;
  private final Clients clients;
  private final Duration timeout;

  FolderCopier(ActorSystem<?> system, Clients clients) {
    this.sharding = ClusterSharding.get(system);
    this.clients = clients;
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
  }

  record Filled(List<FolderPair> subfolders, long files) {}

  CompletionStage<Filled> fill(String datasource, FolderPair pair) {
    return page(datasource, pair, "", new ArrayList<>(), 0);
  }

  private CompletionStage<Filled> page(String ds, FolderPair pair, String cursor, List<FolderPair> subfolders, long files) {
    var params = new FolderEntity.ListParams(0, PAGE, 0, false, false, cursor, "", "", null);
    return folder(ds, pair.getSource()).<FolderEntity.PageReply>ask(r -> new FolderEntity.ListChildren(params, r), timeout)
        .thenCompose(page -> {
          CompletionStage<Long> chain = CompletableFuture.completedFuture(files);
          for (Entry child : page.children()) {
            chain = chain.thenCompose(n -> child.folder()
                ? subfolder(ds, pair, child).thenApply(sub -> {
                    subfolders.add(sub);
                    return n;
                  })
                : file(ds, pair, child).thenApply(x -> n + 1));
          }
          return chain.thenCompose(n -> page.nextCursor().isEmpty()
              ? CompletableFuture.completedFuture(new Filled(List.copyOf(subfolders), n))
              : page(ds, pair, page.nextCursor(), subfolders, n));
        });
  }

  private CompletionStage<FolderPair> subfolder(String ds, FolderPair pair, Entry child) {
    return folder(ds, pair.getCopy()).<FolderEntity.Reply>ask(r -> new FolderEntity.EnsureFolder(child.name(), "", child.props(), r), timeout)
        .thenApply(r -> {
          if (r.failure() != null) throw GrpcErrors.status(r.failure());
          return FolderPair.newBuilder().setSource(child.uuid()).setCopy(r.entry().uuid()).build();
        });
  }

  private CompletionStage<Void> file(String ds, FolderPair pair, Entry child) {
    ObjectsService objects = clients.client(ObjectsService.class, "ds-" + ds, ObjectsServiceClient::create);
    return objects.copy(CopyRequest.newBuilder().setDatasource(ds).setSourceBlobId(child.blobId()).build())
        .thenCompose(blob -> {
          Entry copy = new Entry("", child.name(), false, child.size(), child.etag(), child.mtime(), 0, blob.getBlobId(),
              child.sha256(), child.contentType(), null, 0, null, "", child.props());
          return folder(ds, pair.getCopy()).<FolderEntity.Reply>ask(r -> new FolderEntity.PutFile(copy, null, false, true, r), timeout)
              .thenCompose(r -> {
                if (r.failure() != null) {
                  objects.delete(BlobRef.newBuilder().setDatasource(ds).setBlobId(blob.getBlobId()).build());
                  throw GrpcErrors.status(r.failure());
                }
                if (r.replacedBlobId().isEmpty()) return CompletableFuture.completedFuture(null);
                return objects.delete(BlobRef.newBuilder().setDatasource(ds).setBlobId(r.replacedBlobId()).build())
                    .<Void>thenApply(d -> null);
              });
        });
  }

  private EntityRef<FolderEntity.Command> folder(String ds, String uuid) {
    return sharding.entityRefFor(FolderEntity.KEY, FolderEntity.id(ds, uuid));
  }
}
