package arca.deploy.it;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A 2 GiB file up and down through {@code /io} (plain HTTP with a bearer token), then 1 GiB through {@code /dav}
 * (HTTP Basic), on a real node whose heap is capped at 256 MB: the bytes must stream in constant memory both ways. Compared by SHA-256 on disk, never held in memory;
 * the node must still be healthy afterwards and its log free of OutOfMemoryError.
 */
class BigFileIT {
  static final String PASSWORD = "big-file-admin-password";
  static final String HEAP = "256m";
  static final long SIZE = 2L * 1024 * 1024 * 1024;
  static final long MIB = 1024 * 1024;
  /** Peak use: the source file and the blob during the upload, the blob and the download after it (source deleted). */
  static final long DISK_NEEDED = 5L * 1024 * MIB;

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void twoGibUpAndDownWithA256MbHeap() throws Exception {
    Path work = Files.createTempDirectory("arca-big-file-it");
    long usable = Files.getFileStore(work).getUsableSpace();
    if (usable < DISK_NEEDED) {
      deleteTree(work);
      fail("BigFileIT needs about " + DISK_NEEDED / MIB + " MiB free in " + work.getParent() + " (a 2 GiB file, its blob and"
          + " its download), only " + usable / MIB + " MiB are usable");
    }
    NodeProcess node = new NodeProcess(work.resolve("node"), Map.of("ARCA_ADMIN_PASSWORD", PASSWORD));
    node.jvmHeap = HEAP;
    try {
      node.start();
      Api api = new Api(node.url());
      String admin = api.token("admin", PASSWORD);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5)).build();
      URI uri = URI.create(node.url() + "/io/common/big/2g.bin");

      Path source = work.resolve("2g.bin");
      long g0 = System.nanoTime();
      String sha = writeRandom(source, SIZE, 2026);
      long g1 = System.nanoTime();
      System.out.printf("BigFileIT: generated %d bytes in %.2f s, SHA-256 %s%n", SIZE, (g1 - g0) / 1e9, sha);

      long t0 = System.nanoTime();
      HttpResponse<String> put = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(150))
          .header("Authorization", "Bearer " + admin).header("Content-Type", "application/octet-stream")
          .PUT(HttpRequest.BodyPublishers.ofFile(source)).build(), HttpResponse.BodyHandlers.ofString());
      long t1 = System.nanoTime();
      assertEquals(200, put.statusCode(), put.body() + "\n" + node.logTail());
      String etag = put.headers().firstValue("ETag").orElse("");
      assertTrue(etag.matches("\"[0-9a-f]{32}\""), "ETag of the upload: " + etag);
      Files.delete(source);

      HttpResponse<Void> head = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + admin).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.discarding());
      assertEquals(200, head.statusCode());
      assertEquals(Long.toString(SIZE), head.headers().firstValue("Content-Length").orElse(""));
      assertEquals(etag, head.headers().firstValue("ETag").orElse(""));

      Path back = work.resolve("2g.back");
      long t2 = System.nanoTime();
      HttpResponse<Path> get = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofFile(back));
      long t3 = System.nanoTime();
      assertEquals(200, get.statusCode());
      assertEquals(SIZE, Files.size(back));
      assertEquals(sha, sha256(back), "SHA-256 of the download");
      Files.delete(back);

      assertStatus(200, api.get("/healthz", null));
      String log = Files.readString(node.dataDir.resolve("node.log"));
      assertFalse(log.contains("OutOfMemoryError"), "the node's log shows an OutOfMemoryError:\n" + node.logTail());
      assertEquals(204, http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + admin).DELETE().build(), HttpResponse.BodyHandlers.discarding()).statusCode());

      double mb = SIZE / 1e6;
      System.out.printf("BigFileIT figures (node -Xmx%s): PUT 2 GiB %.1f MB/s (%.2f s), GET %.1f MB/s (%.2f s)%n",
          HEAP, mb / ((t1 - t0) / 1e9), (t1 - t0) / 1e9, mb / ((t3 - t2) / 1e9), (t3 - t2) / 1e9);

      // the same through WebDAV (HTTP Basic), 1 GiB each way with the same heap
      long davSize = SIZE / 2;
      URI dav = URI.create(node.url() + "/dav/common/big/1g.bin");
      String basic = "Basic " + Base64.getEncoder().encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8));
      String davSha = writeRandom(source, davSize, 2027);
      long d0 = System.nanoTime();
      HttpResponse<String> davPut = http.send(HttpRequest.newBuilder(dav).timeout(Duration.ofSeconds(120))
          .header("Authorization", basic).PUT(HttpRequest.BodyPublishers.ofFile(source)).build(), HttpResponse.BodyHandlers.ofString());
      long d1 = System.nanoTime();
      assertEquals(201, davPut.statusCode(), davPut.body() + "\n" + node.logTail());
      Files.delete(source);
      HttpResponse<Path> davGet = http.send(HttpRequest.newBuilder(dav).timeout(Duration.ofSeconds(30))
          .header("Authorization", basic).build(), HttpResponse.BodyHandlers.ofFile(back));
      long d2 = System.nanoTime();
      assertEquals(200, davGet.statusCode());
      assertEquals(davSha, sha256(back), "SHA-256 of the WebDAV download");
      Files.delete(back);
      assertFalse(Files.readString(node.dataDir.resolve("node.log")).contains("OutOfMemoryError"), node.logTail());
      System.out.printf("BigFileIT figures (node -Xmx%s): WebDAV PUT 1 GiB %.1f MB/s, GET %.1f MB/s%n",
          HEAP, davSize / 1e6 / ((d1 - d0) / 1e9), davSize / 1e6 / ((d2 - d1) / 1e9));
    } finally {
      node.close();
      deleteTree(work);
    }
  }

  /** {@code size} pseudo-random bytes written in 1 MiB blocks, hashed as they are written; the hex SHA-256. */
  static String writeRandom(Path file, long size, long seed) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    SplittableRandom random = new SplittableRandom(seed);
    byte[] block = new byte[(int) MIB];
    ByteBuffer longs = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; left -= block.length) {
        longs.clear();
        while (longs.hasRemaining()) longs.putLong(random.nextLong());
        int n = (int) Math.min(block.length, left);
        sha.update(block, 0, n);
        out.write(block, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static String sha256(Path file) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[(int) MIB];
    try (var in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
