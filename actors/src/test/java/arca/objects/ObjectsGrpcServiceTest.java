package arca.objects;

import akka.NotUsed;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import arca.proto.objects.Blob;
import arca.proto.objects.BlobRef;
import arca.proto.objects.ComposeRequest;
import arca.proto.objects.CopyRequest;
import arca.proto.objects.DatasourceRef;
import arca.proto.objects.DatasourceUsage;
import arca.proto.objects.ReadRequest;
import arca.proto.objects.WriteHeader;
import arca.proto.objects.WriteRequest;
import arca.testkit.TestDatabase;
import arca.testkit.TestNode;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static arca.testkit.Calls.assertStatus;
import static arca.testkit.Calls.await;
import static arca.testkit.Calls.eventually;
import static arca.testkit.Calls.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The objects service on a real node, through the generated client only, on the node's default datasource
 * ({@code <data-dir>/datasources/default}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObjectsGrpcServiceTest {
  private static final Logger log = LoggerFactory.getLogger(ObjectsGrpcServiceTest.class);
  private static final int MIB = 1024 * 1024;
  private static final String DS = "default";
  /** How much the live heap may grow while 200 MiB go through: a fraction of the payload, so nothing holds it. */
  private static final long HEAP_GROWTH_LIMIT = 64L * MIB;

  private TestNode node;
  private Path datasource;

  @BeforeAll
  void startNode(@TempDir Path dataDir) {
    node = TestNode.start(dataDir, TestDatabase.h2());
    datasource = dataDir.resolve("datasources").resolve(DS);
  }

  @AfterAll
  void stopNode() {
    if (node != null) node.close();
  }

  @Test
  void streams200MiBUpAndDownInConstantMemory() throws Exception {
    int mib = 200;
    HeapWatch heap = new HeapWatch();
    MessageDigest sent = MessageDigest.getInstance("SHA-256");
    Source<WriteRequest, NotUsed> chunks = Source.fromIterator(() -> generated(mib, 42, sent))
        .map(chunk -> {
          if (heap.everyBytes(chunk.size(), 32L * MIB)) heap.sample();
          return WriteRequest.newBuilder().setChunk(chunk).build();
        });

    long start = System.nanoTime();
    Blob blob = await(node.objects.write(header(WriteHeader.newBuilder().setDatasource(DS)
        .setExpectedSize((long) mib * MIB)).concat(chunks)));
    double writeSeconds = (System.nanoTime() - start) / 1e9;

    assertEquals((long) mib * MIB, blob.getSize());
    assertEquals(HexFormat.of().formatHex(sent.digest()), blob.getSha256Hex());

    MessageDigest received = MessageDigest.getInstance("SHA-256");
    AtomicLong receivedBytes = new AtomicLong();
    start = System.nanoTime();
    await(node.objects.read(ReadRequest.newBuilder().setDatasource(DS).setBlobId(blob.getBlobId()).build())
        .runWith(Sink.foreach(r -> {
          r.getChunk().asReadOnlyByteBufferList().forEach(received::update);
          receivedBytes.addAndGet(r.getChunk().size());
          if (heap.everyBytes(r.getChunk().size(), 32L * MIB)) heap.sample();
        }), node.system));
    double readSeconds = (System.nanoTime() - start) / 1e9;

    assertEquals(blob.getSize(), receivedBytes.get());
    assertEquals(blob.getSha256Hex(), HexFormat.of().formatHex(received.digest()));
    log.info("200 MiB: write {} MB/s, read {} MB/s, live heap growth at most {} MiB over {} samples",
        Math.round(mib * MIB / 1e6 / writeSeconds), Math.round(mib * MIB / 1e6 / readSeconds),
        heap.maxGrowth() / MIB, heap.samples);
    assertTrue(heap.samples >= 10, "the heap was sampled during both transfers");
    assertTrue(heap.maxGrowth() < HEAP_GROWTH_LIMIT, "live heap grew by " + heap.maxGrowth() / MIB + " MiB");

    await(node.objects.delete(ref(blob.getBlobId())));
  }

  @Test
  void aCancelledUploadLeavesNothing() {
    long blobsBefore = usage().getBlobs();
    Path tmp = datasource.resolve("tmp");
    AtomicBoolean sawUpload = new AtomicBoolean();
    // 4 MiB, then (once the server is writing them to tmp/) the client's stream fails
    Source<WriteRequest, NotUsed> chunks = Source.fromIterator(() -> generated(4, 7, null))
        .map(chunk -> WriteRequest.newBuilder().setChunk(chunk).build())
        .concat(Source.lazyCompletionStageSource(() -> CompletableFuture.supplyAsync(() -> {
          eventually(Duration.ofSeconds(10), () -> list(tmp), files -> !files.isEmpty(), "an upload in tmp/");
          sawUpload.set(true);
          return Source.<WriteRequest>failed(new IOException("the client gave up"));
        })).mapMaterializedValue(ignored -> NotUsed.notUsed()));

    CompletionStage<Blob> upload = node.objects.write(header(WriteHeader.newBuilder().setDatasource(DS)).concat(chunks));

    assertThrows(ExecutionException.class, () -> upload.toCompletableFuture().get(15, TimeUnit.SECONDS));
    assertTrue(sawUpload.get(), "the server was writing the upload when the client failed");
    eventually(Duration.ofSeconds(10), () -> list(tmp), List::isEmpty, "tmp/ empty");
    assertEquals(blobsBefore, usage().getBlobs());
  }

  @Test
  void checksWhatTheWriterDeclares() {
    ByteString bytes = ByteString.copyFromUtf8("hello, objects");
    Status status = failure(node.objects.write(header(WriteHeader.newBuilder().setDatasource(DS)
        .setExpectedMd5("00000000000000000000000000000000")).concat(Source.single(chunk(bytes))))).getStatus();

    assertEquals(Status.Code.INVALID_ARGUMENT, status.getCode());
    assertTrue(status.getDescription().startsWith("md5 mismatch"), status.getDescription());
    assertStatus(Status.Code.INVALID_ARGUMENT, node.objects.write(Source.single(chunk(bytes))));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.objects.write(Source.empty()));
  }

  @Test
  void statCopyComposeAndDelete() {
    Blob a = write("part a, ");
    Blob b = write("part b");

    assertEquals(a, await(node.objects.stat(ref(a.getBlobId()))));
    Blob copy = await(node.objects.copy(CopyRequest.newBuilder().setDatasource(DS).setSourceBlobId(a.getBlobId()).build()));
    assertEquals(a.getSha256Hex(), copy.getSha256Hex());
    Blob composed = await(node.objects.compose(ComposeRequest.newBuilder().setDatasource(DS)
        .addPartBlobIds(copy.getBlobId()).addPartBlobIds(b.getBlobId()).build()));
    assertEquals("part a, part b", read(composed.getBlobId(), 0, 0));
    assertEquals(LocalFolderBlobStore.multipartEtag(List.of(info(a), info(b))), composed.getMultipartEtag());
    assertEquals("part b", read(composed.getBlobId(), 8, 100));

    assertTrue(await(node.objects.delete(ref(a.getBlobId()))).getExisted());
    assertEquals(false, await(node.objects.delete(ref(a.getBlobId()))).getExisted());
    assertStatus(Status.Code.NOT_FOUND, node.objects.stat(ref(a.getBlobId())));
  }

  @Test
  void refusals() {
    Blob blob = write("0123456789");
    String unknown = BlobId.random().value();

    assertStatus(Status.Code.NOT_FOUND, readAll(ReadRequest.newBuilder().setDatasource(DS).setBlobId(unknown)));
    assertStatus(Status.Code.OUT_OF_RANGE, readAll(ReadRequest.newBuilder().setDatasource(DS)
        .setBlobId(blob.getBlobId()).setOffset(11)));
    assertStatus(Status.Code.INVALID_ARGUMENT, readAll(ReadRequest.newBuilder().setDatasource(DS).setBlobId("../x")));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.objects.stat(ref("a/b")));
    assertStatus(Status.Code.NOT_FOUND, node.objects.stat(ref(unknown)));

    assertStatus(Status.Code.NOT_FOUND, readAll(ReadRequest.newBuilder().setDatasource("nope").setBlobId(unknown)));
    assertStatus(Status.Code.NOT_FOUND, node.objects.stat(BlobRef.newBuilder().setDatasource("../etc").setBlobId(unknown).build()));
    assertStatus(Status.Code.NOT_FOUND, node.objects.usage(DatasourceRef.newBuilder().setDatasource("nope").build()));
    assertStatus(Status.Code.NOT_FOUND, node.objects.write(header(WriteHeader.newBuilder().setDatasource("nope"))
        .concat(Source.single(chunk(ByteString.copyFromUtf8("x"))))));
  }

  // ---------------------------------------------------------------- helpers

  /** {@code mib} chunks of 1 MiB from a seeded random, made as they are pulled (the stream never holds them all). */
  private static Iterator<ByteString> generated(int mib, long seed, MessageDigest digest) {
    Random random = new Random(seed);
    return Stream.generate(() -> {
      byte[] bytes = new byte[MIB];
      random.nextBytes(bytes);
      if (digest != null) digest.update(bytes);
      return ByteString.copyFrom(bytes);
    }).limit(mib).iterator();
  }

  private static Source<WriteRequest, NotUsed> header(WriteHeader.Builder header) {
    return Source.single(WriteRequest.newBuilder().setHeader(header).build());
  }

  private static WriteRequest chunk(ByteString bytes) {
    return WriteRequest.newBuilder().setChunk(bytes).build();
  }

  private Blob write(String text) {
    return await(node.objects.write(header(WriteHeader.newBuilder().setDatasource(DS))
        .concat(Source.single(chunk(ByteString.copyFromUtf8(text))))));
  }

  private String read(String blobId, long offset, long length) {
    return await(node.objects.read(ReadRequest.newBuilder().setDatasource(DS).setBlobId(blobId)
            .setOffset(offset).setLength(length).build())
        .runFold(ByteString.EMPTY, (all, r) -> all.concat(r.getChunk()), node.system)).toStringUtf8();
  }

  private CompletionStage<?> readAll(ReadRequest.Builder request) {
    return node.objects.read(request.build()).runWith(Sink.ignore(), node.system);
  }

  private static BlobRef ref(String blobId) {
    return BlobRef.newBuilder().setDatasource(DS).setBlobId(blobId).build();
  }

  private static BlobInfo info(Blob blob) {
    return new BlobInfo(new BlobId(blob.getBlobId()), blob.getSize(), blob.getMd5Hex(), blob.getSha256Hex());
  }

  private DatasourceUsage usage() {
    return await(node.objects.usage(DatasourceRef.newBuilder().setDatasource(DS).build()));
  }

  private static List<Path> list(Path folder) {
    try (Stream<Path> files = Files.list(folder)) {
      return files.toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** The live heap (after a full GC) sampled during a transfer, against a baseline taken before it. */
  private static final class HeapWatch {
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final long baseline = live();
    private final AtomicLong bytes = new AtomicLong();
    private long max;
    private int samples;

    /** True each time another {@code interval} bytes went by. */
    boolean everyBytes(long n, long interval) {
      long after = bytes.addAndGet(n);
      return after / interval != (after - n) / interval;
    }

    synchronized void sample() {
      max = Math.max(max, live());
      samples++;
    }

    synchronized long maxGrowth() {
      return Math.max(0, max - baseline);
    }

    private long live() {
      System.gc();
      return memory.getHeapMemoryUsage().getUsed();
    }
  }
}
