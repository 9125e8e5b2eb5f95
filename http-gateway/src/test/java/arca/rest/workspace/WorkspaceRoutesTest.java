package arca.rest.workspace;

import arca.proto.workspace.Scope;
import arca.proto.workspace.Workspace;
import arca.grpc.Clients;
import arca.rest.module.RestContext;
import arca.rest.proxy.Proxy;
import arca.rest.testsupport.FakeWorkspaceService;
import arca.rest.testsupport.Resp;
import arca.rest.testsupport.TestGateway;
import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static arca.rest.testsupport.FakeWorkspaceService.root;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import arca.rest.access.WorkspaceVisibility;

/**
 * /a/workspaces: admins manage, everyone lists and reads what they may see (for now the built-ins), personal roots
 * resolved for the caller, and the mapping of service errors.
 */
class WorkspaceRoutesTest {
  static TestGateway gw;
  static String admin;
  static String bob;

  @BeforeAll
  static void start() {
    gw = new TestGateway("workspaces");
    admin = gw.adminToken();
    bob = gw.jwt.token("bob", "user");
    gw.workspaces.put(Workspace.newBuilder().setSlug("team-site").setLabel("Team site").setScope(Scope.SCOPE_ADMIN)
        .setRoot(root("default", "sites/team")).build());
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void serviceBackUp() {
    gw.workspaces.down = null;
  }

  static void assertError(Resp r, int status, String code, String messagePart) {
    assertEquals(status, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"), r::toString);
    assertEquals(code, r.error(), r::toString);
    assertTrue(r.message().contains(messagePart), () -> "message should contain '" + messagePart + "': " + r);
  }

  private static List<String> slugs(Resp r) {
    List<String> out = new ArrayList<>();
    r.json().path("items").forEach(w -> out.add(w.path("slug").asText()));
    return out;
  }

  @Test
  void createReadUpdateDelete() {
    Resp created = gw.postJson("/a/workspaces", admin, """
        {"slug":"projects","label":"Projects","description":"all projects","root":{"datasource":"default","path":"projects"}}""");
    assertEquals(201, created.status(), created::toString);
    assertEquals("/a/workspaces/projects", created.header("Location").orElseThrow().replaceFirst("^http://[^/]+", ""));
    JsonNode w = created.json();
    assertEquals("projects", w.path("slug").asText());
    assertEquals("Projects", w.path("label").asText());
    assertEquals("all projects", w.path("description").asText());
    assertEquals("ADMIN", w.path("scope").asText(), "scope defaults to ADMIN");
    assertEquals("default", w.path("root").path("datasource").asText());
    assertEquals("projects", w.path("root").path("path").asText());
    assertFalse(w.path("builtIn").asBoolean());
    assertTrue(w.path("createdAt").asText().endsWith("Z"));
    assertEquals(1, w.path("version").asLong());

    Resp read = gw.get("/a/workspaces/projects", admin);
    assertEquals(200, read.status(), read::toString);
    assertEquals(w, read.json());

    Resp patched = gw.patchJson("/a/workspaces/projects", admin,
        "{\"label\":\"Old projects\",\"root\":{\"datasource\":\"archive\",\"path\":\"2024/projects\"}}");
    assertEquals(200, patched.status(), patched::toString);
    assertEquals("Old projects", patched.json().path("label").asText());
    assertEquals("all projects", patched.json().path("description").asText(), "fields left out are unchanged");
    assertEquals("archive", patched.json().path("root").path("datasource").asText());
    assertEquals("2024/projects", patched.json().path("root").path("path").asText());
    assertEquals(2, patched.json().path("version").asLong());

    Resp deleted = gw.delete("/a/workspaces/projects", admin);
    assertEquals(204, deleted.status(), deleted::toString);
    assertNull(gw.workspaces.stored("projects"));
    assertError(gw.get("/a/workspaces/projects", admin), 404, "not_found", "projects");
    assertError(gw.delete("/a/workspaces/projects", admin), 404, "not_found", "projects");
    assertError(gw.patchJson("/a/workspaces/projects", admin, "{\"label\":\"x\"}"), 404, "not_found", "projects");
  }

  @Test
  void personalScopeIsAccepted() {
    Resp created = gw.postJson("/a/workspaces", admin,
        "{\"slug\":\"homes\",\"scope\":\"PERSONAL\",\"root\":{\"datasource\":\"users\",\"path\":\"{login}\"}}");
    assertEquals(201, created.status(), created::toString);
    assertEquals("PERSONAL", created.json().path("scope").asText());
    assertEquals(Scope.SCOPE_PERSONAL, gw.workspaces.stored("homes").getScope());
  }

  @Test
  void builtInsCannotBeDeletedOrCreatedAgain() {
    assertError(gw.delete("/a/workspaces/common", admin), 409, "failed_precondition", "built in");
    assertError(gw.delete("/a/workspaces/personal", admin), 409, "failed_precondition", "built in");
    assertNotNull(gw.workspaces.stored("personal"));
    assertError(gw.postJson("/a/workspaces", admin, "{\"slug\":\"common\",\"root\":{\"datasource\":\"default\",\"path\":\"x\"}}"),
        409, "conflict", "common");
    Resp common = gw.get("/a/workspaces/common", admin);
    assertTrue(common.json().path("builtIn").asBoolean(), common::toString);
  }

  @Test
  void adminsSeeTheRootTemplate() {
    Resp personal = gw.get("/a/workspaces/personal", admin);
    assertEquals(200, personal.status(), personal::toString);
    assertEquals("personal/{login}", personal.json().path("root").path("path").asText());
    assertEquals("PERSONAL", personal.json().path("scope").asText());
  }

  @Test
  void usersSeeTheBuiltInsWithTheirOwnPersonalRoot() {
    Resp list = gw.get("/a/workspaces", bob);
    assertEquals(200, list.status(), list::toString);
    assertEquals(List.of("common", "personal"), slugs(list));
    assertEquals(2, list.json().path("total").asLong());
    assertEquals("personal/bob", list.json().path("items").path(1).path("root").path("path").asText());
    assertEquals(Set.of("common", "personal"), Set.copyOf(gw.workspaces.lastList.getOnly().getSlugsList()),
        "the visibility travels to the service, so paging and totals are right");

    Resp personal = gw.get("/a/workspaces/personal", bob);
    assertEquals(200, personal.status(), personal::toString);
    assertEquals("personal/bob", personal.json().path("root").path("path").asText());
    assertEquals("My Files", personal.json().path("label").asText());
    assertEquals("common", gw.get("/a/workspaces/common", bob).json().path("root").path("path").asText());

    assertError(gw.get("/a/workspaces/team-site", bob), 404, "not_found", "team-site");
    assertError(gw.get("/a/workspaces/no-such", bob), 404, "not_found", "no-such");
  }

  @Test
  void adminsListEverything() {
    Resp all = gw.get("/a/workspaces", admin);
    assertEquals(200, all.status(), all::toString);
    assertTrue(slugs(all).containsAll(List.of("common", "personal", "team-site")), all::toString);
    assertFalse(gw.workspaces.lastList.hasOnly(), "no restriction for admins");
  }

  @Test
  void onlyAdminsWrite() {
    assertError(gw.postJson("/a/workspaces", bob, "{\"slug\":\"mine\",\"root\":{\"datasource\":\"default\",\"path\":\"m\"}}"),
        403, "forbidden", "admin");
    assertError(gw.patchJson("/a/workspaces/personal", bob, "{\"label\":\"Bob's\"}"), 403, "forbidden", "admin");
    assertError(gw.delete("/a/workspaces/team-site", bob), 403, "forbidden", "admin");
    assertNull(gw.workspaces.stored("mine"));
    assertEquals("My Files", gw.workspaces.stored("personal").getLabel());
    assertNotNull(gw.workspaces.stored("team-site"));
  }

  @Test
  void anonymousIs401() {
    assertError(gw.get("/a/workspaces", null), 401, "unauthorized", "");
    assertError(gw.get("/a/workspaces/common", "not-a-token"), 401, "unauthorized", "");
  }

  @Test
  void badBodiesAre400() {
    assertError(gw.postJson("/a/workspaces", admin, "{\"root\":{\"datasource\":\"default\",\"path\":\"x\"}}"), 400,
        "bad_request", "'slug'");
    assertError(gw.postJson("/a/workspaces", admin, "{\"slug\":\"w1\"}"), 400, "bad_request", "'root'");
    assertError(gw.postJson("/a/workspaces", admin, "{\"slug\":\"w1\",\"root\":{\"path\":\"x\"}}"), 400, "bad_request",
        "'root.datasource'");
    assertError(gw.postJson("/a/workspaces", admin, "{\"slug\":\"w1\",\"root\":{\"datasource\":\"default\"}}"), 400,
        "bad_request", "'root.path'");
    assertError(gw.postJson("/a/workspaces", admin, "{\"slug\":\"w1\",\"scope\":\"SHARED\",\"root\":{\"datasource\":\"d\",\"path\":\"x\"}}"),
        400, "bad_request", "scope must be ADMIN or PERSONAL");
    assertError(gw.postJson("/a/workspaces", admin, "{\"slug\":\"w1\",\"builtIn\":true,\"root\":{\"datasource\":\"d\",\"path\":\"x\"}}"),
        400, "bad_request", "unknown field 'builtIn'");
    assertError(gw.postJson("/a/workspaces", admin, "{\"slug\":\"w1\",\"root\":{\"datasource\":\"d\",\"path\":\"x\",\"uuid\":\"1\"}}"),
        400, "bad_request", "unknown field 'uuid'");
    assertError(gw.postJson("/a/workspaces", admin, "{\"slug\":\"w1\",\"root\":\"default/x\"}"), 400, "bad_request",
        "field 'root' has the wrong type");
    assertError(gw.postJson("/a/workspaces", admin, "{\"slug\":\"w1\",\"root\":{\"datasource\":\"d\",\"path\":\"../x\"}}"),
        400, "bad_request", "root path");
    assertError(gw.postJson("/a/workspaces", admin, "{\"slug\":\"Not Valid\",\"root\":{\"datasource\":\"d\",\"path\":\"x\"}}"),
        400, "bad_request", "invalid workspace slug");
    assertError(gw.postJson("/a/workspaces", admin, "{\"slug\":"), 400, "bad_request", "malformed JSON");
    assertError(gw.send("POST", "/a/workspaces", admin, "text/plain", "{\"slug\":\"w1\"}"), 415, "unsupported_media_type", "");
    assertError(gw.patchJson("/a/workspaces/team-site", admin, "{\"slug\":\"renamed\"}"), 400, "bad_request",
        "unknown field 'slug'");
    assertError(gw.patchJson("/a/workspaces/team-site", admin, "{\"scope\":\"PERSONAL\"}"), 400, "bad_request",
        "unknown field 'scope'");
    assertError(gw.patchJson("/a/workspaces/team-site", admin, "{\"root\":{\"datasource\":\"d\"}}"), 400, "bad_request",
        "'root.path'");
    assertNull(gw.workspaces.stored("w1"));
    assertEquals(1, gw.workspaces.stored("team-site").getVersion());
  }

  @Test
  void listPagesFiltersAndScopes() {
    for (String slug : List.of("dept-a", "dept-b", "dept-c")) {
      gw.workspaces.put(Workspace.newBuilder().setSlug(slug).setLabel("Department " + slug).setScope(Scope.SCOPE_ADMIN)
          .setRoot(root("default", "departments/" + slug)).build());
    }
    Resp page = gw.get("/a/workspaces?filter=dept-&offset=1&limit=1", admin);
    assertEquals(200, page.status(), page::toString);
    assertEquals(3, page.json().path("total").asLong());
    assertEquals(List.of("dept-b"), slugs(page));

    Resp personal = gw.get("/a/workspaces?scope=PERSONAL", admin);
    assertEquals(200, personal.status(), personal::toString);
    assertTrue(slugs(personal).contains("personal"), personal::toString);
    assertFalse(slugs(personal).contains("common"), personal::toString);
    assertEquals(Scope.SCOPE_PERSONAL, gw.workspaces.lastList.getScope());

    assertEquals(List.of("common"), slugs(gw.get("/a/workspaces?filter=COMMON", bob)), "users filter within what they see");
  }

  @ParameterizedTest
  @ValueSource(strings = {"limit=0", "limit=abc", "offset=-1", "limit=5000", "scope=admin"})
  void badQueriesAre400(String query) {
    assertError(gw.get("/a/workspaces?" + query, admin), 400, "bad_request", query.substring(0, query.indexOf('=')));
  }

  @Test
  void wrongMethodIs405() {
    assertEquals(405, gw.send("PUT", "/a/workspaces/common", admin, "application/json", "{}").status());
  }

  @Test
  void serviceDownIs503() {
    gw.workspaces.down = Status.UNAVAILABLE;
    assertError(gw.get("/a/workspaces", admin), 503, "unavailable", "");
    assertError(gw.get("/a/workspaces/common", bob), 503, "unavailable", "");
    assertError(gw.postJson("/a/workspaces", admin, "{\"slug\":\"x\",\"root\":{\"datasource\":\"d\",\"path\":\"x\"}}"),
        503, "unavailable", "");
    assertError(gw.delete("/a/workspaces/team-site", admin), 503, "unavailable", "");
  }

  @Test
  void visibilityIsSwappable() {
    FakeWorkspaceService service = new FakeWorkspaceService();
    service.put(Workspace.newBuilder().setSlug("shared-with-bob").setLabel("Shared").setScope(Scope.SCOPE_ADMIN)
        .setRoot(root("default", "shared/bob")).build());
    WorkspaceVisibility acl = caller -> CompletableFuture.completedFuture(
        WorkspaceVisibility.Visible.only(caller.login().equals("bob") ? Set.of("shared-with-bob") : Set.of()));
    String base = gw.bind(Proxy.route(new RestContext(gw.system, gw.auth, Clients.NONE),
        List.of(TestGateway.module("workspace", "a", () -> WorkspaceRoutes.routes(gw.auth, service, acl))), () -> true));

    assertEquals(List.of("shared-with-bob"), slugs(gw.sendTo(base, "GET", "/a/workspaces", bob)));
    assertEquals(200, gw.sendTo(base, "GET", "/a/workspaces/shared-with-bob", bob).status());
    assertEquals(404, gw.sendTo(base, "GET", "/a/workspaces/common", bob).status());
    Resp none = gw.sendTo(base, "GET", "/a/workspaces", gw.jwt.token("carol"));
    assertEquals(0, none.json().path("total").asLong(), "an empty visible set shows nothing: " + none);
  }
}
