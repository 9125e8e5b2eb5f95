package arca.deploy.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static arca.deploy.it.IdentityEndToEnd.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real node processes forming one Akka cluster on MariaDB through Akka Cluster Bootstrap (config discovery of
 * each other's management endpoints; no seed nodes): node 1 runs only the gateway (REST/proxy), nodes 2 and 3 run
 * the services, found through cluster membership. Any node serves the whole API; the user service keeps
 * its tables in a database of its own; a service node stopping gracefully does not stop the API.
 */
class ClusterIT {
  static final String SERVER = MariaDbNodeIT.SERVER;
  static final String PASSWORD = "cluster-admin-password";

  @TempDir
  Path dir;
  final List<NodeProcess> nodes = new ArrayList<>();
  final String central = "arca_c_" + Long.toHexString(System.nanoTime());
  final String users = central + "_users";

  @AfterEach
  void tearDown() throws Exception {
    for (NodeProcess n : nodes) {
      System.out.println("==== " + n.dataDir + "\n" + n.logTail());
      n.close();
    }
    try (Connection c = DriverManager.getConnection(SERVER + "/", "root", ""); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + central);
      s.execute("DROP DATABASE IF EXISTS " + users);
    }
  }

  @Test
  void gatewayNodeAndTwoServiceNodesServeOneApi() throws Exception {
    Path masterKey = sharedMasterKey(dir);
    for (int i = 0; i < 3; i++) {
      Map<String, String> env = new HashMap<>();
      env.put("ARCA_MASTER_KEY_FILE", masterKey.toString());
      env.put("ARCA_DB_URL", SERVER + "/" + central);
      env.put("ARCA_DB_USER", "root");
      env.put("ARCA_USER_DB_URL", SERVER + "/" + users);
      env.put("ARCA_USER_DB_USER", "root");
      env.put("ARCA_BOOTSTRAP", "config");
      env.put("ARCA_BOOTSTRAP_REQUIRED", "3");
      env.put("ARCA_PUBLIC_URL", "http://arca.cluster.test");
      env.put("ARCA_ADMIN_PASSWORD", PASSWORD);
      env.put("ARCA_SERVICES", i == 0 ? "none" : "all");
      // the default datasource's folder is node 2's: node 3 runs the objects service but reaches those bytes on node 2
      if (i == 2) env.put("ARCA_DATASOURCE_DEFAULT_SERVE", "false");
      nodes.add(new NodeProcess(dir.resolve("node" + (i + 1)), env));
    }
    String contactPoints = String.join(",", nodes.stream().map(n -> "127.0.0.1:" + n.managementPort).toList());
    for (NodeProcess n : nodes) {
      n.env.put("ARCA_BOOTSTRAP_CONTACT_POINTS", contactPoints);
      n.launch();
    }
    for (NodeProcess n : nodes) n.awaitReady(Duration.ofSeconds(150));
    List<Api> apis = nodes.stream().map(n -> new Api(n.url())).toList();

    // written through the gateway-only node, read at once through every node
    String admin = apis.get(0).token("admin", PASSWORD);
    assertStatus(201, apis.get(0).send("POST", "/a/users", admin, Map.of("login", "frank", "password", "frank-pass-1")));
    for (Api api : apis) assertEquals("frank", api.get("/a/users/frank", admin).text("login"));
    assertStatus(201, apis.get(2).send("POST", "/a/roles", admin, Map.of("id", "ops")));
    assertEquals("ops", apis.get(1).get("/a/roles/ops", admin).text("id"));
    String frank = apis.get(1).token("frank", "frank-pass-1");
    assertStatus(200, apis.get(2).get("/a/users/frank", frank));
    try {
      poll(() -> apis.get(0).get("/a/users?filter=frank", admin).json().get("total").asLong(), t -> t == 1);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; user tables " + tables(users) + ", offsets "
          + rows(users, "SELECT projection_id, offset_value FROM user_projection_offset")
          + ", tags " + rows(users, "SELECT COUNT(*) FROM user_event_tag") + ", rows " + rows(users, "SELECT login FROM user_users"), e);
    }

    // file bytes: written through the gateway-only node, read through the node that does not hold the folder
    byte[] bytes = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(bytes);
    var put = apis.get(0).putBytes("/io/common/cluster/blob.bin", admin, bytes);
    assertEquals(200, put.statusCode(), put::body);
    for (Api api : apis) {
      var got = api.getBytes("/io/common/cluster/blob.bin", admin);
      assertEquals(200, got.statusCode());
      assertTrue(Arrays.equals(bytes, got.body()), "the same bytes through every node");
    }
    assertEquals(bytes.length, apis.get(2).get("/a/nodes/common/cluster/blob.bin", admin).json().get("size").asLong());

    // entities spread over the service nodes (shard allocation as Akka Management reports it)
    for (int i = 0; i < 12; i++) {
      assertStatus(201, apis.get(0).send("POST", "/a/users", admin, Map.of("login", "spread" + i, "password", "spread-pass")));
    }
    for (NodeProcess n : nodes.subList(1, 3)) {
      Api management = new Api("http://127.0.0.1:" + n.managementPort);
      var shards = management.get("/cluster/shards/User", null).json().get("regions");
      assertTrue(shards != null && shards.size() > 0, () -> "no User shards on " + n.dataDir + ": " + shards);
    }
    var members = new Api("http://127.0.0.1:" + nodes.get(0).managementPort).get("/cluster/members", null).json().get("members");
    assertEquals(3, members.size(), members.toString());

    // each service in its own tables; the user service in its own database
    Set<String> central = tables(this.central);
    Set<String> own = tables(users);
    assertTrue(own.containsAll(Set.of("user_event_journal", "user_event_tag", "user_snapshot", "user_users")), own.toString());
    assertTrue(own.stream().allMatch(t -> t.startsWith("user_")), own.toString());
    assertTrue(central.containsAll(Set.of("role_event_journal", "role_roles", "token_event_journal")), central.toString());
    assertFalse(central.stream().anyMatch(t -> t.startsWith("user_")), central.toString());

    // a service node leaves gracefully: the API goes on through the other one
    nodes.get(1).stop();
    for (int i = 0; i < 20; i++) {
      assertStatus(200, apis.get(0).get("/a/users/frank", admin));
      assertStatus(200, apis.get(2).get("/a/roles/ops", admin));
    }
    assertStatus(201, apis.get(0).send("POST", "/a/users", admin, Map.of("login", "grace", "password", "grace-pass-1")));
    assertStatus(200, apis.get(0).login("grace", "grace-pass-1"));
    assertEquals("grace", apis.get(2).get("/a/users/grace", admin).text("login"));
  }

  /** One master key for the whole cluster (README "Data at rest"): every node is given the same file. */
  static Path sharedMasterKey(Path dir) throws IOException {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Path file = dir.resolve("master.key");
    Files.createFile(file, PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
    return file;
  }

  private static List<String> rows(String database, String sql) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(SERVER + "/" + database, "root", "");
         Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        StringBuilder row = new StringBuilder();
        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) row.append(i > 1 ? "=" : "").append(rs.getString(i));
        out.add(row.toString());
      }
    }
    return out;
  }

  private static Set<String> tables(String database) throws Exception {
    Set<String> out = new HashSet<>();
    try (Connection c = DriverManager.getConnection(SERVER + "/" + database, "root", "");
         Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW TABLES")) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }
}
