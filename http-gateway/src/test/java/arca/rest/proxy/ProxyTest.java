package arca.rest.proxy;

import akka.http.javadsl.model.StatusCodes;
import arca.grpc.Clients;
import arca.rest.ApiError;
import arca.rest.module.RestContext;
import arca.rest.module.RestModule;
import arca.rest.testsupport.Resp;
import arca.rest.testsupport.TestGateway;
import arca.rest.token.OidcRoutes;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public route table: probes, prefixes, and every rejection as a JSON error. */
class ProxyTest {
  static TestGateway gw;
  static String admin;

  @BeforeAll
  static void start() {
    gw = new TestGateway("proxy");
    admin = gw.adminToken();
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  static void assertJsonError(Resp r, int status) {
    assertEquals(status, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"), () -> "content type " + r.contentType() + ": " + r.body());
    assertFalse(r.error().isEmpty(), () -> "no 'error' member: " + r.body());
    assertFalse(r.message().isEmpty(), () -> "no 'message' member: " + r.body());
  }

  @Test
  void theOpenApiDocumentIsServedAndNamesTheRoutes() {
    Resp r = gw.get("/a/openapi.json", null);
    assertEquals(200, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"), r.contentType());
    assertEquals("3.0.3", r.json().path("openapi").asText());
    var paths = r.json().path("paths");
    for (String route : List.of("/oidc/oauth2/token", "/a/users", "/a/users/{login}", "/a/roles/{id}",
        "/a/workspaces", "/a/workspaces/{slug}", "/a/nodes/{ws}/{path}", "/a/trash/{ws}/{uuid}", "/a/access-keys",
        "/a/policies", "/a/policies/{id}")) {
      assertTrue(paths.has(route), () -> "the OpenAPI document lacks " + route);
    }
    Set<String> operationIds = new HashSet<>();
    paths.fields().forEachRemaining(e -> e.getValue().fields().forEachRemaining(op -> {
      if (op.getKey().equals("parameters")) return;
      assertTrue(op.getValue().has("responses"), () -> e.getKey() + " " + op.getKey() + " has no responses");
      String id = op.getValue().path("operationId").asText();
      assertTrue(id.matches("[a-z][A-Za-z]+"), () -> e.getKey() + " " + op.getKey() + " has no operationId");
      assertTrue(operationIds.add(id), () -> "operationId " + id + " is used twice");
    }));
  }

  @Test
  void theApiPageIsSwaggerUiFromItsWebJarWithAStrictPolicy() {
    Resp page = gw.get("/a/docs", null);
    assertEquals(200, page.status(), page::toString);
    assertTrue(page.contentType().startsWith("text/html"), page.contentType());
    assertTrue(page.body().contains("/a/docs/ui/swagger-ui-bundle.js") && page.body().contains("/a/docs/init.js"), page.body());
    String csp = page.header("Content-Security-Policy").orElse(null);
    assertTrue(csp != null && csp.contains("script-src 'self';") && !csp.contains("unsafe-eval"), String.valueOf(csp));
    Resp script = gw.get("/a/docs/ui/swagger-ui-bundle.js", null);
    assertEquals(200, script.status());
    assertTrue(script.body().length() > 100_000, "the WebJar's bundle");
    assertTrue(gw.get("/a/docs/init.js", null).body().contains("/a/openapi.json"));
    assertEquals(404, gw.get("/a/docs/ui/../../../../arca/rest/openapi.json", null).status());
    assertEquals(404, gw.get("/a/docs/ui/nothing.js", null).status());
  }

  @Test
  void healthzIsAlways200() {
    Resp r = gw.get("/healthz", null);
    assertEquals(200, r.status());
    assertEquals("ok", r.json().path("status").asText());
  }

  @Test
  void readyzFollowsReadiness() {
    gw.ready.set(false);
    Resp starting = gw.get("/readyz", null);
    assertEquals(503, starting.status());
    assertEquals("starting", starting.json().path("status").asText());

    gw.ready.set(true);
    Resp ready = gw.get("/readyz", null);
    assertEquals(200, ready.status());
    assertEquals("ready", ready.json().path("status").asText());

    gw.ready.set(false);
    assertEquals(503, gw.get("/readyz", null).status(), "readiness is read per request, not once");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/nope", "/a", "/a/nope", "/oidc/nope", "/users", "/jwks", "/a/jwks", "/oidc/users"})
  void unknownPathsAre404Json(String path) {
    Resp r = gw.get(path, admin);
    assertJsonError(r, 404);
    assertEquals("not_found", r.error());
  }

  @Test
  void wrongMethodIs405Json() {
    Resp r = gw.send("PUT", "/a/users", admin, "application/json", "{}");
    assertJsonError(r, 405);
    assertEquals("method_not_allowed", r.error());
    assertTrue(r.message().contains("GET") && r.message().contains("POST"), r::toString);

    assertJsonError(gw.send("PUT", "/a/roles/user", admin, "application/json", "{}"), 405);
    assertJsonError(gw.get("/oidc/oauth2/token", null), 405);
  }

  @ParameterizedTest
  @ValueSource(strings = {"application/grpc", "application/grpc+proto", "application/grpc-web"})
  void grpcContentTypeIs415Json(String contentType) {
    for (String path : List.of("/a/users", "/arca.user.v1.UserService/GetUser", "/oidc/oauth2/token")) {
      Resp r = gw.send("POST", path, admin, contentType, "\u0000\u0000\u0000\u0000\u0000");
      assertJsonError(r, 415);
      assertEquals("grpc_not_served", r.error());
    }
  }

  @Test
  void modulesUnderOnePrefixAreAllReachable() {
    assertEquals(200, gw.get("/a/users", admin).status());
    assertEquals(200, gw.get("/a/roles", admin).status());
    assertEquals(200, gw.get("/oidc/jwks", null).status());
  }

  @Test
  void moduleWithUnknownPrefixIsRefused() {
    RestModule bad = TestGateway.module("x", "api", () -> complete("x"));
    RestContext ctx = new RestContext(gw.system, gw.auth, Clients.NONE);
    assertThrows(IllegalArgumentException.class, () -> Proxy.route(ctx, List.of(bad), () -> true));
  }

  static RestModule oidc() {
    return TestGateway.module("token", "oidc", () -> OidcRoutes.routes(gw.tokens, gw.cache, TestGateway.ISSUER));
  }

  @Test
  void moduleRoutesAreBuiltOnceNotPerRequest() {
    // a module's route() creates its gRPC clients: it must run when the table is built, not on every request
    AtomicInteger built = new AtomicInteger();
    RestModule counting = TestGateway.module("count", "a", () -> {
      built.incrementAndGet();
      return path("count", () -> complete("counted"));
    });
    RestContext ctx = new RestContext(gw.system, gw.auth, Clients.NONE);
    String base = gw.bind(Proxy.route(ctx, List.of(counting, oidc()), () -> true));
    for (int i = 0; i < 3; i++) assertEquals(200, gw.sendToMadeUp(base, "GET", "/a/count", null).status());
    assertEquals(404, gw.sendToMadeUp(base, "GET", "/a/other", null).status());
    assertEquals(1, built.get());
  }

  /**
   * A gateway with modules under only one of the public prefixes (e.g. REST without the OIDC module) should serve
   * 404 under the other prefix. Proxy.all(List) calls routes.get(0) on the empty list of that prefix instead.
   */
  @Test
  void prefixWithoutModulesIsJust404() {
    RestModule hello = TestGateway.module("hello", "a", () -> path("hello", () -> complete("hi")));
    RestContext ctx = new RestContext(gw.system, gw.auth, Clients.NONE);
    String base = gw.bind(Proxy.route(ctx, List.of(hello), () -> true));
    assertEquals(200, gw.sendToMadeUp(base, "GET", "/a/hello", null).status());
    assertJsonError(gw.sendTo(base, "GET", "/oidc/jwks", null), 404);
  }

  @Test
  void exceptionsInRoutesBecomeJsonErrors() {
    RestModule throwing = TestGateway.module("boom", "a", () -> concat(
        path("boom", () -> {
          throw new IllegalStateException("bug");
        }),
        path("teapot", () -> {
          throw new ApiError(StatusCodes.IM_A_TEAPOT, "teapot", "short and stout");
        })));
    RestContext ctx = new RestContext(gw.system, gw.auth, Clients.NONE);
    String base = gw.bind(Proxy.route(ctx, List.of(throwing, oidc()), () -> true));

    Resp boom = gw.sendToMadeUp(base, "GET", "/a/boom", null);
    assertJsonError(boom, 500);
    assertEquals("internal", boom.error());
    assertFalse(boom.body().contains("bug"), "no internal detail leaks to the client");

    Resp teapot = gw.sendToMadeUp(base, "GET", "/a/teapot", null);
    assertJsonError(teapot, 418);
    assertEquals("teapot", teapot.error());
    assertEquals("short and stout", teapot.message());
  }
}
