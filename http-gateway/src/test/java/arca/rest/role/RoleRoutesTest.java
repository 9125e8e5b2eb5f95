package arca.rest.role;

import arca.proto.role.Role;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /a/roles (admin only): CRUD, list, and the mapping of service errors. */
class RoleRoutesTest {
  static TestGateway gw;
  static String admin;

  @BeforeAll
  static void start() {
    gw = new TestGateway("roles");
    admin = gw.adminToken();
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void serviceBackUp() {
    gw.roles.down = null;
  }

  static void assertError(Resp r, int status, String code, String messagePart) {
    assertEquals(status, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"), r::toString);
    assertEquals(code, r.error(), r::toString);
    assertTrue(r.message().contains(messagePart), () -> "message should contain '" + messagePart + "': " + r);
  }

  @Test
  void createReadUpdateDelete() {
    Resp created = gw.postJson("/a/roles", admin, "{\"id\":\"editor\",\"label\":\"Editor\",\"description\":\"edits\"}");
    assertEquals(201, created.status(), created::toString);
    assertEquals("/a/roles/editor", created.header("Location").orElseThrow().replaceFirst("^http://[^/]+", ""));
    JsonNode r = created.json();
    assertEquals("editor", r.path("id").asText());
    assertEquals("Editor", r.path("label").asText());
    assertEquals("edits", r.path("description").asText());
    assertEquals(false, r.path("builtIn").asBoolean());
    assertTrue(r.path("createdAt").asText().endsWith("Z"));

    Resp read = gw.get("/a/roles/editor", admin);
    assertEquals(200, read.status());
    assertEquals("Editor", read.json().path("label").asText());

    Resp patched = gw.patchJson("/a/roles/editor", admin, "{\"label\":\"Chief editor\"}");
    assertEquals(200, patched.status(), patched::toString);
    assertEquals("Chief editor", patched.json().path("label").asText());
    assertEquals("edits", patched.json().path("description").asText(), "fields left out are unchanged");
    assertEquals(2, patched.json().path("version").asLong());

    Resp deleted = gw.delete("/a/roles/editor", admin);
    assertEquals(204, deleted.status(), deleted::toString);
    assertNull(gw.roles.stored("editor"));
    assertError(gw.get("/a/roles/editor", admin), 404, "not_found", "editor");
    assertError(gw.delete("/a/roles/editor", admin), 404, "not_found", "editor");
  }

  @Test
  void builtInRoleIsShownAsSuch() {
    Resp r = gw.get("/a/roles/admin", admin);
    assertEquals(200, r.status());
    assertEquals(true, r.json().path("builtIn").asBoolean());
  }

  @Test
  void duplicateIs409() {
    assertEquals(201, gw.postJson("/a/roles", admin, "{\"id\":\"auditor\"}").status());
    assertError(gw.postJson("/a/roles", admin, "{\"id\":\"auditor\",\"label\":\"again\"}"), 409, "conflict", "auditor");
    assertEquals("", gw.roles.stored("auditor").getLabel());
    assertError(gw.postJson("/a/roles", admin, "{\"id\":\"admin\"}"), 409, "conflict", "admin");
  }

  @Test
  void deletingAProtectedRoleIs409() {
    assertError(gw.delete("/a/roles/admin", admin), 409, "failed_precondition", "built in");
    assertNotNull(gw.roles.stored("admin"));
  }

  @Test
  void badBodiesAre400() {
    assertError(gw.postJson("/a/roles", admin, "{\"label\":\"no id\"}"), 400, "bad_request", "'id'");
    assertError(gw.postJson("/a/roles", admin, "{\"id\":\"r1\",\"builtIn\":true}"), 400, "bad_request", "unknown field 'builtIn'");
    assertError(gw.postJson("/a/roles", admin, "{\"id\":\"r1\",\"protected\":true}"), 400, "bad_request", "unknown field 'protected'");
    assertError(gw.postJson("/a/roles", admin, "{\"id\":"), 400, "bad_request", "malformed JSON");
    assertError(gw.postJson("/a/roles", admin, "null"), 400, "bad_request", "JSON object");
    assertError(gw.postJson("/a/roles", admin, "{\"id\":\"Not Valid\"}"), 400, "bad_request", "invalid role id");
    assertError(gw.send("POST", "/a/roles", admin, "text/plain", "{\"id\":\"r1\"}"), 415, "unsupported_media_type", "");
    assertError(gw.patchJson("/a/roles/user", admin, "{\"id\":\"renamed\"}"), 400, "bad_request", "unknown field 'id'");
    assertNull(gw.roles.stored("r1"));
  }

  @Test
  void patchMissingIs404() {
    assertError(gw.patchJson("/a/roles/ghost", admin, "{\"label\":\"x\"}"), 404, "not_found", "ghost");
  }

  @Test
  void listPagesAndFilters() {
    for (String id : new String[] {"team-a", "team-b", "team-c"}) {
      gw.roles.put(Role.newBuilder().setId(id).setLabel("Team " + id).build());
    }
    Resp r = gw.get("/a/roles?filter=team-&offset=1&limit=1", admin);
    assertEquals(200, r.status(), r::toString);
    assertEquals(3, r.json().path("total").asLong());
    assertEquals(1, r.json().path("items").size());
    assertEquals("team-b", r.json().path("items").path(0).path("id").asText());

    Resp all = gw.get("/a/roles", admin);
    assertEquals(200, all.status());
    assertTrue(all.json().path("total").asLong() >= 5);
  }

  @ParameterizedTest
  @ValueSource(strings = {"limit=0", "limit=abc", "offset=-1", "limit=5000"})
  void badPagingIs400(String query) {
    assertError(gw.get("/a/roles?" + query, admin), 400, "bad_request", query.substring(0, query.indexOf('=')));
  }

  @Test
  void serviceDownIs503() {
    gw.roles.down = Status.UNAVAILABLE;
    assertError(gw.get("/a/roles", admin), 503, "unavailable", "");
    assertError(gw.get("/a/roles/user", admin), 503, "unavailable", "");
    assertError(gw.postJson("/a/roles", admin, "{\"id\":\"x\"}"), 503, "unavailable", "");
    assertError(gw.delete("/a/roles/user", admin), 503, "unavailable", "");
  }
}
