package arca.deploy.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same real-client suite as {@link S3ClientsIT}, on a node whose default datasource is an S3 bucket (s3proxy on
 * loopback, set through the administrator's config file {@code ARCA_CONFIG_FILE}) instead of a folder: every byte
 * the clients send lands in the bucket, and multipart uploads move into place with server-side copies.
 */
class S3ClientsOnS3IT extends S3ClientsIT {
  static final String BUCKET = "arca-blobs";
  S3ProxyProcess s3proxy;

  @Override
  void startServer() throws Exception {
    s3proxy = new S3ProxyProcess(work.resolve("s3proxy"), BUCKET);
    Path conf = Files.writeString(work.resolve("arca.conf"), String.join("\n",
        "arca.datasources.default = {",
        "  type = s3",
        "  endpoint = \"" + s3proxy.endpoint() + "\"",
        "  bucket = " + BUCKET,
        "  prefix = \"node1/\"",
        "  access-key = " + S3ProxyProcess.IDENTITY,
        "  secret-key = " + S3ProxyProcess.CREDENTIAL,
        "  path-style = true",
        "  serve = true",
        "}", ""));
    node = new NodeProcess(work.resolve("node"), Map.of("ARCA_ADMIN_PASSWORD", PASSWORD,
        "ARCA_CONFIG_FILE", conf.toString())).start();
    baseUrl = node.url();
    port = node.httpPort;
  }

  /** An object put through /io is an object in the bucket (s3proxy keeps each as a file), not a file on the node. */
  @Test
  void theBytesLandInTheBucket() throws Exception {
    byte[] bytes = new byte[300_001];
    new Random(7).nextBytes(bytes);
    assertEquals(200, api.putBytes("/io/common/on-s3/check.bin", alice, bytes).statusCode());
    Path data = s3proxy.dir.resolve("data").resolve(BUCKET);
    try (Stream<Path> files = Files.walk(data)) {
      assertTrue(files.filter(Files::isRegularFile).anyMatch(f -> sameBytes(f, bytes)), "no object in " + data + " holds the bytes");
    }
    assertFalse(Files.exists(work.resolve("node").resolve("datasources").resolve("default").resolve("blobs")),
        "the node wrote a local blob folder");
    assertArrayEquals(bytes, api.getBytes("/io/common/on-s3/check.bin", alice).body());
  }

  private static boolean sameBytes(Path file, byte[] bytes) {
    try {
      return Files.size(file) == bytes.length && Arrays.equals(Files.readAllBytes(file), bytes);
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  void stopServer() throws Exception {
    try {
      super.stopServer();
    } finally {
      if (s3proxy != null) s3proxy.close();
    }
  }
}
