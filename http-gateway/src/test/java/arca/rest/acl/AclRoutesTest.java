package arca.rest.acl;

import arca.proto.acl.Action;
import arca.grpc.Clients;
import arca.rest.module.RestContext;
import arca.rest.proxy.Proxy;
import arca.rest.testsupport.FakeAclService;
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

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /a/acls over a fake acl service: admins only, strict validation, idempotent grant and revoke, error mapping. */
class AclRoutesTest {
  static TestGateway gw;
  static FakeAclService acls = new FakeAclService();
  static String base;
  static String admin;
  static String bob;

  @BeforeAll
  static void start() {
    gw = new TestGateway("acls");
    admin = gw.adminToken();
    bob = gw.jwt.token("bob", "staff");
    base = gw.bind(Proxy.route(new RestContext(gw.system, gw.auth, Clients.NONE),
        List.of(TestGateway.module("acl", "a", () -> AclRoutes.routes(gw.auth, acls))), () -> true));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void serviceBackUp() {
    acls.down = null;
  }

  static Resp send(String method, String path, String token, String json) {
    return gw.sendTo(base, method, path, token, json == null ? null : "application/json", json);
  }

  static String body(String workspace, String path, String role, String action) {
    return "{\"workspace\":\"" + workspace + "\",\"path\":\"" + path + "\",\"role\":\"" + role + "\",\"action\":\""
        + action + "\"}";
  }

  static String query(String workspace, String path, String role, String action) {
    return "?workspace=" + enc(workspace) + "&path=" + enc(path) + "&role=" + enc(role) + "&action=" + enc(action);
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static void assertError(Resp r, int status, String code, String messagePart) {
    assertEquals(status, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"), r::toString);
    assertEquals(code, r.error(), r::toString);
    assertTrue(r.message().contains(messagePart), () -> "message should contain '" + messagePart + "': " + r);
  }

  private static List<String> keys(Resp r) {
    List<String> out = new ArrayList<>();
    r.json().path("items").forEach(a -> out.add(a.path("workspace").asText() + ":" + a.path("path").asText() + ":"
        + a.path("role").asText() + ":" + a.path("action").asText()));
    return out;
  }

  @Test
  void grantListRevoke() {
    Resp granted = send("POST", "/a/acls", admin, body("projects", "docs/2024", "staff", "read"));
    assertEquals(201, granted.status(), granted::toString);
    JsonNode a = granted.json();
    assertEquals("projects", a.path("workspace").asText());
    assertEquals("docs/2024", a.path("path").asText());
    assertEquals("staff", a.path("role").asText());
    assertEquals("read", a.path("action").asText());
    assertTrue(a.path("createdAt").asText().endsWith("Z"), granted::toString);
    assertNotNull(acls.stored("projects", "docs/2024", "staff", Action.ACTION_READ));

    Resp again = send("POST", "/a/acls", admin, body("projects", "docs/2024", "staff", "read"));
    assertEquals(201, again.status(), "granting is idempotent: " + again);
    assertEquals(a, again.json());

    send("POST", "/a/acls", admin, body("projects", "", "user:alice", "write"));
    send("POST", "/a/acls", admin, body("finance", "", "staff", "deny"));
    Resp all = send("GET", "/a/acls?workspace=projects", admin, null);
    assertEquals(200, all.status(), all::toString);
    assertEquals(List.of("projects::user:alice:write", "projects:docs/2024:staff:read"), keys(all));
    assertEquals(2, all.json().path("total").asLong());
    Resp staff = send("GET", "/a/acls?role=staff&offset=1&limit=1", admin, null);
    assertEquals(List.of("projects:docs/2024:staff:read"), keys(staff));
    assertEquals(2, staff.json().path("total").asLong());

    Resp revoked = send("DELETE", "/a/acls", admin, body("projects", "docs/2024", "staff", "read"));
    assertEquals(204, revoked.status(), revoked::toString);
    assertNull(acls.stored("projects", "docs/2024", "staff", Action.ACTION_READ));
    assertEquals(204, send("DELETE", "/a/acls", admin, body("projects", "docs/2024", "staff", "read")).status(),
        "revoking is idempotent");

    Resp byQuery = send("DELETE", "/a/acls" + query("projects", "", "user:alice", "write"), admin, null);
    assertEquals(204, byQuery.status(), byQuery::toString);
    assertNull(acls.stored("projects", "", "user:alice", Action.ACTION_WRITE));
  }

  @Test
  void onlyAdmins() {
    assertError(send("GET", "/a/acls", bob, null), 403, "forbidden", "admin");
    assertError(send("POST", "/a/acls", bob, body("projects", "", "user:bob", "write")), 403, "forbidden", "admin");
    assertError(send("DELETE", "/a/acls", bob, body("finance", "", "staff", "deny")), 403, "forbidden", "admin");
    assertNull(acls.stored("projects", "", "user:bob", Action.ACTION_WRITE));
    assertError(send("GET", "/a/acls", null, null), 401, "unauthorized", "");
  }

  @Test
  void badBodiesAre400() {
    assertError(send("POST", "/a/acls", admin, "{\"path\":\"\",\"role\":\"staff\",\"action\":\"read\"}"), 400,
        "bad_request", "'workspace'");
    assertError(send("POST", "/a/acls", admin, "{\"workspace\":\"w\",\"role\":\"staff\",\"action\":\"read\"}"), 400,
        "bad_request", "'path'");
    assertError(send("POST", "/a/acls", admin, "{\"workspace\":\"w\",\"path\":\"\",\"action\":\"read\"}"), 400,
        "bad_request", "'role'");
    assertError(send("POST", "/a/acls", admin, "{\"workspace\":\"w\",\"path\":\"\",\"role\":\"staff\"}"), 400,
        "bad_request", "'action'");
    assertError(send("POST", "/a/acls", admin, body("w", "", "staff", "READ")), 400, "bad_request",
        "action must be read, write or deny");
    assertError(send("POST", "/a/acls", admin, body("w", "", "staff", "quota")), 400, "bad_request", "action");
    assertError(send("POST", "/a/acls", admin, body("Not Valid", "", "staff", "read")), 400, "bad_request",
        "workspace slug");
    assertError(send("POST", "/a/acls", admin, body("w", "", "Staff", "read")), 400, "bad_request", "invalid role");
    assertError(send("POST", "/a/acls", admin, body("w", "", "user:", "read")), 400, "bad_request", "invalid role");
    assertError(send("POST", "/a/acls", admin, body("w", "a/../b", "staff", "read")), 400, "invalid_path", "'..'");
    assertError(send("POST", "/a/acls", admin, body("w", "/a", "staff", "read")), 400, "invalid_path", "empty segment");
    assertError(send("POST", "/a/acls", admin, "{\"workspace\":\"w\",\"path\":\"\",\"role\":\"staff\",\"action\":\"read\","
        + "\"recursive\":true}"), 400, "bad_request", "unknown field 'recursive'");
    assertError(send("POST", "/a/acls", admin, "{\"workspace\":\"w\",\"path\":5,\"role\":\"staff\",\"action\":\"read\"}"),
        400, "bad_request", "field 'path' has the wrong type");
    assertError(send("POST", "/a/acls", admin, "{\"workspace\":"), 400, "bad_request", "malformed JSON");
    assertError(send("DELETE", "/a/acls", admin, null), 400, "bad_request", "missing field 'workspace'");
    assertError(send("DELETE", "/a/acls?workspace=w&path=&role=staff", admin, null), 400, "bad_request",
        "missing field 'action'");
    assertError(send("DELETE", "/a/acls" + query("w", "a//b", "staff", "read"), admin, null), 400, "invalid_path", "");
    assertEquals(0, send("GET", "/a/acls?workspace=w", admin, null).json().path("total").asLong(), "nothing stored");
  }

  @ParameterizedTest
  @ValueSource(strings = {"limit=0", "limit=abc", "offset=-1", "limit=5000", "workspace=A_B", "role=x%20y"})
  void badQueriesAre400(String query) {
    assertError(send("GET", "/a/acls?" + query, admin, null), 400, "bad_request", "");
  }

  @Test
  void wrongMethodIs405() {
    assertEquals(405, send("PUT", "/a/acls", admin, "{}").status());
  }

  @Test
  void serviceDownIs503() {
    acls.down = Status.UNAVAILABLE;
    assertError(send("GET", "/a/acls", admin, null), 503, "unavailable", "");
    assertError(send("POST", "/a/acls", admin, body("w", "", "staff", "read")), 503, "unavailable", "");
    assertError(send("DELETE", "/a/acls", admin, body("w", "", "staff", "read")), 503, "unavailable", "");
  }
}
