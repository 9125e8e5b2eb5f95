package arca.objects;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The S3 store against a real S3 server on loopback: s3proxy (filesystem backend) run as its own process from the
 * jar that actors/pom.xml copies to target/s3proxy at generate-test-resources. Each test uses its own key prefix.
 */
class S3BlobStoreTest extends BlobStoreCalls {
  private static final int MIB = 1024 * 1024;
  private static final String BUCKET = "arca-test";
  private static ActorTestKit testKit;
  private static Materializer materializer;
  private static Process s3proxy;
  private static Path work;
  private static S3BlobStore.Settings server;
  private static S3AsyncClient admin;
  private static int prefixes;

  private String prefix;
  private S3BlobStore store;

  @BeforeAll
  static void start() throws Exception {
    testKit = ActorTestKit.create();
    materializer = Materializer.matFromSystem(testKit.system());
    Path jar = Path.of("target/s3proxy/s3proxy.jar").toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "no " + jar + " (mvn generate-test-resources copies it)");
    work = Files.createTempDirectory("s3proxy");
    Files.createDirectories(work.resolve("data"));
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path conf = Files.writeString(work.resolve("s3proxy.conf"), String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=arca",
        "s3proxy.credential=arca-secret",
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + work.resolve("data"), ""));
    s3proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar.toString(), "--properties", conf.toString())
        .redirectErrorStream(true).redirectOutput(work.resolve("s3proxy.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
        break;
      } catch (IOException e) {
        if (!s3proxy.isAlive() || System.nanoTime() > deadline) {
          fail("s3proxy did not start: " + Files.readString(work.resolve("s3proxy.log")));
        }
        Thread.sleep(100);
      }
    }
    server = new S3BlobStore.Settings("http://127.0.0.1:" + port, "us-east-1", BUCKET, "", "arca", "arca-secret", true);
    admin = S3BlobStore.client(server);
    admin.createBucket(b -> b.bucket(BUCKET)).get(30, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    if (admin != null) admin.close();
    if (s3proxy != null) {
      s3proxy.destroy();
      s3proxy.waitFor(10, TimeUnit.SECONDS);
    }
    if (work != null) {
      try (Stream<Path> files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void openStore() {
    prefix = "arca/t" + (++prefixes) + "/";
    store = S3BlobStore.open(new S3BlobStore.Settings(server.endpoint(), server.region(), BUCKET, prefix,
        server.accessKey(), server.secretKey(), true), materializer);
  }

  // ---------------------------------------------------------------- put, get, stat

  @Test
  void storesAndReadsBackBlobsOfAnySize() {
    for (int size : new int[] {0, 1, 5 * MIB + 1, 20 * MIB + 3}) {
      byte[] bytes = random(size, size);
      BlobInfo info = put(bytes, Expected.NOTHING);

      assertEquals(size, info.size());
      assertEquals(hex("MD5", bytes), info.md5Hex(), "md5 of " + size + " bytes");
      assertEquals(hex("SHA-256", bytes), info.sha256Hex(), "sha256 of " + size + " bytes");
      assertArrayEquals(bytes, read(info.id(), 0, 0), "content of " + size + " bytes");
      assertEquals(info, await(store.stat(info.id())));
    }
    assertEquals(List.of(), keys("tmp/"), "multipart uploads leave no tmp object");
    assertEquals(4, keys("blobs/").size());
  }

  @Test
  void readsRanges() {
    int size = 5 * MIB + 1;
    byte[] bytes = random(size, 7);
    BlobId id = put(bytes, Expected.NOTHING).id();

    assertArrayEquals(slice(bytes, 0, 10), read(id, 0, 10), "start");
    assertArrayEquals(slice(bytes, 1000, 300_000), read(id, 1000, 300_000), "middle");
    assertArrayEquals(slice(bytes, size - 5, 5), read(id, size - 5, 0), "end, length 0");
    assertArrayEquals(slice(bytes, size - 5, 5), read(id, size - 5, 100), "a range past the end stops at the end");
    assertArrayEquals(new byte[0], read(id, size, 0), "at the end: nothing");
    assertEquals(BlobException.Reason.OUT_OF_RANGE, readFailure(id, size + 1, 0).reason());
    assertEquals(BlobException.Reason.INVALID, readFailure(id, -1, 0).reason());
    assertEquals(BlobException.Reason.INVALID, readFailure(id, 0, -1).reason());
    assertEquals(BlobException.Reason.NOT_FOUND, readFailure(BlobId.random(), 0, 0).reason());
  }

  @Test
  void checksDeclaredSizeAndDigests() {
    byte[] bytes = random(300_000, 3);
    String md5 = hex("MD5", bytes);
    String md5Base64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(md5));
    String sha256 = hex("SHA-256", bytes);

    assertEquals(md5, put(bytes, Expected.parse(300_000L, md5Base64, sha256.toUpperCase())).md5Hex());

    BlobException md5Mismatch = putFailure(bytes, Expected.parse(null, hex("MD5", new byte[] {1}), ""));
    assertEquals(BlobException.Reason.INVALID, md5Mismatch.reason());
    assertTrue(md5Mismatch.getMessage().startsWith("md5 mismatch"), md5Mismatch.getMessage());
    assertTrue(putFailure(bytes, Expected.parse(null, "", hex("SHA-256", new byte[0]))).getMessage()
        .startsWith("sha256 mismatch"));
    assertTrue(putFailure(bytes, Expected.parse(299_999L, "", "")).getMessage().startsWith("size mismatch"));
    assertTrue(putFailure(bytes, Expected.parse(300_001L, "", "")).getMessage().startsWith("size mismatch"));

    // a multipart upload (3 parts) refused at the end, after its parts went up
    byte[] big = random(17 * MIB, 33);
    assertTrue(putFailure(big, Expected.parse(null, "", hex("SHA-256", new byte[0]))).getMessage()
        .startsWith("sha256 mismatch"));

    assertEquals(1, keys("").size(), "only the accepted blob is stored: " + keys(""));
    assertEquals(List.of(), openUploads(), "the refused multipart upload was aborted");
  }

  @Test
  void anInterruptedUploadLeavesNothing() {
    // more than one part, so a multipart upload is open when the client goes away
    List<ByteString> chunks = new ArrayList<>();
    for (int i = 0; i < 10; i++) chunks.add(chunk(MIB, i));
    Source<ByteString, ?> failing = Source.from(chunks).concat(Source.failed(new IOException("the client went away")));

    assertThrows(ExecutionException.class, () -> store.put(failing, Expected.NOTHING).toCompletableFuture()
        .get(30, TimeUnit.SECONDS));
    assertEquals(List.of(), keys(""));
    assertEquals(List.of(), openUploads(), "the multipart upload was aborted");
  }

  // ---------------------------------------------------------------- delete, copy, compose, usage

  @Test
  void deleteIsIdempotent() {
    BlobId id = put(random(1000, 4), Expected.NOTHING).id();

    assertTrue(await(store.delete(id)));
    assertFalse(await(store.delete(id)));
    assertFalse(await(store.delete(BlobId.random())));
    assertEquals(BlobException.Reason.NOT_FOUND, failure(store.stat(id)).reason());
    assertEquals(BlobException.Reason.NOT_FOUND, readFailure(id, 0, 0).reason());
    assertEquals(List.of(), keys(""));
  }

  @Test
  void copiesIntoANewBlob() {
    byte[] bytes = random(MIB + 17, 5);
    BlobInfo original = put(bytes, Expected.NOTHING);

    BlobInfo copy = await(store.copy(original.id()));

    assertNotEquals(original.id(), copy.id());
    assertEquals(original.withId(copy.id()), copy);
    assertTrue(await(store.delete(original.id())));
    assertArrayEquals(bytes, read(copy.id(), 0, 0), "the copy outlives the original");
    assertEquals(copy, await(store.stat(copy.id())));
    assertEquals(BlobException.Reason.NOT_FOUND, failure(store.copy(original.id())).reason());
  }

  /**
   * Objects over the copy limit are copied as UploadPartCopy parts: with the limit lowered to 6 MiB and 5 MiB
   * parts, a 20 MiB upload moves into place in 5 part copies and a copy of it takes 5 more; the bytes and digests
   * survive both, and no tmp object or open upload is left.
   */
  @Test
  void copiesOverTheCopyLimitPartByPart() {
    S3BlobStore small = new S3BlobStore(S3BlobStore.client(new S3BlobStore.Settings(server.endpoint(), server.region(),
        BUCKET, prefix, server.accessKey(), server.secretKey(), true)), BUCKET, prefix, materializer, 6L * MIB, 5L * MIB);
    try {
      byte[] bytes = random(20 * MIB + 5, 30);
      BlobInfo info = await(small.put(Source.single(ByteString.fromArray(bytes)), Expected.NOTHING));
      assertEquals(hex("SHA-256", bytes), info.sha256Hex());
      assertEquals(info, await(small.stat(info.id())), "digests kept in the metadata of the part-copied object");
      assertArrayEquals(bytes, read(info.id(), 0, 0));

      BlobInfo copy = await(small.copy(info.id()));
      assertEquals(info.withId(copy.id()), copy);
      assertEquals(copy, await(small.stat(copy.id())));
      assertArrayEquals(bytes, read(copy.id(), 0, 0));
      assertArrayEquals(Arrays.copyOfRange(bytes, 5 * MIB - 3, 5 * MIB + 4), read(copy.id(), 5 * MIB - 3, 7),
          "across a part boundary");
      assertEquals(List.of(), keys("tmp/"));
      assertEquals(List.of(), openUploads());
    } finally {
      small.close();
    }
  }

  @Test
  void composesPartsWithTheMultipartEtag() throws Exception {
    List<byte[]> parts = List.of(random(5 * MIB, 10), random(5 * MIB, 11), random(1024, 12));
    List<BlobId> ids = new ArrayList<>();
    MessageDigest etag = MessageDigest.getInstance("MD5");
    for (byte[] part : parts) {
      ids.add(put(part, Expected.NOTHING).id());
      etag.update(MessageDigest.getInstance("MD5").digest(part));
    }
    byte[] all = concat(parts);

    Composed composed = await(store.compose(ids));

    assertEquals(HexFormat.of().formatHex(etag.digest()) + "-3", composed.multipartEtag());
    assertEquals(all.length, composed.blob().size());
    assertEquals(hex("MD5", all), composed.blob().md5Hex());
    assertEquals(hex("SHA-256", all), composed.blob().sha256Hex());
    assertArrayEquals(all, read(composed.blob().id(), 0, 0));
    assertEquals(composed.blob(), await(store.stat(composed.blob().id())));
    for (int i = 0; i < parts.size(); i++) assertArrayEquals(parts.get(i), read(ids.get(i), 0, 0), "part left alone");

    assertEquals(BlobException.Reason.NOT_FOUND, failure(store.compose(List.of(ids.get(0), BlobId.random()))).reason());
    assertEquals(BlobException.Reason.INVALID, failure(store.compose(List.of())).reason());
    assertEquals(List.of(), keys("tmp/"));
    assertEquals(4, keys("blobs/").size());
  }

  @Test
  void countsUsage() {
    assertEquals(new Usage(0, 0), await(store.usage()));
    put(random(1000, 20), Expected.NOTHING);
    put(random(24, 21), Expected.NOTHING);

    assertEquals(new Usage(2, 1024), await(store.usage()));
  }

  // ---------------------------------------------------------------- helpers

  /**
   * The keys in the bucket under this test's prefix + {@code under}, relative to the prefix; without the folder
   * markers ("blobs/") that s3proxy's filesystem backend lists for its directories.
   */
  private List<String> keys(String under) {
    List<String> keys = new ArrayList<>();
    await(admin.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix + under)).contents()
        .subscribe((S3Object o) -> keys.add(o.key().substring(prefix.length()))));
    return keys.stream().filter(key -> !key.endsWith("/")).toList();
  }

  private List<String> openUploads() {
    return await(admin.listMultipartUploads(b -> b.bucket(BUCKET).prefix(prefix))).uploads().stream()
        .map(u -> u.key() + " " + u.uploadId()).toList();
  }

  @Override BlobStore store() { return store; }
  @Override Materializer materializer() { return materializer; }
}
