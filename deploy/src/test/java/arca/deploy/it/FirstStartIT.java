package arca.deploy.it;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.grpc.GrpcClientSettings;
import arca.proto.user.GetUserRequest;
import arca.proto.user.UserServiceClient;
import com.typesafe.config.ConfigFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static arca.deploy.it.IdentityEndToEnd.poll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** First start without a configured password; the ports; the node-local auth cache and its rebuild. */
class FirstStartIT {
  @TempDir
  Path dataDir;
  NodeProcess node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) node.close();
  }

  /** A configuration the services refuse (a too short admin password) stops the node at once, saying why. */
  @Test
  void aRefusedAdminPasswordStopsTheNodeAtOnce() throws Exception {
    node = new NodeProcess(dataDir, Map.of("ARCA_ADMIN_PASSWORD", "short"));
    long t0 = System.nanoTime();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> node.start());
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
    assertTrue(e.getMessage().contains("node exited"), e.getMessage());
    assertTrue(e.getMessage().contains("password must be 8 to 1024 characters"), e.getMessage());
    assertTrue(seconds < 60, "stopped after " + seconds + " s, not after the first-start retry deadline");
  }

  @Test
  void generatedAdminPasswordPortsAndAuthCacheRebuild() throws Exception {
    node = new NodeProcess(dataDir, Map.of("ARCA_LOGIN_MAX_FAILURES", "3", "ARCA_LOGIN_LOCK", "60s")).start();
    Path file = dataDir.resolve("admin-password");
    assertTrue(Files.exists(file), "admin-password written at first start");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    String password = Files.readString(file).trim();
    assertTrue(password.length() >= 16);
    Api api = new Api(node.url());
    String admin = api.token("admin", password);

    // gRPC is not served on the public port: neither by a gRPC client nor as a gRPC-typed HTTP/1.1 request
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "it", ConfigFactory.parseString("akka.actor.provider = local"));
    try {
      UserServiceClient viaPublic = UserServiceClient.create(GrpcClientSettings.connectToServiceAt("127.0.0.1", node.httpPort, system)
          .withTls(false).withDeadline(Duration.ofSeconds(5)), system);
      assertThrows(Exception.class, () -> viaPublic.getUser(GetUserRequest.newBuilder().setLogin("admin").build())
          .toCompletableFuture().get(10, TimeUnit.SECONDS));
      UserServiceClient viaInternal = UserServiceClient.create(GrpcClientSettings.connectToServiceAt("127.0.0.1", node.grpcPort, system)
          .withTls(false).withDeadline(Duration.ofSeconds(5)), system);
      assertEquals("admin", viaInternal.getUser(GetUserRequest.newBuilder().setLogin("admin").build())
          .toCompletableFuture().get(10, TimeUnit.SECONDS).getLogin());
    } finally {
      system.terminate();
    }
    var grpcTyped = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(node.url() + "/arca.user.v1.UserService/GetUser"))
        .header("Content-Type", "application/grpc").POST(HttpRequest.BodyPublishers.ofByteArray(new byte[5])).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(415, grpcTyped.statusCode());
    assertTrue(grpcTyped.body().contains("grpc_not_served"), grpcTyped.body());

    // revoke an access token and a whole session, lock an account
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", "dave", "password", "dave-pass-1")));
    String revokedAccess = api.token("dave", "dave-pass-1");
    Api.Reply session = api.login("dave", "dave-pass-1");
    String sessionAccess = session.text("access_token");
    assertStatus(200, api.get("/a/users/dave", revokedAccess));
    assertEquals(200, api.form("/oidc/oauth2/revoke", Map.of("token", revokedAccess)).status());
    assertEquals(200, api.form("/oidc/oauth2/revoke", Map.of("token", session.text("refresh_token"))).status());
    assertStatus(401, api.get("/a/users/dave", revokedAccess));
    assertStatus(401, api.get("/a/users/dave", sessionAccess));
    for (int i = 0; i < 3; i++) assertStatus(400, api.login("eve", "wrong-password"));
    Api.Reply locked = poll(() -> api.login("eve", "wrong-password"), r -> r.status() == 429);
    assertTrue(locked.raw().headers().firstValue("Retry-After").isPresent());

    // lose the auth cache: it is rebuilt from the token journal, revocations and locks included
    node.stop();
    Files.writeString(dataDir.resolve("cache").resolve("auth-cache.cm"), "this is not a chronicle map");
    node.start();
    Api after = new Api(node.url());
    assertTrue(Files.readString(dataDir.resolve("node.log")).contains("recreating it from the token journal"));
    poll(() -> after.get("/a/users/dave", revokedAccess).status(), s -> s == 401);
    poll(() -> after.get("/a/users/dave", sessionAccess).status(), s -> s == 401);
    assertStatus(429, after.login("eve", "wrong-password"));
    assertStatus(200, after.get("/a/users/dave", admin));
  }
}
