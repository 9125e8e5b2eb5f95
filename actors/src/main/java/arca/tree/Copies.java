package arca.tree;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import arca.proto.objects.BlobRef;
import arca.proto.objects.ObjectsService;
import arca.proto.tree.CopyJob;
import arca.proto.tree.CopyRequest;
import arca.proto.tree.CopyResponse;
import arca.proto.tree.GetCopyJobRequest;
import arca.service.Failure;
import arca.service.GrpcErrors;
import arca.service.Requests;
import io.grpc.Status;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import static arca.tree.AlreadyDone.orAlreadyDone;
import static arca.tree.Folders.last;
import static arca.tree.Folders.ok;

/**
 * Copies: a file at once (a new blob with the same bytes), a folder as an empty copy made at once and a
 * {@link CopyJobEntity} that fills it.
 */
final class Copies {
  private final ClusterSharding sharding;
  private final Folders folders;
  private final Duration timeout;
  private final Function<String, ObjectsService> objects;

  Copies(ClusterSharding sharding, Folders folders, Function<String, ObjectsService> objects) {
    this.sharding = sharding;
    this.folders = folders;
    this.timeout = folders.timeout();
    this.objects = objects;
  }

  CompletionStage<CopyResponse> copy(CopyRequest in) {
    TreePath from = TreePath.of(in.getDatasource(), in.getFrom());
    TreePath to = TreePath.of(in.getDatasource(), in.getTo());
    if (from.isRoot() || to.isRoot()) throw GrpcErrors.invalid("the root cannot be copied or replaced");
    String requestId = Requests.id(in.getRequestId());
    // sent again after it applied: the copy this very request made (marked with its id), and its job restarted
    // (a no-op when it runs or ran; it starts it if the first sending stopped before)
    return orAlreadyDone(copy(from, to, requestId, in.getBy()), requestId, Status.Code.ALREADY_EXISTS,
        id -> madeBy(id, from, to, in.getBy()));
  }

  /** The copy at {@code to} if request {@code id} made it (its job started again), else null. */
  private CompletionStage<CopyResponse> madeBy(String id, TreePath from, TreePath to, String by) {
    return folders.locate(to)
        .thenCompose(l -> {
          if (!id.equals(l.entry().requestId())) return CompletableFuture.<CopyResponse>completedFuture(null);
          CopyResponse.Builder out = CopyResponse.newBuilder().setNode(Nodes.node(to.datasource(), to.text(), l.entry()));
          if (!l.entry().folder()) return CompletableFuture.completedFuture(out.build());
          return folders.locate(from).thenCompose(src -> startJob(to.datasource(), src.entry().uuid(), l.entry().uuid(), id, by))
              .thenApply(jobId -> out.setJobId(jobId).build());
        })
        .exceptionally(notThere -> null);
  }

  private CompletionStage<CopyResponse> copy(TreePath from, TreePath to, String requestId, String by) {
    return folders.locate(from).thenCompose(src -> folders.chain(to.parent(), true).thenCompose(chain -> {
      if (!src.entry().folder()) return copyFile(src.entry(), to, last(chain), requestId);
      if (chain.contains(src.entry().uuid())) throw GrpcErrors.invalid("a folder cannot be copied into itself");
      return copyFolder(src.entry(), to, last(chain), requestId, by);
    }));
  }

  /** A file: a new blob with the same bytes, under the new name (an existing file there is kept). */
  private CompletionStage<CopyResponse> copyFile(Entry file, TreePath to, String parent, String requestId) {
    ObjectsService blobs = objects.apply(to.datasource());
    return blobs.copy(arca.proto.objects.CopyRequest.newBuilder()
            .setDatasource(to.datasource()).setSourceBlobId(file.blobId()).build())
        .thenCompose(blob -> folders.folder(to.datasource(), parent).<FolderEntity.Reply>ask(r -> new FolderEntity.PutFile(
                new Entry("", to.name(), false, file.size(), file.etag(), file.mtime(), 0, blob.getBlobId(), file.sha256(),
                    file.contentType(), null, 0, null, requestId, file.props()), null, true, true, r), timeout)
            .thenCompose(r -> {
              if (r.failure() == null) {
                return CompletableFuture.completedFuture(
                    CopyResponse.newBuilder().setNode(Nodes.node(to.datasource(), to.text(), r.entry())).build());
              }
              // refused (the target exists: the put was conditional): the copy's blob goes
              blobs.delete(BlobRef.newBuilder().setDatasource(to.datasource()).setBlobId(blob.getBlobId()).build());
              Failure f = r.failure().is(Status.Code.FAILED_PRECONDITION) ? exists(to) : r.failure();
              return CompletableFuture.<CopyResponse>failedFuture(GrpcErrors.status(f));
            }));
  }

  /** A folder: its copy is created empty at once (refused if the name is taken), then a job fills it. */
  private CompletionStage<CopyResponse> copyFolder(Entry source, TreePath to, String parent, String requestId, String by) {
    var target = folders.folder(to.datasource(), parent);
    return target.<FolderEntity.Reply>ask(r -> new FolderEntity.Get(to.name(), r), timeout)
        .thenCompose(existing -> {
          if (existing.failure() == null) throw GrpcErrors.status(exists(to));
          return target.<FolderEntity.Reply>ask(
              r -> new FolderEntity.EnsureFolder(to.name(), requestId, source.props(), r), timeout);
        })
        .thenCompose(r -> ok(r, FolderEntity.Reply::entry))
        .thenCompose(copy -> startJob(to.datasource(), source.uuid(), copy.uuid(), requestId, by)
            .thenApply(jobId -> CopyResponse.newBuilder().setNode(Nodes.node(to.datasource(), to.text(), copy)).setJobId(jobId).build()));
  }

  private static Failure exists(TreePath p) {
    return Failure.exists("'" + GrpcErrors.printable(p.text()) + "' already exists");
  }

  /** A folder copy's job: its id follows from the request id when there is one (so a second sending finds it). */
  private CompletionStage<String> startJob(String datasource, String source, String copy, String requestId, String by) {
    String jobId = requestId.isEmpty() ? UUID.randomUUID().toString()
        : UUID.nameUUIDFromBytes(("copy\n" + requestId).getBytes(StandardCharsets.UTF_8)).toString();
    return sharding.entityRefFor(CopyJobEntity.KEY, jobId).<CopyJobEntity.Progress>ask(
        r -> new CopyJobEntity.Start(datasource, source, copy, by, r), timeout).thenApply(p -> jobId);
  }

  CompletionStage<CopyJob> job(GetCopyJobRequest in) {
    if (!in.getJobId().matches("[0-9a-f-]{36}")) throw GrpcErrors.invalid("not a copy job id");
    return sharding.entityRefFor(CopyJobEntity.KEY, in.getJobId()).<CopyJobEntity.Progress>ask(CopyJobEntity.Get::new, timeout)
        .thenApply(p -> {
          if (!p.exists()) throw GrpcErrors.status(Failure.notFound("no copy job '" + in.getJobId() + "'"));
          return CopyJob.newBuilder().setJobId(in.getJobId()).setDone(p.done()).setFoldersDone(p.foldersDone())
              .setFoldersPending(p.foldersPending()).setFilesCopied(p.filesCopied()).setBy(p.by()).build();
        });
  }
}
