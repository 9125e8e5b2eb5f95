package arca.deploy.it;

import com.fasterxml.jackson.databind.JsonNode;
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
 * bin, restore, purge), path validation, and who may see which workspace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilesNodeIT {
  static final String PASSWORD = "files-admin-password";
  Path dataDir;
  NodeProcess node;
  Api api;
  String admin;
  String alice;

  @BeforeAll
  void start() throws Exception {
    dataDir = Files.createTempDirectory("arca-files-it");
    node = new NodeProcess(dataDir, Map.of("ARCA_ADMIN_PASSWORD", PASSWORD)).start();
    api = new Api(node.url());
    admin = api.token("admin", PASSWORD);
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", "alice", "password", "alice-password")));
    alice = api.token("alice", "alice-password");
  }

  @AfterAll
  void stop() throws Exception {
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
    assertEquals("personal/alice", api.get("/a/workspaces/personal", alice).json().get("root").get("path").asText());
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
      cursor = page.json().has("nextCursor") ? java.net.URLEncoder.encode(page.text("nextCursor"), java.nio.charset.StandardCharsets.UTF_8) : "";
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
    IdentityEndToEnd.poll(() -> api.get("/a/nodes/team/plans", alice).status(), s -> s == 200);
    assertStatus(403, api.send("POST", "/a/nodes/team/plans/by-alice", alice, null));
    IdentityEndToEnd.poll(() -> api.send("POST", "/a/nodes/team/plans/by-bob", bob, null).status(), s -> s == 201);
    assertStatus(404, api.get("/a/nodes/team/plans/secret", bob));
    assertStatus(200, api.get("/a/nodes/team/plans/secret", alice));
    // the workspace list comes from the acl service's read model: there within moments
    IdentityEndToEnd.poll(() -> {
      List<String> visible = new ArrayList<>();
      api.get("/a/nodes", bob).json().get("items").forEach(w -> visible.add(w.get("workspace").asText()));
      return visible;
    }, v -> v.equals(List.of("common", "personal", "team")));
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
