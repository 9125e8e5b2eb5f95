package arca.deploy.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * s3proxy (a real S3 server, filesystem backend) on a free loopback port, for a node whose datasource is an S3
 * bucket. Its bucket is a folder of its base directory, made before it starts.
 */
final class S3ProxyProcess implements AutoCloseable {
  static final String IDENTITY = "arca-it";
  static final String CREDENTIAL = "arca-it-secret";
  final Path dir;
  final int port;
  private final Process process;

  S3ProxyProcess(Path dir, String bucket) throws Exception {
    this.dir = dir;
    Path jar = Path.of(System.getProperty("arca.s3proxy.jar", "target/s3proxy/s3proxy.jar"));
    if (!Files.isRegularFile(jar)) throw new IllegalStateException("no " + jar + " (mvn generate-test-resources copies it)");
    Files.createDirectories(dir.resolve("data").resolve(bucket));
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path conf = Files.writeString(dir.resolve("s3proxy.conf"), String.join("\n",
        "s3proxy.endpoint=" + endpoint(),
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + IDENTITY,
        "s3proxy.credential=" + CREDENTIAL,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + dir.resolve("data"), ""));
    process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
        "-jar", jar.toString(), "--properties", conf.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("s3proxy.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!answers()) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        close();
        throw new IllegalStateException("s3proxy did not start:\n" + Files.readString(dir.resolve("s3proxy.log")));
      }
      Thread.sleep(100);
    }
  }

  String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  private boolean answers() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() throws Exception {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
  }
}
