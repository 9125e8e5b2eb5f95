package arca.deploy.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A cluster from {@code deploy/bin/local-cluster} on MariaDB behind nginx, for tests: its own state dir, port base
 * and database; {@link #close} stops it, keeps the node logs under {@code deploy/target/<name>-logs} and drops the
 * database.
 */
final class LocalCluster implements AutoCloseable {
  final Path stateDir;
  final int base;
  final String database;
  final Map<String, String> env = new HashMap<>();
  private final String name;

  LocalCluster(String name, int base, String adminPassword) throws Exception {
    // every port below Linux's ephemeral range (32768..): a fixed port there may be taken by any outgoing connection
    // (a node once failed to bind its Artery port, BASE+17440+i, that way)
    if (base + 17440 + 9 >= 32768) throw new IllegalArgumentException("port base " + base + " puts Artery ports in the ephemeral range");
    this.name = name;
    this.base = base;
    this.stateDir = Files.createTempDirectory("arca-" + name);
    this.database = "arca_" + name.replaceAll("[^a-z0-9]", "") + "_" + Long.toHexString(System.nanoTime());
    env.put("ARCA_CLUSTER_DIR", stateDir.toString());
    env.put("ARCA_PORT_BASE", Integer.toString(base));
    env.put("ARCA_DB_URL", MariaDbNodeIT.SERVER + "/" + database);
    env.put("ARCA_ADMIN_PASSWORD", adminPassword);
  }

  /** The single address (nginx). */
  String url() {
    return "http://127.0.0.1:" + base;
  }

  /** Node i's own public address. */
  String nodeUrl(int i) {
    return "http://127.0.0.1:" + (base + i);
  }

  void run(String... args) throws Exception {
    script("local-cluster", Map.of(), args);
  }

  /** Runs deploy/bin/{@code name} on this cluster (its environment plus {@code extraEnv}); its output; fails unless it exits 0. */
  String script(String name, Map<String, String> extraEnv, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("arca.repo"), "deploy", "bin", name).toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    pb.environment().putAll(env);
    pb.environment().putAll(extraEnv);
    System.out.println(System.currentTimeMillis() + " $ " + extraEnv + " " + name + " " + String.join(" ", args));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes());
    System.out.println(out);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS) && p.exitValue() == 0, name + " " + String.join(" ", args) + " failed:\n" + out);
    return out;
  }

  @Override
  public void close() throws Exception {
    try {
      Path logs = Path.of(System.getProperty("arca.repo"), "deploy", "target", name + "-logs");
      Files.createDirectories(logs);
      for (int i = 1; i <= 3; i++) {
        for (String name : new String[] {"node.log", "node.log.prev"}) { // .prev: the run before a restart
          Path log = stateDir.resolve("node" + i).resolve(name);
          if (Files.exists(log)) {
            Files.copy(log, logs.resolve("node" + i + name.substring(4)), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      run("down", "--purge");
    } finally {
      try (var c = DriverManager.getConnection(MariaDbNodeIT.SERVER + "/", "root", ""); var st = c.createStatement()) {
        st.execute("DROP DATABASE IF EXISTS " + database);
      }
    }
  }
}
