package arca.rest.policy;

import arca.proto.policy.Effect;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroup;
import arca.grpc.Clients;
import arca.rest.module.RestContext;
import arca.rest.proxy.Proxy;
import arca.rest.testsupport.FakePolicyService;
import arca.rest.testsupport.Resp;
import arca.rest.testsupport.TestGateway;
import arca.rest.token.OidcRoutes;
import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /a/policies (admin only: CRUD, 400/404/409) and the policy gate in front of every authenticated route: a deny
 * policy makes a route 403 for the callers it names, removing it restores access, no policy means deny.
 */
class PolicyRoutesTest {
  static TestGateway gw;
  static FakePolicyService policies;
  static String base;
  static String admin;
  static String bob;
  static String alice;

  @BeforeAll
  static void start() {
    gw = new TestGateway("policies");
    policies = gw.policies;
    admin = gw.adminToken();
    bob = gw.jwt.token("bob", "user");
    alice = gw.jwt.token("alice", "user");
    gw.users.put("bob", "a-long-password", "user");
    gw.users.put("alice", "a-long-password", "user");
    base = gw.bind(Proxy.route(new RestContext(gw.system, gw.auth, Clients.NONE), List.of(
        TestGateway.module("policy", "a", () -> PolicyRoutes.routes(gw.auth, policies)),
        TestGateway.module("user", "a", () -> gw.userRoutes(gw.auth, gw.tokens)),
        TestGateway.module("token", "oidc", () -> OidcRoutes.routes(gw.tokens, gw.cache, TestGateway.ISSUER))), () -> true));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void reset() {
    policies.down = null;
    if (policies.stored("allow-all") == null) {
      policies.put(PolicyGroup.newBuilder().setId("allow-all").setProtected(true).addPolicies(FakePolicyService.ALLOW_ALL).build());
    }
    for (String id : List.of("no-bob", "staff", "pol-a", "pol-b")) policies.remove(id);
  }

  static Resp send(String method, String path, String token, String json) {
    return gw.sendTo(base, method, path, token, json == null ? null : "application/json", json);
  }

  static void assertError(Resp r, int status, String code, String messagePart) {
    assertEquals(status, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"), r::toString);
    assertEquals(code, r.error(), r::toString);
    assertTrue(r.message().contains(messagePart), () -> "message should contain '" + messagePart + "': " + r);
  }

  static final String STAFF = """
      {"id":"staff","label":"Staff","description":"what staff may do","policies":[
        {"description":"read nodes","subjects":["role:staff"],"resources":["rest:/a/nodes<(/.*)?>"],"actions":["GET","HEAD"],"effect":"allow"},
        {"id":"no-deletes","subjects":["role:staff"],"resources":["rest:/a/nodes/common/<.*>"],"actions":["DELETE"],"effect":"deny"}]}""";

  @Test
  void createReadReplaceDelete() {
    Resp created = send("POST", "/a/policies", admin, STAFF);
    assertEquals(201, created.status(), created::toString);
    assertEquals("/a/policies/staff", created.header("Location").orElseThrow().replaceFirst("^http://[^/]+", ""));
    JsonNode g = created.json();
    assertEquals("Staff", g.path("label").asText());
    assertEquals(false, g.path("builtIn").asBoolean());
    assertEquals(2, g.path("policies").size());
    JsonNode deny = g.path("policies").path(1);
    assertEquals("no-deletes", deny.path("id").asText());
    assertEquals("deny", deny.path("effect").asText());
    assertEquals("rest:/a/nodes/common/<.*>", deny.path("resources").path(0).asText());
    assertEquals(List.of("GET", "HEAD"), List.of(g.path("policies").path(0).path("actions").path(0).asText(),
        g.path("policies").path(0).path("actions").path(1).asText()));
    assertTrue(g.path("createdAt").asText().endsWith("Z"));

    assertEquals(g, send("GET", "/a/policies/staff", admin, null).json());
    Resp list = send("GET", "/a/policies?limit=50", admin, null);
    assertEquals(200, list.status(), list::toString);
    assertEquals(2, list.json().path("total").asLong());
    assertEquals("allow-all", list.json().path("items").path(0).path("id").asText());
    assertEquals("staff", list.json().path("items").path(1).path("id").asText());

    Resp patched = send("PATCH", "/a/policies/staff", admin, "{\"label\":\"Staff members\"}");
    assertEquals(200, patched.status(), patched::toString);
    assertEquals("Staff members", patched.json().path("label").asText());
    assertEquals(2, patched.json().path("policies").size(), "PATCH without policies keeps them");

    Resp put = send("PUT", "/a/policies/staff", admin, "{\"policies\":[{\"subjects\":[\"user:bob\"],"
        + "\"resources\":[\"io:<.*>\"],\"actions\":[\"<.*>\"],\"effect\":\"DENY\"}]}");
    assertEquals(200, put.status(), put::toString);
    assertEquals(1, put.json().path("policies").size(), "PUT replaces the policies");
    assertEquals("deny", put.json().path("policies").path(0).path("effect").asText());
    assertEquals("Staff members", put.json().path("label").asText());

    assertEquals(204, send("DELETE", "/a/policies/staff", admin, null).status());
    assertNull(policies.stored("staff"));
    assertError(send("GET", "/a/policies/staff", admin, null), 404, "not_found", "staff");
    assertError(send("DELETE", "/a/policies/staff", admin, null), 404, "not_found", "staff");
    assertError(send("PATCH", "/a/policies/ghost", admin, "{\"label\":\"x\"}"), 404, "not_found", "ghost");
  }

  @Test
  void onlyAdminsManagePolicies() {
    assertError(send("GET", "/a/policies", bob, null), 403, "forbidden", "admin");
    assertError(send("POST", "/a/policies", bob, STAFF), 403, "forbidden", "admin");
    assertError(send("DELETE", "/a/policies/allow-all", bob, null), 403, "forbidden", "admin");
    assertNull(policies.stored("staff"));
    assertError(send("GET", "/a/policies", null, null), 401, "unauthorized", "bearer");
  }

  @Test
  void duplicatesAndBuiltInGroupsAre409() {
    assertEquals(201, send("POST", "/a/policies", admin, STAFF).status());
    assertError(send("POST", "/a/policies", admin, STAFF), 409, "conflict", "staff");
    assertError(send("DELETE", "/a/policies/allow-all", admin, null), 409, "failed_precondition", "built in");
    assertError(send("PATCH", "/a/policies/allow-all", admin, "{\"policies\":[]}"), 409, "failed_precondition", "built in");
    assertError(send("PUT", "/a/policies/allow-all", admin, "{\"policies\":[]}"), 409, "failed_precondition", "built in");
    assertEquals(1, policies.stored("allow-all").getPoliciesCount());
  }

  @Test
  void badBodiesAre400() {
    String ok = "{\"subjects\":[\"user:bob\"],\"resources\":[\"io:<.*>\"],\"actions\":[\"GET\"],\"effect\":\"allow\"}";
    assertError(send("POST", "/a/policies", admin, "{\"label\":\"no id\"}"), 400, "bad_request", "'id'");
    assertError(send("POST", "/a/policies", admin, "{\"id\":\"Not Valid\"}"), 400, "bad_request", "invalid policy group id");
    assertError(send("POST", "/a/policies", admin, "{\"id\":\"pol-a\",\"protected\":true}"), 400, "bad_request", "unknown field 'protected'");
    assertError(send("POST", "/a/policies", admin, "{\"id\":\"pol-a\",\"builtIn\":true}"), 400, "bad_request", "unknown field 'builtIn'");
    assertError(send("POST", "/a/policies", admin, "{\"id\":"), 400, "bad_request", "malformed JSON");
    assertError(send("POST", "/a/policies", admin, "{\"id\":\"pol-a\",\"policies\":[" + ok.replace("allow", "maybe") + "]}"),
        400, "bad_request", "policies[0].effect must be allow or deny");
    assertError(send("POST", "/a/policies", admin, "{\"id\":\"pol-a\",\"policies\":[" + ok.replace(",\"effect\":\"allow\"", "") + "]}"),
        400, "bad_request", "policies[0].effect");
    assertError(send("POST", "/a/policies", admin, "{\"id\":\"pol-a\",\"policies\":[" + ok + "," + ok.replace("\"subjects\":[\"user:bob\"],", "") + "]}"),
        400, "bad_request", "policies[1].subjects");
    assertError(send("POST", "/a/policies", admin, "{\"id\":\"pol-a\",\"policies\":[" + ok.replace("[\"GET\"]", "[\"GET\",null]") + "]}"),
        400, "bad_request", "policies[0].actions must hold strings");
    assertError(send("POST", "/a/policies", admin, "{\"id\":\"pol-a\",\"policies\":[" + ok.replace("[\"GET\"]", "\"GET\"") + "]}"),
        400, "bad_request", "");
    assertError(send("POST", "/a/policies", admin, "{\"id\":\"pol-a\",\"policies\":[null]}"), 400, "bad_request", "policies[0]");
    assertError(send("POST", "/a/policies", admin, "{\"id\":\"pol-a\",\"policies\":[" + ok.replace("io:<.*>", "io:<[>") + "]}"),
        400, "bad_request", "bad pattern");
    assertError(send("PUT", "/a/policies/pol-a", admin, "{\"label\":\"x\"}"), 400, "bad_request", "missing field 'policies'");
    assertError(send("PATCH", "/a/policies/pol-a", admin, "{\"id\":\"x\"}"), 400, "bad_request", "unknown field 'id'");
    assertError(gw.sendTo(base, "POST", "/a/policies", admin, "text/plain", "{}"), 415, "unsupported_media_type", "");
    assertError(send("GET", "/a/policies?limit=51", admin, null), 400, "bad_request", "limit");
    assertNull(policies.stored("pol-a"));
  }

  @Test
  void aDenyPolicyMakesARoute403ForTheCallersItNames() {
    assertEquals(200, send("GET", "/a/users/bob", bob, null).status());
    assertEquals(201, send("POST", "/a/policies", admin, """
        {"id":"no-bob","policies":[{"subjects":["user:bob"],"resources":["rest:/a/users/<.*>"],"actions":["GET"],"effect":"deny"}]}""").status());

    Resp denied = send("GET", "/a/users/bob", bob, null);
    assertError(denied, 403, "forbidden", "denied by policy");
    assertTrue(denied.message().contains("GET rest:/a/users/bob") && denied.message().contains("'no-bob'"), denied::toString);
    assertEquals(200, send("GET", "/a/users/alice", alice, null).status(), "other users are not concerned");
    assertEquals(200, send("PATCH", "/a/users/bob", bob, "{\"displayName\":\"Bob\"}").status(), "other actions neither");

    assertEquals(204, send("DELETE", "/a/policies/no-bob", admin, null).status());
    assertEquals(200, send("GET", "/a/users/bob", bob, null).status(), "removing the policy restores access");
  }

  @Test
  void withoutAnAllowingPolicyEverythingIsDeniedButAdminsKeepThePolicyRoutes() {
    policies.remove("allow-all");
    assertError(send("GET", "/a/users/bob", bob, null), 403, "forbidden", "deny by default");
    assertError(send("GET", "/a/users", admin, null), 403, "forbidden", "deny by default");
    assertEquals(200, send("GET", "/a/policies", admin, null).status(), "admins can always repair the policies");
    assertEquals(200, send("GET", "/healthz", null, null).status(), "unauthenticated routes are not policy-checked");
    assertEquals(200, send("GET", "/oidc/jwks", null, null).status());
    assertEquals(200, send("GET", "/a/openapi.json", null, null).status());
    assertEquals(401, send("GET", "/a/users/bob", null, null).status(), "authentication comes first");
  }

  @Test
  void policyServiceDownIs503() {
    policies.down = Status.UNAVAILABLE;
    assertError(send("GET", "/a/users/bob", bob, null), 503, "unavailable", "");
    assertEquals(200, send("GET", "/healthz", null, null).status());
  }
}
