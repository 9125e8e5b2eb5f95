package arca.rest.testsupport;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
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
import com.google.protobuf.ByteString;
import io.grpc.Status;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-memory blobs of every datasource, with the real objects service's contract: a write's first message is its
 * header, the declared size / MD5 (hex or base64) / SHA-256 are checked at the end (INVALID_ARGUMENT naming the
 * mismatch, nothing stored); a write whose request stream fails stores nothing and fails CANCELLED, as a gRPC call
 * cut by its client does; reads in 128 KiB chunks (NOT_FOUND, OUT_OF_RANGE past the end); copy; compose with S3's
 * multipart ETag; idempotent delete.
 */
public final class FakeObjectsService implements ObjectsService {
  private static final int READ_CHUNK = 128 * 1024;

  private final Materializer materializer;
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  /** When set, every call fails with this status (a service that is down). */
  public volatile Status down;

  public FakeObjectsService(ActorSystem<?> system) {
    this.materializer = Materializer.matFromSystem(system);
  }

  private static String id(String ds, String blobId) { return ds + "/" + blobId; }

  /** The bytes of a blob, or null. */
  public byte[] bytes(String ds, String blobId) { return blobs.get(id(ds, blobId)); }

  /** How many blobs a datasource holds. */
  public long count(String ds) { return blobs.keySet().stream().filter(k -> k.startsWith(ds + "/")).count(); }

  @Override
  public CompletionStage<Blob> write(Source<WriteRequest, NotUsed> in) {
    if (down != null) return Failures.failed(down);
    return in.runWith(Sink.seq(), materializer).handle((messages, error) -> {
      if (error != null) throw Status.CANCELLED.withDescription("the request stream failed").asRuntimeException();
      if (messages.isEmpty() || !messages.get(0).hasHeader()) {
        throw Status.INVALID_ARGUMENT.withDescription("the first message of a write must be its header").asRuntimeException();
      }
      WriteHeader h = messages.get(0).getHeader();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (WriteRequest m : messages.subList(1, messages.size())) out.writeBytes(m.getChunk().toByteArray());
      byte[] bytes = out.toByteArray();
      String md5 = hex("MD5", bytes);
      String sha256 = hex("SHA-256", bytes);
      if (h.hasExpectedSize() && h.getExpectedSize() != bytes.length) {
        throw invalid("size mismatch: expected " + h.getExpectedSize() + " bytes, received " + bytes.length);
      }
      if (!h.getExpectedMd5().isEmpty() && !md5.equals(md5Hex(h.getExpectedMd5()))) {
        throw invalid("md5 mismatch: expected " + h.getExpectedMd5() + ", received bytes have " + md5);
      }
      if (!h.getExpectedSha256().isEmpty() && !sha256.equalsIgnoreCase(h.getExpectedSha256())) {
        throw invalid("sha256 mismatch: expected " + h.getExpectedSha256() + ", received bytes have " + sha256);
      }
      return store(h.getDatasource(), bytes, "");
    });
  }

  private Blob store(String ds, byte[] bytes, String multipartEtag) {
    String blobId = UUID.randomUUID().toString();
    blobs.put(id(ds, blobId), bytes);
    return Blob.newBuilder().setDatasource(ds).setBlobId(blobId).setSize(bytes.length).setMd5Hex(hex("MD5", bytes))
        .setSha256Hex(hex("SHA-256", bytes)).setMultipartEtag(multipartEtag).build();
  }

  @Override
  public Source<ReadResponse, NotUsed> read(ReadRequest in) {
    if (down != null) return Source.failed(down.asRuntimeException());
    byte[] b = bytes(in.getDatasource(), in.getBlobId());
    if (b == null) return Source.failed(Status.NOT_FOUND.withDescription("no blob " + in.getBlobId()).asRuntimeException());
    if (in.getOffset() > b.length) return Source.failed(Status.OUT_OF_RANGE.withDescription("offset past the end").asRuntimeException());
    long end = in.getLength() == 0 ? b.length : Math.min(b.length, in.getOffset() + in.getLength());
    List<ReadResponse> chunks = new ArrayList<>();
    for (long from = in.getOffset(); from < end; from += READ_CHUNK) {
      chunks.add(ReadResponse.newBuilder()
          .setChunk(ByteString.copyFrom(Arrays.copyOfRange(b, (int) from, (int) Math.min(end, from + READ_CHUNK)))).build());
    }
    return Source.from(chunks);
  }

  @Override
  public CompletionStage<Blob> stat(BlobRef in) {
    byte[] b = bytes(in.getDatasource(), in.getBlobId());
    if (b == null) return Failures.failed(Status.NOT_FOUND.withDescription("no blob " + in.getBlobId()));
    return Failures.async(Blob.newBuilder().setDatasource(in.getDatasource()).setBlobId(in.getBlobId()).setSize(b.length)
        .setMd5Hex(hex("MD5", b)).setSha256Hex(hex("SHA-256", b)).build());
  }

  @Override
  public CompletionStage<DeleteResult> delete(BlobRef in) {
    if (down != null) return Failures.failed(down);
    boolean existed = blobs.remove(id(in.getDatasource(), in.getBlobId())) != null;
    return Failures.async(DeleteResult.newBuilder().setExisted(existed).build());
  }

  @Override
  public CompletionStage<Blob> copy(CopyRequest in) {
    byte[] b = bytes(in.getDatasource(), in.getSourceBlobId());
    if (b == null) return Failures.failed(Status.NOT_FOUND.withDescription("no blob " + in.getSourceBlobId()));
    return Failures.async(store(in.getDatasource(), b.clone(), ""));
  }

  @Override
  public CompletionStage<Blob> compose(ComposeRequest in) {
    if (in.getPartBlobIdsCount() < 1 || in.getPartBlobIdsCount() > 10_000) {
      return Failures.failed(Status.INVALID_ARGUMENT.withDescription("compose takes 1 to 10000 parts"));
    }
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    ByteArrayOutputStream md5s = new ByteArrayOutputStream();
    for (String part : in.getPartBlobIdsList()) {
      byte[] b = bytes(in.getDatasource(), part);
      if (b == null) return Failures.failed(Status.NOT_FOUND.withDescription("no blob " + part));
      all.writeBytes(b);
      md5s.writeBytes(digest("MD5", b));
    }
    String etag = HexFormat.of().formatHex(digest("MD5", md5s.toByteArray())) + "-" + in.getPartBlobIdsCount();
    return Failures.async(store(in.getDatasource(), all.toByteArray(), etag));
  }

  @Override
  public CompletionStage<DatasourceUsage> usage(DatasourceRef in) {
    long bytes = blobs.entrySet().stream().filter(e -> e.getKey().startsWith(in.getDatasource() + "/"))
        .mapToLong(e -> e.getValue().length).sum();
    return CompletableFuture.completedFuture(DatasourceUsage.newBuilder().setDatasource(in.getDatasource())
        .setBlobs(count(in.getDatasource())).setBytes(bytes).build());
  }

  private static RuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  private static String md5Hex(String declared) {
    return declared.length() == 32 ? declared.toLowerCase() : HexFormat.of().formatHex(Base64.getDecoder().decode(declared));
  }

  public static String hex(String algorithm, byte[] bytes) {
    return HexFormat.of().formatHex(digest(algorithm, bytes));
  }

  private static byte[] digest(String algorithm, byte[] bytes) {
    try {
      return MessageDigest.getInstance(algorithm).digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
