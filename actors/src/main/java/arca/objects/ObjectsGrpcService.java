package arca.objects;

import akka.NotUsed;
import akka.grpc.GrpcServiceException;
import akka.japi.pf.PFBuilder;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import arca.proto.objects.Blob;
import arca.proto.objects.BlobRef;
import arca.proto.objects.ComposeRequest;
import arca.proto.objects.CopyRequest;
import arca.proto.objects.DatasourceRef;
import arca.proto.objects.DatasourceUsage;
import arca.proto.objects.DeleteResult;
import arca.proto.objects.ObjectsService;
import arca.proto.objects.ReadRequest;
import arca.proto.objects.ReadResponse;
import arca.proto.objects.WriteHeader;
import arca.proto.objects.WriteRequest;
import arca.service.GrpcErrors;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Status;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** arca.grpc.objects: find the datasource's store, call it, convert; store refusals become statuses in one place. */
final class ObjectsGrpcService implements ObjectsService {
  private final Datasources datasources;
  private final Materializer materializer;

  ObjectsGrpcService(Datasources datasources, Materializer materializer) {
    this.datasources = datasources;
    this.materializer = materializer;
  }

  /** Splits the header off the stream; the chunks go to the store as they arrive (back-pressured). */
  @Override
  public CompletionStage<Blob> write(Source<WriteRequest, NotUsed> in) {
    return call(() -> in.prefixAndTail(1).runWith(Sink.head(), materializer).thenCompose(headAndTail -> {
      Source<WriteRequest, NotUsed> tail = headAndTail.second();
      try {
        if (headAndTail.first().isEmpty() || !headAndTail.first().get(0).hasHeader()) {
          throw BlobException.invalid("the first message of a write must be its header");
        }
        WriteHeader header = headAndTail.first().get(0).getHeader();
        BlobStore store = datasources.store(header.getDatasource());
        Expected expected = Expected.parse(header.hasExpectedSize() ? header.getExpectedSize() : null,
            header.getExpectedMd5(), header.getExpectedSha256());
        return store.put(tail.map(ObjectsGrpcService::chunk), expected)
            .thenApply(info -> toProto(header.getDatasource(), info, ""));
      } catch (RuntimeException e) {
        tail.runWith(Sink.cancelled(), materializer);
        throw e;
      }
    }));
  }

  private static ByteString chunk(WriteRequest message) {
    if (message.hasHeader()) throw BlobException.invalid("only the first message of a write may be a header");
    return ByteString.fromArrayUnsafe(message.getChunk().toByteArray());
  }

  @Override
  public Source<ReadResponse, NotUsed> read(ReadRequest in) {
    Source<ByteString, NotUsed> bytes;
    try {
      bytes = datasources.store(in.getDatasource()).get(new BlobId(in.getBlobId()), in.getOffset(), in.getLength());
    } catch (RuntimeException e) {
      bytes = Source.failed(e);
    }
    return bytes
        .map(chunk -> ReadResponse.newBuilder().setChunk(UnsafeByteOperations.unsafeWrap(chunk.asByteBuffer())).build())
        .mapError(new PFBuilder<Throwable, Throwable>().matchAny(ObjectsGrpcService::status).build());
  }

  @Override
  public CompletionStage<Blob> stat(BlobRef in) {
    return call(() -> datasources.store(in.getDatasource()).stat(new BlobId(in.getBlobId()))
        .thenApply(info -> toProto(in.getDatasource(), info, "")));
  }

  @Override
  public CompletionStage<DeleteResult> delete(BlobRef in) {
    return call(() -> datasources.store(in.getDatasource()).delete(new BlobId(in.getBlobId()))
        .thenApply(existed -> DeleteResult.newBuilder().setExisted(existed).build()));
  }

  @Override
  public CompletionStage<Blob> copy(CopyRequest in) {
    return call(() -> datasources.store(in.getDatasource()).copy(new BlobId(in.getSourceBlobId()))
        .thenApply(info -> toProto(in.getDatasource(), info, "")));
  }

  @Override
  public CompletionStage<Blob> compose(ComposeRequest in) {
    return call(() -> datasources.store(in.getDatasource())
        .compose(in.getPartBlobIdsList().stream().map(BlobId::new).toList())
        .thenApply(c -> toProto(in.getDatasource(), c.blob(), c.multipartEtag())));
  }

  @Override
  public CompletionStage<DatasourceUsage> usage(DatasourceRef in) {
    return call(() -> datasources.store(in.getDatasource()).usage().thenApply(u -> DatasourceUsage.newBuilder()
        .setDatasource(in.getDatasource()).setBlobs(u.blobs()).setBytes(u.bytes()).build()));
  }

  private static Blob toProto(String datasource, BlobInfo info, String multipartEtag) {
    return Blob.newBuilder().setDatasource(datasource).setBlobId(info.id().value()).setSize(info.size())
        .setMd5Hex(info.md5Hex()).setSha256Hex(info.sha256Hex()).setMultipartEtag(multipartEtag).build();
  }

  /** Runs a call (synchronous refusals included) and maps its failure. */
  private static <T> CompletionStage<T> call(Supplier<CompletionStage<T>> body) {
    CompletionStage<T> stage;
    try {
      stage = body.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return GrpcErrors.mapped(stage.handle((value, error) -> {
      if (error == null) return value;
      Throwable status = status(error);
      throw status instanceof RuntimeException r ? r : new CompletionException(status);
    }));
  }

  /** The one mapping of store refusals to gRPC statuses; other failures are left to GrpcErrors (INTERNAL). */
  private static Throwable status(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof BlobException b) {
        Status code = switch (b.reason()) {
          case INVALID -> Status.INVALID_ARGUMENT;
          case NOT_FOUND -> Status.NOT_FOUND;
          case OUT_OF_RANGE -> Status.OUT_OF_RANGE;
          case NOT_HOSTED -> Status.FAILED_PRECONDITION;
        };
        return new GrpcServiceException(code.withDescription(b.getMessage()));
      }
    }
    return error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error;
  }
}
