package arca.deploy.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The identity services end to end on a real node process, through HTTP only: log in, create/read/list/update/delete
 * users and roles, the 400/401/403/404/409 answers, then a graceful stop and a start on the same data: all there.
 * Subclasses choose the storage (embedded H2, MariaDB).
 */
abstract class IdentityEndToEnd {
  static final String ADMIN_PASSWORD = "e2e-admin-password";

  @TempDir
  Path dataDir;
  NodeProcess node;

  abstract Map<String, String> storageEnv();

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) node.close();
  }

  NodeProcess startNode() throws Exception {
    Map<String, String> env = new HashMap<>(storageEnv());
    env.put("ARCA_ADMIN_PASSWORD", ADMIN_PASSWORD);
    return new NodeProcess(dataDir, env).start();
  }

  @Test
  void identityLifecycleSurvivesRestart() throws Exception {
    node = startNode();
    Api api = new Api(node.url());
    String admin = api.token("admin", ADMIN_PASSWORD);

    // roles
    assertStatus(201, api.send("POST", "/a/roles", admin, Map.of("id", "editors", "label", "Editors")));
    assertStatus(409, api.send("POST", "/a/roles", admin, Map.of("id", "editors")));
    assertStatus(400, api.send("POST", "/a/roles", admin, Map.of("id", "Bad Id!")));
    assertStatus(400, api.send("POST", "/a/roles", admin, Map.of("label", "no id")));
    assertEquals("Editors!", api.send("PATCH", "/a/roles/editors", admin, Map.of("label", "Editors!")).text("label"));
    assertStatus(409, api.send("DELETE", "/a/roles/admin", admin, null));
    assertStatus(404, api.get("/a/roles/ghost", admin));

    // users: create and the client mistakes
    Api.Reply created = api.send("POST", "/a/users", admin, Map.of("login", "Alice", "password", "alice-pass-1",
        "displayName", "Alice", "email", "alice@example.com", "roles", List.of("editors")));
    assertStatus(201, created);
    assertEquals("alice", created.text("login"));
    assertEquals("/a/users/alice", created.raw().headers().firstValue("Location").orElse(""));
    assertFalse(created.raw().body().toLowerCase().contains("password"), "no password or hash in the answer");
    assertStatus(409, api.send("POST", "/a/users", admin, Map.of("login", "alice", "password", "another-pass")));
    assertError(400, "password", api.send("POST", "/a/users", admin, Map.of("login", "bob")));
    assertStatus(400, api.send("POST", "/a/users", admin, Map.of("login", "bob", "password", "short")));
    assertStatus(400, api.send("POST", "/a/users", admin, Map.of("login", "bad login", "password", "long-enough")));
    assertStatus(400, api.send("POST", "/a/users", admin, Map.of("login", "bob", "password", "long-enough", "displayName", "x".repeat(300))));
    assertError(400, "unknown field 'nickname'", api.send("POST", "/a/users", admin, Map.of("login", "bob", "password", "long-enough", "nickname", "b")));
    assertError(400, "malformed JSON", api.send("POST", "/a/users", admin, "{\"login\": \"bob\","));
    assertError(400, "unknown role 'ghost'", api.send("POST", "/a/users", admin, Map.of("login", "bob", "password", "long-enough", "roles", List.of("ghost"))));
    assertStatus(400, api.get("/a/users?limit=0", admin));
    assertStatus(400, api.get("/a/users?offset=-1", admin));
    assertStatus(405, api.send("PUT", "/a/users", admin, null));
    assertStatus(404, api.get("/a/users/ghost", admin));
    assertStatus(404, api.get("/a/no-such-thing", admin));

    // authentication and authorization
    assertStatus(401, api.get("/a/users", null));
    assertStatus(401, api.get("/a/users", "not.a.jwt"));
    Api.Reply aliceLogin = api.login("alice", "alice-pass-1");
    assertStatus(200, aliceLogin);
    assertEquals("Bearer", aliceLogin.text("token_type"));
    assertTrue(aliceLogin.json().get("expires_in").asLong() > 0);
    String alice = aliceLogin.text("access_token");
    assertStatus(400, api.login("alice", "wrong-password"));
    assertEquals("invalid_grant", api.login("alice", "wrong-password").text("error"));
    assertStatus(403, api.get("/a/users", alice));
    assertStatus(403, api.get("/a/users/admin", alice));
    assertStatus(403, api.send("POST", "/a/roles", alice, Map.of("id", "mine")));
    assertEquals("editors", api.get("/a/users/alice", alice).json().get("roles").get(0).asText());
    assertEquals("Alice L.", api.send("PATCH", "/a/users/alice", alice, Map.of("displayName", "Alice L.")).text("displayName"));
    assertStatus(403, api.send("PATCH", "/a/users/alice", alice, Map.of("roles", List.of("admin"))));
    assertStatus(400, api.send("PATCH", "/a/users/alice", alice, Map.of("password", "alice-pass-2")));
    assertStatus(403, api.send("PATCH", "/a/users/alice", alice, Map.of("password", "alice-pass-2", "currentPassword", "nope")));
    assertStatus(200, api.send("PATCH", "/a/users/alice", alice, Map.of("password", "alice-pass-2", "currentPassword", "alice-pass-1")));
    Api.Reply aliceAgain = api.login("alice", "alice-pass-2");
    assertStatus(200, aliceAgain);
    String aliceRefresh = aliceAgain.text("refresh_token");

    // list, search, paging (read model: poll until it caught up)
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", "carol", "password", "carol-pass-1")));
    JsonNode page = poll(() -> api.get("/a/users?filter=ali", admin).json(), p -> p.get("total").asLong() == 1);
    assertEquals("alice", page.get("items").get(0).get("login").asText());
    JsonNode all = poll(() -> api.get("/a/users?limit=2&offset=0", admin).json(), p -> p.get("total").asLong() == 3);
    assertEquals(2, all.get("items").size());
    assertEquals(1, api.get("/a/users?limit=2&offset=2", admin).json().get("items").size());

    // delete
    assertStatus(204, api.send("DELETE", "/a/users/carol", admin, null));
    assertStatus(404, api.get("/a/users/carol", admin));
    assertStatus(404, api.send("DELETE", "/a/users/carol", admin, null));
    assertStatus(409, api.send("DELETE", "/a/users/admin", admin, null));
    poll(() -> api.get("/a/users", admin).json(), p -> p.get("total").asLong() == 2);

    // graceful stop, start on the same data: everything is there, tokens issued before still work
    node.stop();
    node.start();
    Api after = new Api(node.url());
    assertEquals("Alice L.", after.get("/a/users/alice", admin).text("displayName"), "admin's token from before the restart");
    assertStatus(200, after.login("alice", "alice-pass-2"));
    assertStatus(400, after.login("alice", "alice-pass-1"));
    assertEquals("Editors!", after.get("/a/roles/editors", admin).text("label"));
    assertStatus(404, after.get("/a/users/carol", admin));
    assertEquals(2, after.get("/a/users", admin).json().get("total").asLong());
    Api.Reply refreshed = after.form("/oidc/oauth2/token", Map.of("grant_type", "refresh_token", "refresh_token", aliceRefresh));
    assertStatus(200, refreshed);
    assertNotEquals(aliceRefresh, refreshed.text("refresh_token"));
    assertNotNull(refreshed.text("access_token"));
  }

  static void assertStatus(int expected, Api.Reply reply) {
    assertEquals(expected, reply.status(), () -> "body: " + reply.raw().body());
    if (expected >= 400) {
      assertTrue(reply.json() != null && reply.json().has("error"), () -> "JSON error body expected, got: " + reply.raw().body());
    }
  }

  static void assertError(int expected, String fragment, Api.Reply reply) {
    assertStatus(expected, reply);
    assertTrue(reply.raw().body().contains(fragment), () -> "expected '" + fragment + "' in " + reply.raw().body());
  }

  interface Call<T> {
    T get() throws Exception;
  }

  static <T> T poll(Call<T> call, Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + 15_000_000_000L;
    T last = call.get();
    while (!done.test(last)) {
      if (System.nanoTime() > deadline) throw new AssertionError("condition not reached within 15 s; last: " + last);
      Thread.sleep(100);
      last = call.get();
    }
    return last;
  }
}
