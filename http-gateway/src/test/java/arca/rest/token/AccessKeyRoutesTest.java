package arca.rest.token;

import akka.actor.ClassicActorSystemProvider;
import akka.grpc.GrpcChannel;
import arca.proto.token.CreateAccessKeyRequest;
import arca.proto.token.DeleteAccessKeyRequest;
import arca.proto.token.ListAccessKeysRequest;
import arca.grpc.Clients;
import arca.rest.module.RestContext;
import arca.rest.proxy.Proxy;
import arca.rest.testsupport.Resp;
import arca.rest.testsupport.TestGateway;
import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /a/access-keys through the proxy as production registers it (the OidcRoutes module, whose part AccessKeyRoutes is),
 * over the fake token service: create (secret once, no-store), list (no secrets), delete, admins with ?login=, and the
 * mapping of bad input and service errors.
 */
class AccessKeyRoutesTest {
  static TestGateway gw;
  static String base;

  @BeforeAll
  static void start() {
    gw = new TestGateway("access-keys");
    Clients fakes = new Clients() {
      @Override
      public <T> T client(Class<T> api, String service, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create) {
        return api.cast(gw.tokens);
      }

      @Override
      public <T> T streamingClient(Class<T> api, String service, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create) {
        return api.cast(gw.tokens);
      }
    };
    base = gw.bind(Proxy.route(new RestContext(gw.system, gw.auth, fakes), List.of(new OidcRoutes()), () -> true));
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void serviceBackUp() {
    gw.tokens.down = null;
  }

  static Resp send(String method, String path, String token, String contentType, String body) {
    return gw.sendTo(base, method, path, token, contentType, body);
  }

  static Resp create(String token, String json) {
    return send("POST", "/a/access-keys", token, json == null ? null : "application/json", json);
  }

  static void assertError(Resp r, int status, String code) {
    assertEquals(status, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"), r::toString);
    assertEquals(code, r.error(), r::toString);
  }

  @Test
  void createListDelete() {
    String alice = gw.jwt.token("alice");
    Resp created = create(alice, "{\"label\":\"laptop rclone\"}");
    assertEquals(201, created.status(), created::toString);
    assertEquals("no-store", created.header("Cache-Control").orElse(""));
    JsonNode k = created.json();
    String id = k.path("accessKeyId").asText();
    assertTrue(id.matches("AK[A-Z0-9]{18}"), id);
    assertEquals(40, k.path("secretAccessKey").asText().length());
    assertEquals("laptop rclone", k.path("label").asText());
    assertTrue(k.path("createdAt").asText().endsWith("Z"), k::toString);
    assertEquals("alice", gw.tokens.accessKeyRequests.stream().filter(CreateAccessKeyRequest.class::isInstance)
        .map(CreateAccessKeyRequest.class::cast).reduce((a, b) -> b).orElseThrow().getLogin());

    Resp list = send("GET", "/a/access-keys", alice, null, null);
    assertEquals(200, list.status(), list::toString);
    assertEquals(1, list.json().path("total").asInt());
    JsonNode item = list.json().path("items").get(0);
    assertEquals(id, item.path("accessKeyId").asText());
    assertEquals("laptop rclone", item.path("label").asText());
    assertEquals(k.path("createdAt").asText(), item.path("createdAt").asText());
    assertFalse(list.body().contains(k.path("secretAccessKey").asText()), "a list never carries a secret");
    assertTrue(item.path("secretAccessKey").isMissingNode());

    assertEquals(204, send("DELETE", "/a/access-keys/" + id, alice, null, null).status());
    assertEquals(0, send("GET", "/a/access-keys", alice, null, null).json().path("total").asInt());
    assertError(send("DELETE", "/a/access-keys/" + id, alice, null, null), 404, "not_found");
  }

  @Test
  void theBodyIsOptional() {
    String bruno = gw.jwt.token("bruno");
    Resp noBody = create(bruno, null);
    assertEquals(201, noBody.status(), noBody::toString);
    assertEquals("", noBody.json().path("label").asText());
    Resp emptyObject = create(bruno, "{}");
    assertEquals(201, emptyObject.status(), emptyObject::toString);
    assertEquals(2, send("GET", "/a/access-keys/", bruno, null, null).json().path("total").asInt());
  }

  @Test
  void badInputIsA4xxJsonError() {
    String carla = gw.jwt.token("carla");
    assertError(create(carla, "{\"label\":\"x\",\"secret\":\"mine\"}"), 400, "bad_request");
    assertError(create(carla, "{\"label\":5}"), 400, "bad_request");
    assertError(create(carla, "{\"label\":"), 400, "bad_request");
    assertError(create(carla, "{\"label\":\"" + "x".repeat(65) + "\"}"), 400, "bad_request");
    assertError(send("POST", "/a/access-keys", carla, "text/plain", "label=x"), 415, "unsupported_media_type");
    assertError(send("DELETE", "/a/access-keys/not-a-key-id", carla, null, null), 400, "bad_request");
    assertError(send("PUT", "/a/access-keys", carla, null, null), 405, "method_not_allowed");
    assertError(send("GET", "/a/access-keys/AK000000000000000001", carla, null, null), 405, "method_not_allowed");
    assertEquals(0, send("GET", "/a/access-keys", carla, null, null).json().path("total").asInt());
  }

  @Test
  void theEleventhKeyIsRefused() {
    String dora = gw.jwt.token("dora");
    for (int i = 0; i < 10; i++) assertEquals(201, create(dora, "{\"label\":\"k" + i + "\"}").status());
    Resp refused = create(dora, "{\"label\":\"one too many\"}");
    assertError(refused, 409, "failed_precondition");
    assertTrue(refused.message().contains("at most 10"), refused::toString);
  }

  @Test
  void usersManageOnlyTheirOwnKeysAndAdminsAnyonesWithLogin() {
    String erin = gw.jwt.token("erin");
    String frank = gw.jwt.token("frank");
    String erinsKey = create(erin, "{\"label\":\"erin's\"}").json().path("accessKeyId").asText();

    assertEquals(0, send("GET", "/a/access-keys", frank, null, null).json().path("total").asInt());
    assertError(send("DELETE", "/a/access-keys/" + erinsKey, frank, null, null), 404, "not_found");
    assertError(send("GET", "/a/access-keys?login=erin", frank, null, null), 403, "forbidden");
    assertError(send("POST", "/a/access-keys?login=erin", frank, null, null), 403, "forbidden");
    assertError(send("DELETE", "/a/access-keys/" + erinsKey + "?login=erin", frank, null, null), 403, "forbidden");
    assertEquals(200, send("GET", "/a/access-keys?login=FRANK", frank, null, null).status(), "naming yourself is fine");

    String admin = gw.adminToken();
    Resp erins = send("GET", "/a/access-keys?login=Erin", admin, null, null);
    assertEquals(200, erins.status(), erins::toString);
    assertEquals(erinsKey, erins.json().path("items").get(0).path("accessKeyId").asText());
    assertEquals(201, send("POST", "/a/access-keys?login=erin", admin, "application/json", "{\"label\":\"by admin\"}").status());
    assertEquals(2, send("GET", "/a/access-keys", erin, null, null).json().path("total").asInt());
    assertEquals(204, send("DELETE", "/a/access-keys/" + erinsKey + "?login=erin", admin, null, null).status());
    assertEquals("erin", gw.tokens.accessKeyRequests.stream().filter(DeleteAccessKeyRequest.class::isInstance)
        .map(DeleteAccessKeyRequest.class::cast).reduce((a, b) -> b).orElseThrow().getLogin());
    assertEquals(0, send("GET", "/a/access-keys", admin, null, null).json().path("total").asInt(),
        "without ?login= an admin sees their own keys");
  }

  @Test
  void everyRouteNeedsABearerToken() {
    int before = gw.tokens.accessKeyRequests.size();
    assertError(send("GET", "/a/access-keys", null, null, null), 401, "unauthorized");
    assertError(send("POST", "/a/access-keys", null, null, null), 401, "unauthorized");
    assertError(send("DELETE", "/a/access-keys/AK000000000000000001", "not.a.jwt", null, null), 401, "unauthorized");
    assertEquals(before, gw.tokens.accessKeyRequests.size(), "no service call without authentication");
  }

  @Test
  void aServiceThatIsDownIs503() {
    String gina = gw.jwt.token("gina");
    assertEquals(200, send("GET", "/a/access-keys", gina, null, null).status(), "the signing keys are known now");
    gw.tokens.down = Status.UNAVAILABLE;
    assertError(send("GET", "/a/access-keys", gina, null, null), 503, "unavailable");
    assertError(create(gina, "{}"), 503, "unavailable");
    assertTrue(gw.tokens.accessKeyRequests.stream().anyMatch(ListAccessKeysRequest.class::isInstance));
  }

  @Test
  void theOidcRoutesStillServeBesideTheirPart() {
    assertEquals(200, send("GET", "/oidc/jwks", null, null, null).status());
  }
}
