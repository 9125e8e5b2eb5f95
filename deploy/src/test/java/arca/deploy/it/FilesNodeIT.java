package arca.deploy.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Files end to end on a real node (embedded default storage), through HTTP only: the built-in workspaces, the
 * folder tree under /a/nodes (create, stat, list with paging, rename, move across folders and workspaces, recycle
 * bin, restore, purge), path validation, who may see which workspace, and a deny policy on top of the ACLs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilesNodeIT {
  static final String PASSWORD = "files-admin-password";
  Path dataDir;
  NodeProcess node;
  /** The address the tests use (this class: one node; a subclass: a cluster's nginx). */
  String baseUrl;
  Api api;
  String admin;
  String alice;

  @BeforeAll
  void start() throws Exception {
    startServer();
    api = new Api(baseUrl);
    admin = api.token("admin", PASSWORD);
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", "alice", "password", "alice-password")));
    alice = api.token("alice", "alice-password");
  }

  /** Starts what the tests talk to and sets {@link #baseUrl}. */
  void startServer() throws Exception {
    dataDir = Files.createTempDirectory("arca-files-it");
    node = new NodeProcess(dataDir, Map.of("ARCA_ADMIN_PASSWORD", PASSWORD)).start();
    baseUrl = node.url();
  }

  @AfterAll
  void stop() throws Exception {
    stopServer();
  }

  void stopServer() throws Exception {
    if (node != null) {
      System.out.println(node.logTail());
      node.close();
    }
  }

  private static List<String> names(JsonNode children) {
    List<String> out = new ArrayList<>();
    children.forEach(c -> out.add(c.get("name").asText()));
    return out;
  }

  @Test
  void builtInWorkspacesAndWhoSeesThem() throws Exception {
    Api.Reply all = api.get("/a/workspaces", admin);
    assertStatus(200, all);
    List<String> slugs = new ArrayList<>();
    all.json().get("items").forEach(w -> slugs.add(w.get("slug").asText()));
    assertTrue(slugs.containsAll(List.of("common", "personal")), slugs.toString());
    // a new account's personal folder is named by its id, not its login (a later "alice" gets another one)
    String aliceId = api.get("/a/users/alice", alice).text("id");
    assertEquals("personal/" + aliceId, api.get("/a/workspaces/personal", alice).json().get("root").get("path").asText());
    assertStatus(201, api.send("POST", "/a/workspaces", admin, Map.of("slug", "projects", "label", "Projects",
        "root", Map.of("datasource", "default", "path", "projects"))));
    assertStatus(404, api.get("/a/nodes/projects/", alice));
    assertStatus(403, api.send("POST", "/a/workspaces", alice, Map.of("slug", "mine", "root", Map.of("datasource", "default", "path", "x"))));
    List<String> visible = new ArrayList<>();
    api.get("/a/nodes", alice).json().get("items").forEach(w -> visible.add(w.get("workspace").asText()));
    assertTrue(visible.containsAll(List.of("common", "personal")) && !visible.contains("projects"), visible.toString());
  }

  @Test
  void foldersUnderNodes() throws Exception {
    assertStatus(201, api.send("POST", "/a/nodes/common/reports/2026/q1", alice, null));
    Api.Reply stat = api.get("/a/nodes/common/reports/2026", alice);
    assertStatus(200, stat);
    assertEquals("folder", stat.text("type"));
    assertEquals("reports/2026", stat.text("path"));
    for (int i = 0; i < 25; i++) assertStatus(201, api.send("POST", "/a/nodes/common/many/d" + String.format("%02d", i), alice, null));

    // paging with a cursor, then sorting
    List<String> seen = new ArrayList<>();
    String cursor = "";
    do {
      Api.Reply page = api.get("/a/nodes/common/many?children&limit=10" + (cursor.isEmpty() ? "" : "&cursor=" + cursor), alice);
      assertStatus(200, page);
      assertEquals(25, page.json().get("total").asLong());
      seen.addAll(names(page.json().get("children")));
      cursor = page.json().has("nextCursor") ? URLEncoder.encode(page.text("nextCursor"), StandardCharsets.UTF_8) : "";
    } while (!cursor.isEmpty());
    assertEquals(25, seen.size());
    assertEquals("d00", seen.get(0));
    assertEquals("d24", seen.get(24));
    assertEquals(List.of("d24", "d23"), names(api.get("/a/nodes/common/many?children&limit=2&order=desc&foldersFirst=false", alice).json().get("children")));
    assertStatus(400, api.get("/a/nodes/common/many?children&sort=colour", alice));
    assertStatus(400, api.get("/a/nodes/common/many?children&limit=0", alice));

    // rename, then move into the user's personal workspace (same datasource)
    Api.Reply renamed = api.send("PATCH", "/a/nodes/common/reports/2026", alice, Map.of("to", "reports/year-2026"));
    assertStatus(200, renamed);
    assertEquals("year-2026", renamed.text("name"));
    assertStatus(200, api.get("/a/nodes/common/reports/year-2026/q1", alice));
    assertStatus(200, api.send("PATCH", "/a/nodes/common/reports/year-2026", alice, Map.of("to", "archive/2026", "workspace", "personal")));
    assertStatus(200, api.get("/a/nodes/personal/archive/2026/q1", alice));
    assertStatus(404, api.get("/a/nodes/common/reports/year-2026", alice));
    // the admin's personal workspace is the admin's own
    assertStatus(404, api.get("/a/nodes/personal/archive/2026/q1", admin));

    // a folder copy is a background job; its progress is at /a/copy-jobs/{id}
    Api.Reply job = api.send("POST", "/a/nodes/common/many?action=copy", alice, Map.of("to", "many-copy"));
    assertStatus(202, job);
    String jobId = job.text("jobId");
    IdentityEndToEnd.poll(() -> api.get("/a/copy-jobs/" + jobId, alice).json().get("done").asBoolean(), d -> d);
    assertEquals(25, api.get("/a/nodes/common/many-copy?children", alice).json().get("total").asLong());
    assertStatus(409, api.send("POST", "/a/nodes/common/many?action=copy", alice, Map.of("to", "many-copy")));

    // recycle bin: delete, list, restore, delete again, purge
    Api.Reply trashed = api.send("DELETE", "/a/nodes/common/many/d03", alice, null);
    assertStatus(200, trashed);
    String uuid = trashed.text("uuid");
    assertStatus(404, api.get("/a/nodes/common/many/d03", alice));
    Api.Reply bin = api.get("/a/trash/common", alice);
    assertStatus(200, bin);
    List<String> binPaths = new ArrayList<>();
    bin.json().get("items").forEach(e -> binPaths.add(e.get("path").asText()));
    assertTrue(binPaths.contains("many/d03"), binPaths.toString());
    assertStatus(200, api.send("POST", "/a/trash/common/" + uuid + "?action=restore", alice, null));
    assertStatus(200, api.get("/a/nodes/common/many/d03", alice));
    String again = api.send("DELETE", "/a/nodes/common/many/d03", alice, null).text("uuid");
    assertStatus(204, api.send("DELETE", "/a/trash/common/" + again, alice, null));
    assertStatus(404, api.send("DELETE", "/a/trash/common/" + again, alice, null));
  }

  /** Entries of the big folder listed page by page. */
  int bigFolderEntries() {
    return 20_000;
  }

  /** A folder of {@link #bigFolderEntries} entries (created by 16 concurrent clients), listed page by page with the cursor. */
  @Test
  void aBigFolderPageByPage() throws Exception {
    int n = bigFolderEntries();
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Integer>> created = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String path = "/a/nodes/common/big/e" + String.format("%05d", i);
        created.add(pool.submit(() -> api.send("POST", path, alice, null).status()));
      }
      for (Future<Integer> f : created) assertEquals(201, f.get());
    } finally {
      pool.shutdownNow();
    }
    long t1 = System.nanoTime();
    List<String> seen = new ArrayList<>(n);
    long slowestPageMs = 0;
    String cursor = "";
    int pages = 0;
    do {
      long p0 = System.nanoTime();
      Api.Reply page = api.get("/a/nodes/common/big?children&limit=1000" + (cursor.isEmpty() ? "" : "&cursor=" + cursor), alice);
      slowestPageMs = Math.max(slowestPageMs, (System.nanoTime() - p0) / 1_000_000);
      assertStatus(200, page);
      assertEquals(n, page.json().get("total").asLong());
      seen.addAll(names(page.json().get("children")));
      pages++;
      cursor = page.json().has("nextCursor") ? URLEncoder.encode(page.text("nextCursor"), StandardCharsets.UTF_8) : "";
    } while (!cursor.isEmpty());
    long t2 = System.nanoTime();
    assertEquals(n / 1000, pages);
    assertEquals(n, seen.size());
    for (int i = 0; i < n; i++) assertEquals("e" + String.format("%05d", i), seen.get(i));
    // an offset page deep in the folder, and the last page sorted the other way
    String deep = "e" + String.format("%05d", n * 3 / 4);
    assertEquals(deep, names(api.get("/a/nodes/common/big?children&offset=" + n * 3 / 4 + "&limit=2", alice).json().get("children")).get(0));
    assertEquals("e" + String.format("%05d", n - 1), names(api.get("/a/nodes/common/big?children&limit=2&order=desc", alice).json().get("children")).get(0));
    System.out.printf("%,d entries: created in %.1f s (16 clients), listed in %d pages of 1,000 in %.2f s (slowest page %d ms)%n",
        n, (t1 - t0) / 1e9, pages, (t2 - t1) / 1e9, slowestPageMs);
  }

  @Test
  void aclsDecideWhoReadsAndWritesASharedWorkspace() throws Exception {
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", "bob", "password", "bob-password")));
    String bob = api.token("bob", "bob-password");
    assertStatus(201, api.send("POST", "/a/workspaces", admin, Map.of("slug", "team", "label", "Team",
        "root", Map.of("datasource", "default", "path", "team"))));
    assertStatus(201, api.send("POST", "/a/nodes/team/plans/secret", admin, null));
    assertStatus(404, api.get("/a/nodes/team/plans", alice));

    // alice reads the workspace; bob reads and writes it, except the secret folder, which is denied to him
    assertStatus(201, api.send("POST", "/a/acls", admin, Map.of("workspace", "team", "path", "", "role", "user:alice", "action", "read")));
    assertStatus(201, api.send("POST", "/a/acls", admin, Map.of("workspace", "team", "path", "", "role", "user:bob", "action", "read")));
    assertStatus(201, api.send("POST", "/a/acls", admin, Map.of("workspace", "team", "path", "", "role", "user:bob", "action", "write")));
    assertStatus(201, api.send("POST", "/a/acls", admin, Map.of("workspace", "team", "path", "plans/secret", "role", "user:bob", "action", "deny")));
    // rights are cached for a few seconds per node: poll until the grants are seen (through a cluster, by every node)
    IdentityEndToEnd.poll(() -> api.get("/a/nodes/team/plans", alice).status(), s -> s == 200);
    IdentityEndToEnd.poll(() -> api.send("POST", "/a/nodes/team/plans/by-alice", alice, null).status(), s -> s == 403);
    IdentityEndToEnd.poll(() -> api.send("POST", "/a/nodes/team/plans/by-bob", bob, null).status(), s -> s == 201);
    assertStatus(404, api.get("/a/nodes/team/plans/secret", bob));
    IdentityEndToEnd.poll(() -> api.get("/a/nodes/team/plans/secret", alice).status(), s -> s == 200);
    // a folder holding the denied one cannot be copied (into bob's own space), moved or deleted by bob: the whole
    // subtree goes, and part of it is not his
    Api.Reply copy = api.send("POST", "/a/nodes/team/plans?action=copy", bob, Map.of("to", "stolen", "workspace", "personal"));
    assertStatus(403, copy);
    assertTrue(copy.text("message").contains("is not yours to read"), copy.raw().body());
    assertStatus(403, api.send("PATCH", "/a/nodes/team/plans", bob, Map.of("to", "moved-plans")));
    assertStatus(403, api.send("DELETE", "/a/nodes/team/plans", bob, null));
    assertStatus(404, api.get("/a/nodes/personal/stolen", bob));
    // the same over WebDAV
    String bobBasic = DavClientsIT.basic("bob", "bob-password");
    HttpResponse<String> davCopy = HttpClient.newHttpClient().send(HttpRequest
        .newBuilder(URI.create(baseUrl + "/dav/team/plans")).method("COPY", HttpRequest.BodyPublishers.noBody())
        .header("Authorization", bobBasic).header("Destination", "/dav/personal/stolen").build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(403, davCopy.statusCode(), davCopy.body());
    assertStatus(202, api.send("POST", "/a/nodes/team/plans?action=copy", alice, Map.of("to", "copied", "workspace", "personal")));
    // the workspace list comes from the acl service's read model: there within moments
    IdentityEndToEnd.poll(() -> {
      List<String> visible = new ArrayList<>();
      api.get("/a/nodes", bob).json().get("items").forEach(w -> visible.add(w.get("workspace").asText()));
      return visible;
    }, v -> v.equals(List.of("common", "personal", "team")));
  }

  @Test
  void aDenyPolicyStopsOneUserWhileOthersGoOn() throws Exception {
    // the built-in groups: admin-all cannot be changed or removed (admins cannot lock themselves out)
    Api.Reply groups = api.get("/a/policies", admin);
    assertStatus(200, groups);
    List<String> ids = new ArrayList<>();
    groups.json().get("items").forEach(g -> ids.add(g.get("id").asText()));
    assertTrue(ids.containsAll(List.of("admin-all", "users-default", "users-dav", "users-locks")), ids.toString());
    assertStatus(409, api.send("DELETE", "/a/policies/admin-all", admin, null));
    assertStatus(409, api.send("PUT", "/a/policies/admin-all", admin, Map.of("policies", List.of())));
    assertStatus(403, api.get("/a/policies", alice));

    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", "dora", "password", "dora-password")));
    String dora = api.token("dora", "dora-password");
    for (String f : List.of("a", "b", "c")) assertStatus(201, api.send("POST", "/a/nodes/common/policy-test/" + f, alice, null));
    assertEquals(200, api.putBytes("/io/common/policy-test/file.txt", alice, "bytes".getBytes()).statusCode());

    assertStatus(201, api.send("POST", "/a/policies", admin, Map.of("id", "no-dora-deletes", "label", "Dora keeps things",
        "policies", List.of(Map.of("subjects", List.of("user:dora"),
            "resources", List.of("rest:/a/nodes/common/<.*>", "io:common/<.*>"), "actions", List.of("DELETE"), "effect", "deny")))));
    // gateways apply policy changes within their cache's time to live: a probe on a missing node says when (every
    // node of a cluster has its own cache: the probe must say so several times in a row)
    everywhere(() -> api.send("DELETE", "/a/nodes/common/policy-test/none", dora, null).status(), s -> s == 403);
    Api.Reply denied = api.send("DELETE", "/a/nodes/common/policy-test/a", dora, null);
    assertStatus(403, denied);
    assertTrue(denied.text("message").contains("denied by policy"), denied.raw().body());
    assertStatus(200, api.get("/a/nodes/common/policy-test/a", dora));
    assertStatus(201, api.send("POST", "/a/nodes/common/policy-test/by-dora", dora, null));
    Api.Reply s3Denied = api.send("DELETE", "/io/common/policy-test/file.txt", dora, null);
    assertEquals(403, s3Denied.status(), s3Denied.raw().body());
    assertTrue(s3Denied.raw().body().contains("<Code>AccessDenied</Code>"), s3Denied.raw().body());
    assertStatus(200, api.get("/a/nodes/common/policy-test/file.txt", alice));
    assertStatus(200, api.send("DELETE", "/a/nodes/common/policy-test/b", alice, null));

    assertStatus(204, api.send("DELETE", "/a/policies/no-dora-deletes", admin, null));
    everywhere(() -> api.send("DELETE", "/a/nodes/common/policy-test/none", dora, null).status(), s -> s == 404);
    assertStatus(200, api.send("DELETE", "/a/nodes/common/policy-test/a", dora, null));
    assertStatus(204, api.send("DELETE", "/io/common/policy-test/file.txt", dora, null));
  }

  /** Polls until {@code done} holds 6 times in a row: through nginx, twice on each node of a 3-node cluster. */
  static <T> void everywhere(IdentityEndToEnd.Call<T> call, Predicate<T> done) throws Exception {
    IdentityEndToEnd.poll(() -> {
      for (int i = 0; i < 6; i++) {
        if (!done.test(call.get())) return false;
      }
      return true;
    }, ok -> ok);
  }

  @Test
  void badPathsAreRefusedWithAReason() throws Exception {
    // (dot segments in the URL itself are resolved by the HTTP layer before routing, within /a/nodes/{ws})
    for (String bad : List.of("/a/nodes/common/a/%00b", "/a/nodes/common/a/%09tab", "/a/nodes/common/" + "n".repeat(300))) {
      Api.Reply r = api.send("POST", bad, alice, null);
      assertStatus(400, r);
      assertTrue(r.text("message") != null && !r.text("message").isEmpty(), r.raw().body());
    }
    assertStatus(400, api.send("POST", "/a/nodes/common/", alice, null));
    assertStatus(400, api.send("PATCH", "/a/nodes/common/many", alice, Map.of("to", "")));
    assertStatus(201, api.send("POST", "/a/nodes/common/escape-test", alice, null));
    for (String to : List.of("../outside", "a/../../b", "/abs//x", "a/./b", "bad\u0001name")) {
      assertStatus(400, api.send("PATCH", "/a/nodes/common/escape-test", alice, Map.of("to", to)));
    }
    assertStatus(200, api.get("/a/nodes/common/escape-test", alice));
    assertStatus(404, api.get("/a/nodes/nowhere/x", alice));
    assertStatus(401, api.get("/a/nodes/common/", null));
  }
}
