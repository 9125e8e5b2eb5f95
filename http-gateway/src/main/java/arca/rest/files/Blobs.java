package arca.rest.files;

import akka.Done;
import akka.NotUsed;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import arca.proto.objects.Blob;
import arca.proto.objects.BlobRef;
import arca.proto.objects.ComposeRequest;
import arca.proto.objects.CopyRequest;
import arca.proto.objects.ObjectsService;
import arca.proto.objects.ReadRequest;
import arca.proto.objects.WriteHeader;
import arca.proto.objects.WriteRequest;
import com.google.protobuf.UnsafeByteOperations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The bytes of files, through the objects service of the datasource that holds them: uploads and downloads stream
 * in constant memory (upload chunks that arrive while the service is busy are joined, up to {@value #MAX_CHUNK}
 * bytes per gRPC message), deletes are best effort (a blob left behind costs space, never correctness: the index no
 * longer names it).
 */
public final class Blobs {
  private static final Logger log = LoggerFactory.getLogger(Blobs.class);
  /** The largest chunk sent in one gRPC message. */
  public static final int MAX_CHUNK = 1 << 20;

  /** What an upload declares about its bytes; null or empty components are not checked. */
  public record Expected(Long size, String md5, String sha256Hex) {
    public static final Expected NOTHING = new Expected(null, null, null);
  }

  private final Function<String, ObjectsService> objects;

  /** @param objects the objects service hosting a datasource (production: the "ds-" + name service) */
  public Blobs(Function<String, ObjectsService> objects) {
    this.objects = objects;
  }

  /** The objects service of a datasource. */
  public ObjectsService of(String datasource) {
    return objects.apply(datasource);
  }

  /**
   * Stores {@code bytes} as a new blob. The blob exists only if every byte arrived and the expectations hold; a
   * failed or refused upload leaves nothing behind (the objects service drops its temporary file).
   */
  public CompletionStage<Blob> upload(String datasource, Source<ByteString, ?> bytes, Expected expected) {
    WriteHeader.Builder header = WriteHeader.newBuilder().setDatasource(datasource);
    if (expected.size() != null) header.setExpectedSize(expected.size());
    if (expected.md5() != null) header.setExpectedMd5(expected.md5());
    if (expected.sha256Hex() != null) header.setExpectedSha256(expected.sha256Hex());
    Source<WriteRequest, NotUsed> messages = Source.single(WriteRequest.newBuilder().setHeader(header).build())
        .concat(bytes.batchWeighted(MAX_CHUNK, chunk -> (long) chunk.size(), chunk -> chunk, ByteString::concat)
            .mapConcat(Blobs::split)
            .map(chunk -> WriteRequest.newBuilder().setChunk(UnsafeByteOperations.unsafeWrap(chunk.toArrayUnsafe())).build()));
    return of(datasource).write(messages);
  }

  /** {@code length} bytes (0: to the end) of a blob from {@code offset}. */
  public Source<ByteString, NotUsed> download(String datasource, String blobId, long offset, long length) {
    return of(datasource).read(ReadRequest.newBuilder().setDatasource(datasource).setBlobId(blobId)
            .setOffset(offset).setLength(length).build())
        .map(r -> ByteString.fromArrayUnsafe(r.getChunk().toByteArray()));
  }

  /** A server-side copy of a blob into a new blob of the same datasource. */
  public CompletionStage<Blob> copy(String datasource, String blobId) {
    return of(datasource).copy(CopyRequest.newBuilder().setDatasource(datasource).setSourceBlobId(blobId).build());
  }

  /** A new blob holding the parts' bytes in order (the parts stay). */
  public CompletionStage<Blob> compose(String datasource, List<String> partBlobIds) {
    return of(datasource).compose(ComposeRequest.newBuilder().setDatasource(datasource).addAllPartBlobIds(partBlobIds).build());
  }

  /** Deletes a blob; never fails (a failure is logged). An empty id is nothing to delete. */
  public CompletionStage<Done> delete(String datasource, String blobId) {
    if (blobId == null || blobId.isEmpty()) return CompletableFuture.completedFuture(Done.getInstance());
    CompletionStage<?> call;
    try {
      call = of(datasource).delete(BlobRef.newBuilder().setDatasource(datasource).setBlobId(blobId).build());
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    return call.handle((r, e) -> {
      if (e != null) log.warn("blob {} of datasource {} not deleted (left as garbage): {}", blobId, datasource, e.toString());
      return Done.getInstance();
    });
  }

  /** Deletes blobs one after the other (best effort, as {@link #delete}). */
  public CompletionStage<Done> deleteAll(String datasource, List<String> blobIds) {
    CompletionStage<Done> chain = CompletableFuture.completedFuture(Done.getInstance());
    for (String id : blobIds) chain = chain.thenCompose(d -> delete(datasource, id));
    return chain;
  }

  private static List<ByteString> split(ByteString chunk) {
    if (chunk.size() <= MAX_CHUNK) return List.of(chunk);
    List<ByteString> parts = new ArrayList<>(chunk.size() / MAX_CHUNK + 1);
    for (int from = 0; from < chunk.size(); from += MAX_CHUNK) parts.add(chunk.slice(from, Math.min(chunk.size(), from + MAX_CHUNK)));
    return parts;
  }
}
