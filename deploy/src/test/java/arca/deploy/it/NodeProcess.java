package arca.deploy.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A real Arca node: a separate JVM started from the packaged distribution, with its own data dir and free ports. */
final class NodeProcess implements AutoCloseable {
  final Path dataDir;
  final int httpPort;
  final int grpcPort;
  final int managementPort;
  final Map<String, String> env;
  /** The node JVM's maximum heap (-Xmx), set before launch. */
  String jvmHeap = "512m";
  /** When set (e.g. "022"), the JVM is started by {@code sh -c 'umask <it>; exec java ...'}. */
  String umask;
  /** The node's output; by default node.log in its data dir (created private there, as the node's own files are). */
  Path log;
  private Process process;

  NodeProcess(Path dataDir, Map<String, String> extraEnv) throws IOException {
    this.dataDir = dataDir;
    this.log = dataDir.resolve("node.log");
    this.httpPort = freePort();
    this.grpcPort = freePort();
    this.managementPort = freePort();
    this.env = new HashMap<>(extraEnv);
    env.put("ARCA_DATA_DIR", dataDir.toString());
    env.put("ARCA_HTTP_PORT", Integer.toString(httpPort));
    env.put("ARCA_GRPC_PORT", Integer.toString(grpcPort));
    env.put("ARCA_MANAGEMENT_PORT", Integer.toString(managementPort));
    env.putIfAbsent("ARCA_CLUSTER_PORT", "0");
    env.put("ARCA_HTTP_HOST", "127.0.0.1");
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  NodeProcess start() throws Exception {
    launch();
    awaitReady(Duration.ofSeconds(120));
    return this;
  }

  /** Starts the process without waiting (nodes of one cluster start together). */
  NodeProcess launch() throws Exception {
    String lib = System.getProperty("arca.dist.lib");
    String jar = System.getProperty("arca.dist.jar");
    if (lib == null || jar == null) throw new IllegalStateException("run through Maven (failsafe) so that arca.dist.* are set");
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx" + jvmHeap,
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
        "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
        "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "-Dchronicle.analytics.disable=true",
        "-cp", jar + ":" + lib + "/*", "arca.deploy.Main", "start"));
    if (umask != null) {
      cmd.addAll(0, List.of("sh", "-c", "umask " + umask + "; exec \"$@\"", "sh"));
    }
    // private, as a node requires of its data dir; so is its log there
    if (!Files.exists(log.getParent())) {
      Files.createDirectories(log.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    if (!Files.exists(log)) Files.createFile(log, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().keySet().removeIf(k -> k.startsWith("ARCA_"));
    pb.environment().putAll(env);
    process = pb.start();
    return this;
  }

  void kill() throws InterruptedException {
    process.destroyForcibly().waitFor();
  }

  void awaitReady(Duration within) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) throw new IllegalStateException("node exited with " + process.exitValue() + ":\n" + logTail());
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/readyz")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) return;
      } catch (IOException notYet) {
        // not bound yet
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("node not ready within " + within + ":\n" + logTail());
  }

  /** SIGTERM, as systemd or Ctrl-C would; returns the exit code. */
  int stop() throws Exception {
    if (process == null || !process.isAlive()) return process == null ? -1 : process.exitValue();
    process.destroy();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
      throw new IllegalStateException("node did not stop within 60 s after SIGTERM:\n" + logTail());
    }
    return process.exitValue();
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 400), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  @Override
  public void close() throws Exception {
    if (process != null && process.isAlive()) {
      process.destroyForcibly().waitFor();
    }
  }
}
