package arca.rest.testsupport;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.server.Route;
import arca.grpc.Clients;
import arca.rest.module.Endpoint;
import arca.rest.module.RestContext;
import arca.rest.module.RestModule;
import arca.rest.auth.AuthCache;
import arca.rest.auth.Authenticator;
import arca.rest.gate.PolicyAccess;
import arca.rest.proxy.Proxy;
import arca.rest.role.RoleRoutes;
import arca.rest.token.OidcRoutes;
import arca.rest.user.UserRoutes;
import arca.rest.workspace.WorkspaceRoutes;
import arca.rest.access.WorkspaceVisibility;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The gateway as production wires it (Proxy route table over the user, role and OIDC modules, Authenticator with
 * its policy gate, AuthCache on a temp file), but over in-memory fakes of the services, bound for real on 127.0.0.1 on a free port
 * and driven with java.net.http. One per test class: create in @BeforeAll, close in @AfterAll.
 */
public final class TestGateway implements AutoCloseable {
  public static final String ISSUER = "https://arca.test/oidc";

  public final ActorSystem<Void> system;
  public final Path dir;
  public final AuthCache cache;
  public final Jwt jwt;
  public final FakeUserService users = new FakeUserService();
  public final FakeRoleService roles = new FakeRoleService();
  public final FakeWorkspaceService workspaces = new FakeWorkspaceService();
  /** The policies every authenticated request passes: allow-all until a test adds a deny (read on every request). */
  public final FakePolicyService policies = new FakePolicyService();
  public final FakeAclService acls = new FakeAclService();
  public final FakeTokenService tokens;
  public final Authenticator auth;
  public final AtomicBoolean ready = new AtomicBoolean(false);
  public final String base;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  public static Config config() {
    return ConfigFactory.parseString("""
        akka.actor.provider = local
        akka.loglevel = WARNING
        akka.stdout-loglevel = WARNING
        akka.log-dead-letters = off
        akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
        akka.http.server.enable-http2 = off
        akka.http.server.preview.enable-http2 = off
        """).withFallback(ConfigFactory.load());
  }

  public static ActorSystem<Void> newSystem(String name) {
    return ActorSystem.create(Behaviors.empty(), name, config());
  }

  public TestGateway(String name) {
    try {
      dir = Files.createTempDirectory("arca-gw-" + name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    system = newSystem(name);
    cache = AuthCache.open(dir.resolve("cache").resolve("auth-cache.cm"));
    jwt = new Jwt(Jwt.signingKey(), ISSUER);
    tokens = new FakeTokenService(jwt);
    tokens.users = users;
    auth = new Authenticator(tokens, cache, ISSUER, new PolicyAccess(policies, Duration.ZERO, System::nanoTime));
    List<RestModule> modules = List.of(
        module("user", "a", () -> userRoutes(auth, tokens)),
        module("role", "a", () -> RoleRoutes.routes(auth, roles)),
        module("workspace", "a", () -> WorkspaceRoutes.routes(auth, workspaces, WorkspaceVisibility.BUILT_INS_FOR_USERS)),
        module("token", "oidc", () -> OidcRoutes.routes(tokens, cache, ISSUER)));
    RestContext ctx = new RestContext(system, auth, Clients.NONE);
    base = bind(Proxy.route(ctx, modules, ready::get));
  }

  /** The user routes over this gateway's fakes, with the given authenticator and token service. */
  public Route userRoutes(Authenticator auth, FakeTokenService tokens) {
    return UserRoutes.routes(auth, users, roles, tokens, acls, policies);
  }

  /** A module over fakes, as production modules are over generated clients. */
  public static RestModule module(String name, String prefix, Supplier<Route> route) {
    return new RestModule() {
      @Override public String name() { return name; }
      @Override public String prefix() { return prefix; }
      @Override public Route route(RestContext context) { return route.get(); }
      @Override public List<Endpoint> endpoints() { return List.of(); }
    };
  }

  /** Binds a route on a free port of 127.0.0.1; returns its base URL. */
  public String bind(Route route) {
    try {
      ServerBinding b = Http.get(system).newServerAt("127.0.0.1", 0).bind(route).toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
      return "http://127.0.0.1:" + b.localAddress().getPort();
    } catch (Exception e) {
      throw new IllegalStateException("cannot bind", e);
    }
  }

  public String adminToken() {
    return jwt.token("root", "admin");
  }

  public Resp get(String path, String token) {
    return send("GET", path, token, null, null);
  }

  public Resp delete(String path, String token) {
    return send("DELETE", path, token, null, null);
  }

  public Resp postJson(String path, String token, String json) {
    return send("POST", path, token, "application/json", json);
  }

  public Resp patchJson(String path, String token, String json) {
    return send("PATCH", path, token, "application/json", json);
  }

  public Resp postForm(String path, String form) {
    return send("POST", path, null, "application/x-www-form-urlencoded", form);
  }

  /** Sends to this gateway's base URL. */
  public Resp send(String method, String path, String token, String contentType, String body, String... headers) {
    return send(client, base + path, method, token, contentType, body, headers);
  }

  public Resp sendTo(String baseUrl, String method, String path, String token) {
    return send(client, baseUrl + path, method, token, null, null);
  }

  public Resp sendTo(String baseUrl, String method, String path, String token, String contentType, String body) {
    return send(client, baseUrl + path, method, token, contentType, body);
  }

  /** To a route a test made up (no face of the gateway has it): the exchange is not checked against openapi.json. */
  public Resp sendToMadeUp(String baseUrl, String method, String path, String token) {
    return send(client, false, baseUrl + path, method, token, null, null);
  }

  private static Resp send(HttpClient client, String url, String method, String token, String contentType, String body,
                           String... headers) {
    return send(client, true, url, method, token, contentType, body, headers);
  }

  /** checked: whether the exchange is checked against openapi.json ({@link OpenApiCheck}). */
  private static Resp send(HttpClient client, boolean checked, String url, String method, String token,
                           String contentType, String body, String... headers) {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(15))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) r.header("Authorization", "Bearer " + token);
    if (contentType != null) r.header("Content-Type", contentType);
    for (int i = 0; i + 1 < headers.length; i += 2) r.header(headers[i], headers[i + 1]);
    try {
      HttpResponse<String> resp = client.send(r.build(), HttpResponse.BodyHandlers.ofString());
      if (checked) OpenApiCheck.exchange(method, URI.create(url), contentType, body, resp.statusCode(), resp.headers(), resp.body());
      return new Resp(resp.statusCode(), resp.headers(), resp.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    cache.close();
    deleteTree(dir);
  }

  public static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
