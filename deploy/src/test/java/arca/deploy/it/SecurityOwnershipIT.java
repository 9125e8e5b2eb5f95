package arca.deploy.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Security, on the shared node: resources addressed by id answer only their owner (folder copy jobs), and one user
 * cannot block a shared workspace with a WebDAV lock: timeouts are capped (Infinite included) and the workspace's
 * managers (admins; a user in their own personal workspace) remove any lock, over WebDAV and /a/locks, while other
 * users cannot.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityOwnershipIT {
  private static final String LOCK_BODY = "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:lockinfo xmlns:D=\"DAV:\">"
      + "<D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype><D:owner>me</D:owner></D:lockinfo>";
  /** A day at most, seconds left as the answer is written. */
  private static final Pattern CAPPED = Pattern.compile("<D:timeout>Second-86(3[6-9]\\d|400)</D:timeout>");
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  Api api;
  String admin;
  String alice;
  String bob;
  String mallory;
  String ws;

  @BeforeAll
  void users() throws Exception {
    api = SharedNode.api();
    admin = api.token("admin", SharedNode.ADMIN_PASSWORD);
    alice = user("alice");
    bob = user("bob");
    mallory = user("mallory");
    ws = "team-" + UUID.randomUUID().toString().substring(0, 8);
    assertStatus(201, api.send("POST", "/a/workspaces", admin, Map.of("slug", ws, "root", Map.of("datasource", "default", "path", ws))));
    for (String action : new String[] {"read", "write"}) {
      assertStatus(201, api.send("POST", "/a/acls", admin, Map.of("workspace", ws, "path", "", "role", "everyone", "action", action)));
    }
  }

  private String user(String prefix) throws Exception {
    String login = SharedNode.newLogin(prefix);
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", login, "password", login + "-password")));
    return api.token(login, login + "-password");
  }

  @Test
  void aCopyJobAnswersOnlyItsOwnerAndAdmins() throws Exception {
    assertStatus(201, api.send("POST", "/a/nodes/personal/src/sub", alice, null));
    assertEquals(200, api.putBytes("/io/personal/src/sub/a.txt", alice, "hello".getBytes(StandardCharsets.UTF_8)).statusCode());
    Api.Reply copy = api.send("POST", "/a/nodes/personal/src?action=copy", alice, Map.of("to", "dst"));
    assertStatus(202, copy);
    String job = copy.text("jobId");
    assertStatus(200, api.get("/a/copy-jobs/" + job, alice));
    assertStatus(200, api.get("/a/copy-jobs/" + job, admin));
    Api.Reply other = api.get("/a/copy-jobs/" + job, bob);
    assertStatus(404, other);
    assertTrue(!other.raw().body().contains("filesCopied"), other.raw().body());
    assertStatus(401, api.get("/a/copy-jobs/" + job, null));
    assertStatus(404, api.get("/a/copy-jobs/" + UUID.randomUUID(), alice));
  }

  @Test
  void anInfiniteLockOnASharedRootIsCappedAndOnlyManagersRemoveIt() throws Exception {
    HttpResponse<String> locked = dav("LOCK", "/dav/" + ws + "/", mallory, LOCK_BODY, Map.of("Depth", "infinity", "Timeout", "Infinite"));
    assertEquals(200, locked.statusCode(), locked.body());
    assertTrue(CAPPED.matcher(locked.body()).find(), "Infinite is capped at a day: " + locked.body());
    String token = token(locked.body());
    assertEquals(423, dav("PUT", "/dav/" + ws + "/f.txt", bob, "x", Map.of()).statusCode(), "the lock holds for others");

    // other users may neither release it nor see the workspace's locks
    assertEquals(403, dav("UNLOCK", "/dav/" + ws + "/", bob, null, Map.of("Lock-Token", "<" + token + ">")).statusCode());
    assertStatus(403, api.get("/a/locks/" + ws + "/", bob));
    assertStatus(403, api.send("DELETE", "/a/locks/" + ws + "/", bob, null));
    assertStatus(401, api.get("/a/locks/" + ws + "/", null));
    assertEquals(423, dav("PUT", "/dav/" + ws + "/f.txt", bob, "x", Map.of()).statusCode(), "still locked");

    // an admin sees it and releases it over WebDAV with its token
    Api.Reply seen = api.get("/a/locks/" + ws + "/", admin);
    assertStatus(200, seen);
    JsonNode item = seen.json().get("items").get(0);
    assertEquals(token, item.get("token").asText());
    assertEquals(86_400, item.get("timeoutSeconds").asLong(), "the lock's timeout as kept");
    assertEquals("infinity", item.get("depth").asText());
    assertEquals(204, dav("UNLOCK", "/dav/" + ws + "/", admin, null, Map.of("Lock-Token", "<" + token + ">")).statusCode());
    assertEquals(201, dav("PUT", "/dav/" + ws + "/f.txt", bob, "x", Map.of()).statusCode(), "free again");

    // and over /a/locks, without knowing the token
    HttpResponse<String> again = dav("LOCK", "/dav/" + ws + "/", mallory, LOCK_BODY, Map.of("Depth", "infinity", "Timeout", "Second-999999"));
    assertTrue(CAPPED.matcher(again.body()).find(), again.body());
    String second = token(again.body());
    Api.Reply released = api.send("DELETE", "/a/locks/" + ws + "/", admin, null);
    assertStatus(200, released);
    assertEquals(second, released.json().get("released").get(0).asText());
    assertEquals(204, dav("PUT", "/dav/" + ws + "/f.txt", bob, "y", Map.of()).statusCode());

    // one lock by token, below the root
    HttpResponse<String> deep = dav("LOCK", "/dav/" + ws + "/f.txt", mallory, LOCK_BODY, Map.of("Depth", "0"));
    String third = token(deep.body());
    assertStatus(404, api.send("DELETE", "/a/locks/" + ws + "/?token=urn:uuid:" + UUID.randomUUID(), admin, null));
    assertStatus(200, api.send("DELETE", "/a/locks/" + ws + "/f.txt?token=" + third, admin, null));
    assertEquals(204, dav("PUT", "/dav/" + ws + "/f.txt", bob, "z", Map.of()).statusCode());
  }

  @Test
  void aUserManagesTheLocksOfTheirOwnPersonalWorkspace() throws Exception {
    assertEquals(201, dav("PUT", "/dav/personal/mine.txt", bob, "x", Map.of()).statusCode());
    String token = token(dav("LOCK", "/dav/personal/mine.txt", bob, LOCK_BODY, Map.of("Depth", "0")).body());
    Api.Reply seen = api.get("/a/locks/personal/", bob);
    assertStatus(200, seen);
    assertEquals(token, seen.json().get("items").get(0).get("token").asText());
    assertStatus(200, api.send("DELETE", "/a/locks/personal/mine.txt", bob, null));
    // somebody else's personal workspace is their own: alice sees no lock of bob's there
    assertEquals(0, api.get("/a/locks/personal/", alice).json().get("total").asInt());
  }

  @Test
  void aLockAboveAUsersOwnWorkspaceIsNotTheirsToSeeOrRemove() throws Exception {
    // a personal-scope workspace (each user's own folder below scratch) and an admin workspace over all of them,
    // locked at its root with depth infinity: the lock covers bob's folder but lies above his workspace
    String scratch = "scratch-" + UUID.randomUUID().toString().substring(0, 8);
    String mine = "mine-" + scratch.substring(8);
    assertStatus(201, api.send("POST", "/a/workspaces", admin, Map.of("slug", mine, "scope", "PERSONAL",
        "root", Map.of("datasource", "default", "path", scratch + "/{login}"))));
    assertStatus(201, api.send("POST", "/a/workspaces", admin, Map.of("slug", scratch, "root", Map.of("datasource", "default", "path", scratch))));
    assertEquals(201, dav("PUT", "/dav/" + mine + "/note.txt", bob, "x", Map.of()).statusCode());
    HttpResponse<String> locked = dav("LOCK", "/dav/" + scratch + "/", admin, LOCK_BODY, Map.of("Depth", "infinity", "Timeout", "Second-600"));
    assertEquals(200, locked.statusCode(), locked.body());
    String token = token(locked.body());
    try {
      assertStatus(200, api.get("/a/locks/" + mine + "/", bob));
      assertEquals(0, api.get("/a/locks/" + mine + "/", bob).json().get("total").asInt(), "not bob's workspace's lock");
      assertStatus(404, api.send("DELETE", "/a/locks/" + mine + "/?token=" + token, bob, null));
      assertEquals(403, dav("UNLOCK", "/dav/" + mine + "/", bob, null, Map.of("Lock-Token", "<" + token + ">")).statusCode());
      assertEquals(423, dav("PUT", "/dav/" + mine + "/note.txt", bob, "y", Map.of()).statusCode(), "the lock still holds");
      assertEquals(1, api.get("/a/locks/" + scratch + "/", admin).json().get("total").asInt(), "still there");
    } finally {
      assertEquals(204, dav("UNLOCK", "/dav/" + scratch + "/", admin, null, Map.of("Lock-Token", "<" + token + ">")).statusCode());
    }
  }

  private static String token(String lockAnswer) {
    Matcher m = Pattern.compile("<D:href>(urn:uuid:[^<]+)</D:href>").matcher(lockAnswer);
    assertTrue(m.find(), lockAnswer);
    return m.group(1);
  }

  private HttpResponse<String> dav(String method, String path, String token, String body, Map<String, String> headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base() + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (body != null && body.startsWith("<?xml")) b.header("Content-Type", "application/xml");
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
