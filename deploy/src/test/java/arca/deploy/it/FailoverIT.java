package arca.deploy.it;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A 3-node cluster from {@code deploy/bin/local-cluster} on MariaDB behind nginx. Clients write continuously through
 * the nginx address while one node is killed (SIGKILL), then while another stops gracefully. Every acknowledged
 * write must be readable afterwards; during the failover writes fail fast and succeed again once shards moved; a
 * graceful stop fails no request.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverIT {
  static final String PASSWORD = "failover-admin-password";
  static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(20);

  LocalCluster cluster;
  int base;
  Api api;
  String admin;

  @BeforeAll
  void up() throws Exception {
    base = 10000 + (int) (ProcessHandle.current().pid() % 50) * 10;
    cluster = new LocalCluster("failover", base, PASSWORD);
    cluster.run("up", "3");
    api = new Api(cluster.url());
    admin = api.token("admin", PASSWORD);
  }

  @AfterAll
  void down() throws Exception {
    cluster.close();
  }

  void cluster(String... args) throws Exception {
    cluster.run(args);
  }

  /** Writers creating users through nginx; each acknowledged login is recorded. */
  final class Load implements AutoCloseable {
    final List<String> acked = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong failed = new AtomicLong();
    final List<String> failures = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong slowest = new AtomicLong();
    final AtomicLong lastFailureAt = new AtomicLong();
    final AtomicLong lastSuccessAt = new AtomicLong();
    final AtomicBoolean running = new AtomicBoolean(true);
    final ExecutorService pool = Executors.newFixedThreadPool(4);
    final List<Future<?>> writers = new ArrayList<>();

    Load(String prefix) {
      for (int w = 0; w < 4; w++) {
        int writer = w;
        writers.add(pool.submit(() -> {
          for (int i = 0; running.get(); i++) {
            String login = prefix + "-" + writer + "-" + i;
            long t0 = System.nanoTime();
            int status;
            String detail;
            try {
              Api.Reply r = api.send("POST", "/a/users", admin, Map.of("login", login, "password", "load-password"));
              status = r.status();
              detail = r.raw().body();
            } catch (Exception e) {
              status = -1;
              detail = e.toString();
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            slowest.accumulateAndGet(ms, Math::max);
            if (status == 201) {
              acked.add(login);
              lastSuccessAt.set(System.currentTimeMillis());
            } else {
              failed.incrementAndGet();
              lastFailureAt.set(System.currentTimeMillis());
              if (failures.size() < 60) failures.add(System.currentTimeMillis() + " " + status + " " + ms + "ms " + detail.replaceAll("\\s+", " ").substring(0, Math.min(120, detail.length())));
            }
          }
          return null;
        }));
      }
    }

    @Override
    public void close() throws Exception {
      running.set(false);
      for (Future<?> f : writers) f.get(60, TimeUnit.SECONDS);
      pool.shutdown();
    }
  }

  @Test
  void killedNodeLosesNoAcknowledgedWriteAndGracefulStopFailsNothing() throws Exception {
    // a user created through node 1 is readable at once through nodes 2 and 3 and through the nginx address
    Api node1 = new Api("http://127.0.0.1:" + (base + 1));
    Api.Reply created = node1.send("POST", "/a/users", admin, Map.of("login", "everywhere", "password", "everywhere-pass"));
    assertEquals(201, created.status(), () -> created.raw().body());
    for (Api reader : List.of(new Api("http://127.0.0.1:" + (base + 2)), new Api("http://127.0.0.1:" + (base + 3)), api)) {
      Api.Reply read = reader.get("/a/users/everywhere", admin);
      assertEquals(200, read.status(), () -> read.raw().body());
      assertEquals("everywhere", read.text("login"));
    }
    // and a file written through node 1 is read back through every node and nginx (one shared datasource folder)
    byte[] bytes = "bytes through the cluster".getBytes(StandardCharsets.UTF_8);
    var put = node1.putBytes("/io/common/failover/hello.txt", admin, bytes);
    assertEquals(200, put.statusCode(), put::body);
    for (Api reader : List.of(new Api("http://127.0.0.1:" + (base + 2)), new Api("http://127.0.0.1:" + (base + 3)), api)) {
      var got = reader.getBytes("/io/common/failover/hello.txt", admin);
      assertEquals(200, got.statusCode());
      assertTrue(Arrays.equals(bytes, got.body()));
    }

    // SIGKILL under load
    long killedAt;
    Load load = new Load("k");
    try (load) {
      Thread.sleep(5_000);
      killedAt = System.currentTimeMillis();
      cluster("kill", "2");
      // the failover window: SIGKILL is detected (~5 s), the Split Brain Resolver downs the node once the
      // membership is stable (stable-after 20 s), its shards move and recover from the journal
      Thread.sleep(45_000);
    }
    long recovered = load.lastFailureAt.get() > killedAt ? load.lastFailureAt.get() - killedAt : 0;
    int lost = 0;
    for (String login : load.acked) {
      if (readBack(login) != 200) lost++;
    }
    load.failures.forEach(f -> System.out.println("SIGKILL failure at +" + (Long.parseLong(f.split(" ")[0]) - killedAt) + " ms: " + f));
    System.out.printf("SIGKILL: acknowledged=%d lost=%d failed=%d slowest=%d ms last-failure-after-kill=%d ms%n",
        load.acked.size(), lost, load.failed.get(), load.slowest.get(), recovered);
    assertEquals(0, lost, "acknowledged writes lost");
    assertTrue(load.slowest.get() < CLIENT_TIMEOUT.toMillis(), "a request hung " + load.slowest.get() + " ms");
    // once the shards moved, writes succeed again: every one of a burst
    for (int i = 0; i < 20; i++) {
      Api.Reply r = api.send("POST", "/a/users", admin, Map.of("login", "after-" + i, "password", "load-password"));
      assertEquals(201, r.status(), () -> "write after the failover: " + r.raw().body());
    }

    // back to three nodes, then a graceful stop under the same load
    cluster("start", "2");
    Load graceful = new Load("g");
    try (graceful) {
      Thread.sleep(3_000);
      cluster("stop", "3");
      Thread.sleep(5_000);
    }
    int gracefulLost = 0;
    for (String login : graceful.acked) {
      if (readBack(login) != 200) gracefulLost++;
    }
    graceful.failures.forEach(f -> System.out.println("graceful-stop failure: " + f));
    System.out.printf("graceful stop: requests=%d failed=%d lost=%d slowest=%d ms%n",
        graceful.acked.size() + graceful.failed.get(), graceful.failed.get(), gracefulLost, graceful.slowest.get());
    assertEquals(0, gracefulLost);
    assertEquals(0, graceful.failed.get(), "requests failed during a graceful stop");
  }

  private int readBack(String login) throws Exception {
    int status = 0;
    for (int attempt = 0; attempt < 20; attempt++) {
      status = api.get("/a/users/" + login, admin).status();
      if (status == 200 || status == 404) return status;
      Thread.sleep(500);
    }
    return status;
  }
}
