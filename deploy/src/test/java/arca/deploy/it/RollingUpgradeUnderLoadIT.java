package arca.deploy.it;

import akka.util.Version;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The proof of issue 5: a 3-node cluster ({@code local-cluster} on MariaDB behind nginx) running a build of an
 * earlier commit ({@value #FROM_COMMIT} by default, {@code -Darca.upgrade.from=<commit>}: before workspaces recorded
 * who changed them last, so its workspace events, snapshots, commands, gRPC messages and read-model table differ
 * from today's) is upgraded node by node to this build by {@code deploy/bin/rolling-upgrade} while clients keep reading, writing, logging in,
 * uploading and downloading through the nginx address. Every request must succeed, and afterwards every
 * acknowledged write and every uploaded file must be there, byte for byte, under the new build.
 */
class RollingUpgradeUnderLoadIT {
  static final String FROM_COMMIT = "0f29b5c";
  static final String PASSWORD = "upgrade-admin-password";
  static final int WRITERS = 2;

  final HttpClient http = HttpClient.newHttpClient();
  final AtomicLong requests = new AtomicLong();
  final AtomicLong failed = new AtomicLong();
  final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  final AtomicBoolean running = new AtomicBoolean(true);
  /** Acknowledged writes: uploaded files (path -> SHA-256), display names (login -> last acknowledged), folders. */
  final Map<String, String> files = new ConcurrentHashMap<>();
  final Map<String, String> names = new ConcurrentHashMap<>();
  final List<String> folders = new CopyOnWriteArrayList<>();

  @Test
  void upgradesALiveClusterWithoutAFailedRequestOrALostWrite() throws Exception {
    String from = System.getProperty("arca.upgrade.from", FROM_COMMIT);
    Path dists = Path.of(System.getProperty("arca.repo"), "deploy", "target", "dists");
    Path fromDist = dists.resolve("from-" + from);
    Path toDist = dists.resolve("to-" + ProcessHandle.current().pid());
    int base = 13000 + (int) (ProcessHandle.current().pid() % 50) * 10;
    try (LocalCluster cluster = new LocalCluster("upgrade", base, PASSWORD)) {
      // the older build is made once per checkout (deploy/target/dists); the current one per run
      if (!Files.isRegularFile(fromDist.resolve("BUILD"))) {
        deleteTree(fromDist);
        cluster.script("make-dist", Map.of(), fromDist.toString(), from);
      }
      deleteTree(toDist);
      String toVersion = version(cluster.script("make-dist", Map.of(), toDist.toString()));
      cluster.script("local-cluster", Map.of("ARCA_DIST", fromDist.toString()), "up", "3");
      String fromVersion = members(base, 1).get("selfAppVersion").asText();
      assertTrue(Version.apply(toVersion).compareTo(Version.apply(fromVersion)) > 0,
          fromVersion + " -> " + toVersion);

      Api api = new Api(cluster.url());
      String admin = api.token("admin", PASSWORD);
      Seed seed = seed(api, admin);

      List<Thread> load = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) load.add(worker("profiles-" + w, api, seed, this::updateProfile));
      load.add(worker("uploads", api, seed, this::upload));
      load.add(worker("downloads", api, seed, this::download));
      load.add(worker("folders", api, seed, this::mkdir));
      load.add(worker("logins", api, seed, this::login));
      load.add(worker("reads", api, seed, this::read));
      load.forEach(Thread::start);
      Thread.sleep(5_000); // load on the old build first

      long t0 = System.nanoTime();
      // node 3 by hand first: with mixed versions every new shard goes to the newest member (Akka's least-shard
      // allocation), none to the nodes about to stop
      cluster.run("stop", "3");
      cluster.run("start", "3", "--dist", toDist.toString());
      assertVersions(base, 1, fromVersion, fromVersion, toVersion);
      Map<Integer, Integer> before = userShards(base);
      for (int k = 0; k < 12; k++) {
        assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", "new" + k, "password", "new-password-" + k)));
      }
      Map<Integer, Integer> after = userShards(base);
      assertEquals(before.get(1), after.get(1), "no new User shard on node 1 (older version): " + before + " -> " + after);
      assertEquals(before.get(2), after.get(2), "no new User shard on node 2 (older version): " + before + " -> " + after);
      assertTrue(after.get(3) > before.get(3), "new User shards on node 3 (newest version): " + before + " -> " + after);
      // then the script: it skips node 3 and upgrades 2, then 1 (the oldest member last)
      String summary = cluster.script("rolling-upgrade", Map.of("ARCA_UPGRADE_READY_TIMEOUT", "180"),
          fromDist.toString(), toDist.toString());
      long upgradeMs = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(summary.contains("node 3 already runs TO_DIST: skipped"), summary);
      assertTrue(summary.contains("upgrading node(s) 2 1 "), summary);
      for (int i : new int[] {2, 1}) {
        Pattern row = Pattern.compile("^\\s+" + i + "\\s+" + Pattern.quote(fromVersion) + "\\s+" + Pattern.quote(toVersion)
            + "\\s+\\d+\\.\\ds\\s+\\d+\\.\\ds$", Pattern.MULTILINE);
        assertTrue(row.matcher(summary).find(), "summary row of node " + i + ":\n" + summary);
      }
      for (int i = 1; i <= 3; i++) assertVersions(base, i, toVersion, toVersion, toVersion);
      Thread.sleep(5_000); // and on the new one
      running.set(false);
      for (Thread t : load) t.join(60_000);

      long lost = verify(api, seed);
      System.out.printf("rolling upgrade %s -> this build under load: requests=%d failed=%d lost_writes=%d (upgrade %.1f s, %d files, %d folders, %d profiles)%n",
          from, requests.get(), failed.get(), lost, upgradeMs / 1000.0, files.size(), folders.size(), names.size());
      System.out.println("requests=" + requests.get() + " failed=" + failed.get() + " lost_writes=" + lost);
      failures.stream().limit(20).forEach(f -> System.out.println("failure: " + f));
      assertTrue(requests.get() > 200, "too little load to prove anything: " + requests.get());
      assertEquals(0, failed.get(), "failed requests: " + failures.stream().limit(20).toList());
      assertEquals(0, lost, "lost writes");
    } finally {
      deleteTree(toDist);
    }
  }

  // ---------------------------------------------------------------- data of every service, before the upgrade

  record Seed(String adminToken, String userToken, List<String> logins, String workspace, String accessKeyId) {}

  private Seed seed(Api api, String admin) throws Exception {
    assertStatus(201, api.send("POST", "/a/roles", admin, Map.of("id", "auditors", "label", "Auditors")));
    List<String> logins = new ArrayList<>();
    for (int i = 0; i < WRITERS + 1; i++) {
      String login = "load" + i;
      assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", login, "password", "load-password-" + i,
          "roles", List.of("auditors"))));
      logins.add(login);
    }
    assertStatus(201, api.send("POST", "/a/workspaces", admin, Map.of("slug", "projects", "label", "Projects",
        "root", Map.of("datasource", "default", "path", "projects"))));
    assertStatus(201, api.send("POST", "/a/acls", admin, Map.of("workspace", "projects", "path", "", "role", "auditors", "action", "read")));
    assertStatus(201, api.send("POST", "/a/nodes/projects/plans", admin, null));
    assertStatus(200, api.send("PATCH", "/a/workspaces/projects", admin, Map.of("label", "Projects (old build)")));
    String user = api.token(logins.get(0), "load-password-0");
    Api.Reply key = api.send("POST", "/a/access-keys", user, Map.of("label", "before the upgrade"));
    assertStatus(201, key);
    byte[] first = bytes(10_000, 1);
    assertEquals(200, api.putBytes("/io/common/load/seed.bin", user, first).statusCode());
    files.put("common/load/seed.bin", sha256(first));
    return new Seed(admin, user, logins, "projects", key.text("accessKeyId"));
  }

  // ---------------------------------------------------------------- the load

  interface Step {
    void run(Api api, Seed seed, String worker, long n) throws Exception;
  }

  private Thread worker(String name, Api api, Seed seed, Step step) {
    Thread t = new Thread(() -> {
      long n = 0;
      while (running.get()) {
        n++;
        requests.incrementAndGet();
        try {
          step.run(api, seed, name, n);
        } catch (Throwable e) {
          failed.incrementAndGet();
          failures.add(System.currentTimeMillis() + " " + name + " #" + n + ": " + e);
          try {
            Thread.sleep(100); // a failing cluster is not hammered
          } catch (InterruptedException stop) {
            return;
          }
        }
      }
    }, "load-" + name);
    t.setDaemon(true);
    return t;
  }

  private static void expect(int status, Api.Reply r, String what) {
    if (r.status() != status) throw new AssertionError(what + " -> " + r.status() + " " + r.raw().body());
  }

  /** A user's own profile: each writer owns one login, so the last acknowledged name is the one that must stay. */
  private void updateProfile(Api api, Seed seed, String worker, long n) throws Exception {
    int w = Integer.parseInt(worker.substring(worker.indexOf('-') + 1));
    String login = seed.logins().get(w + 1);
    String name = worker + " " + n;
    expect(200, api.send("PATCH", "/a/users/" + login, seed.adminToken(), Map.of("displayName", name)), "PATCH " + login);
    names.put(login, name);
  }

  private void upload(Api api, Seed seed, String worker, long n) throws Exception {
    byte[] body = bytes(1024 + (int) (n % 7) * 4096, n);
    String path = "common/load/f" + n + ".bin";
    HttpResponse<String> r = api.putBytes("/io/" + path, seed.userToken(), body);
    if (r.statusCode() != 200) throw new AssertionError("PUT " + path + " -> " + r.statusCode() + " " + r.body());
    files.put(path, sha256(body));
  }

  private void download(Api api, Seed seed, String worker, long n) throws Exception {
    List<String> known = new ArrayList<>(files.keySet());
    String path = known.get(ThreadLocalRandom.current().nextInt(known.size()));
    HttpResponse<byte[]> r = api.getBytes("/io/" + path, seed.userToken());
    if (r.statusCode() != 200) throw new AssertionError("GET " + path + " -> " + r.statusCode());
    if (!sha256(r.body()).equals(files.get(path))) throw new AssertionError("GET " + path + ": other bytes");
  }

  private void mkdir(Api api, Seed seed, String worker, long n) throws Exception {
    String path = "common/dirs/d" + n;
    expect(201, api.send("POST", "/a/nodes/" + path, seed.userToken(), null), "POST " + path);
    folders.add(path);
  }

  private void login(Api api, Seed seed, String worker, long n) throws Exception {
    String token = api.token(seed.logins().get(0), "load-password-0");
    expect(200, api.get("/a/users/" + seed.logins().get(0), token), "GET own profile with a new token");
  }

  private void read(Api api, Seed seed, String worker, long n) throws Exception {
    switch ((int) (n % 3)) {
      case 0 -> expect(200, api.get("/a/nodes/common/load?children&limit=50", seed.userToken()), "list");
      case 1 -> expect(200, api.get("/a/workspaces", seed.userToken()), "workspaces");
      default -> expect(200, api.get("/a/nodes/projects/plans", seed.userToken()), "stat in an ACL'd workspace");
    }
  }

  // ---------------------------------------------------------------- after: everything acknowledged is there

  private long verify(Api api, Seed seed) throws Exception {
    long lost = 0;
    String admin = api.token("admin", PASSWORD);
    String user = api.token(seed.logins().get(0), "load-password-0");
    for (Map.Entry<String, String> f : files.entrySet()) {
      HttpResponse<byte[]> r = api.getBytes("/io/" + f.getKey(), user);
      if (r.statusCode() != 200 || !sha256(r.body()).equals(f.getValue())) {
        lost++;
        System.out.println("lost: file " + f.getKey() + " -> " + r.statusCode());
      }
    }
    for (Map.Entry<String, String> n : names.entrySet()) {
      Api.Reply r = api.get("/a/users/" + n.getKey(), admin);
      if (r.status() != 200 || !n.getValue().equals(r.text("displayName"))) {
        lost++;
        System.out.println("lost: display name of " + n.getKey() + ": " + n.getValue() + " -> " + r.raw().body());
      }
    }
    for (String folder : folders) {
      Api.Reply r = api.get("/a/nodes/" + folder, user);
      if (r.status() != 200 || !"folder".equals(r.text("type"))) {
        lost++;
        System.out.println("lost: folder " + folder + " -> " + r.status());
      }
    }
    // the data of every service made before the upgrade
    lost += missing(api.get("/a/roles/auditors", admin), "role auditors");
    lost += missing(api.get("/a/workspaces/projects", admin), "workspace projects");
    lost += missing(api.get("/a/nodes/projects/plans", user), "ACL-granted read of projects/plans");
    // the field added since FROM: empty for the change the old build made, set for one the new build makes, in the
    // entity and in the read model (a column the new build added while the old one still wrote rows)
    Api.Reply old = api.get("/a/workspaces/projects", admin);
    if (!"".equals(old.text("updatedBy")) || !"Projects (old build)".equals(old.text("label"))) {
      throw new AssertionError("workspace changed by the old build: " + old.raw().body());
    }
    assertStatus(201, api.send("POST", "/a/workspaces", admin, Map.of("slug", "after", "root",
        Map.of("datasource", "default", "path", "after"))));
    assertStatus(200, api.send("PATCH", "/a/workspaces/after", admin, Map.of("label", "After")));
    if (!"admin".equals(api.get("/a/workspaces/after", admin).text("updatedBy"))) throw new AssertionError("updatedBy not kept");
    IdentityEndToEnd.poll(() -> {
      Map<String, String> by = new HashMap<>();
      api.get("/a/workspaces?limit=100", admin).json().get("items").forEach(w -> by.put(w.get("slug").asText(), w.get("updatedBy").asText()));
      return by;
    }, by -> "admin".equals(by.get("after")) && "".equals(by.get("projects")));
    // a feature FROM lacks, whose built-in policy group the old members refused: created by the last node's start
    // (among members that all run this build), so every user has WebDAV once the rollout is done
    String basic = "Basic " + Base64.getEncoder().encodeToString((seed.logins().get(0) + ":load-password-0")
        .getBytes(StandardCharsets.UTF_8));
    IdentityEndToEnd.poll(() -> http.send(HttpRequest.newBuilder(URI.create(api.base() + "/dav/personal/"))
        .method("PROPFIND", HttpRequest.BodyPublishers.noBody()).header("Depth", "1").header("Authorization", basic).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode(), s -> s == 207);
    JsonNode keys = api.get("/a/access-keys", user).json();
    boolean keyThere = false;
    for (JsonNode k : keys.get("items")) keyThere |= seed.accessKeyId().equals(k.get("accessKeyId").asText());
    if (!keyThere) {
      lost++;
      System.out.println("lost: access key " + seed.accessKeyId() + " -> " + keys);
    }
    return lost;
  }

  private static int missing(Api.Reply r, String what) {
    if (r.status() == 200) return 0;
    System.out.println("lost: " + what + " -> " + r.status() + " " + r.raw().body());
    return 1;
  }

  // ---------------------------------------------------------------- helpers

  static String version(String makeDistOutput) {
    Matcher m = Pattern.compile("version (\\S+)").matcher(makeDistOutput);
    assertTrue(m.find(), makeDistOutput);
    return m.group(1);
  }

  /**
   * Node i's view (GET /arca/members on its management port) becomes, within 30 s (gossip): three members, all Up,
   * with these versions.
   */
  void assertVersions(int base, int i, String v1, String v2, String v3) throws Exception {
    Map<String, String> expected = Map.of(addr(base, 1), v1 + " Up", addr(base, 2), v2 + " Up", addr(base, 3), v3 + " Up");
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      JsonNode view = members(base, i);
      Map<String, String> seen = new HashMap<>();
      for (JsonNode m : view.get("members")) seen.put(m.get("node").asText(), m.get("appVersion").asText() + " " + m.get("status").asText());
      if (expected.equals(seen) && view.get("selfAppVersion").asText().equals(expected.get(addr(base, i)).split(" ")[0])) return;
      if (System.nanoTime() > deadline) fail("node " + i + " sees " + view + ", expected " + expected);
      Thread.sleep(500);
    }
  }

  static String addr(int base, int i) {
    return "akka://arca@127.0.0.1:" + (base + 17440 + i);
  }

  JsonNode members(int base, int i) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 478 + i) + "/arca/members")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode(), r.body());
    return Api.JSON.readTree(r.body());
  }

  /** Number of User shards each node hosts (management /cluster/shards/User answers for the node's own region). */
  Map<Integer, Integer> userShards(int base) throws Exception {
    Map<Integer, Integer> counts = new HashMap<>();
    for (int i = 1; i <= 3; i++) {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + (base + 478 + i) + "/cluster/shards/User")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      counts.put(i, Api.JSON.readTree(r.body()).get("regions").size());
    }
    return counts;
  }

  static byte[] bytes(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String sha256(byte[] b) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
  }

  static void deleteTree(Path p) throws Exception {
    if (!Files.exists(p)) return;
    try (var files = Files.walk(p)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
