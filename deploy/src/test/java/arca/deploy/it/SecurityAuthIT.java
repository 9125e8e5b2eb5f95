package arca.deploy.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11, items 3, 6 and 7 on a real node: one login throttle for every face that takes a password (token
 * endpoint, WebDAV Basic with the password, WebDAV Basic with an app password under the login or the key id), raced
 * in parallel; sessions ending on password and role changes and on deletion, on /a, /io and /dav; and a new account
 * with a deleted user's login starting empty. The node's throttle: 5 failures lock an account for 30 s.
 */
class SecurityAuthIT {
  private static final int MAX_FAILURES = 5;
  private static final String PASSWORD = "a-long-password-1";
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private static Api api;
  private static String admin;

  @BeforeAll
  static void node() throws Exception {
    api = SharedNode.api();
    admin = api.token("admin", SharedNode.ADMIN_PASSWORD);
  }

  // ------------------------------------------------------------------ helpers

  private static JsonNode createUser(String login, String... roles) throws Exception {
    Api.Reply r = api.send("POST", "/a/users", admin, Map.of("login", login, "password", PASSWORD, "roles", List.of(roles)));
    assertEquals(201, r.status(), r.raw().body());
    return r.json();
  }

  private static int basic(String method, String path, String user, String password) throws Exception {
    return dav(method, path, user, password).statusCode();
  }

  /** A WebDAV request with Basic credentials (PROPFIND with Depth 1). */
  private static HttpResponse<String> dav(String method, String path, String user, String password) throws Exception {
    String credentials = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base() + path)).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Basic " + credentials).method(method, HttpRequest.BodyPublishers.noBody());
    if (method.equals("PROPFIND")) b.header("Depth", "1");
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Runs the calls all at once; the statuses they answered, counted. */
  private static Map<Integer, Integer> parallel(String what, List<Callable<Integer>> calls) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(calls.size());
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (Callable<Integer> c : calls) answers.add(pool.submit(c));
      Map<Integer, Integer> counts = new TreeMap<>();
      for (Future<Integer> a : answers) counts.merge(a.get(), 1, Integer::sum);
      System.out.println("[SecurityAuthIT] " + what + ": statuses " + counts);
      return counts;
    } finally {
      pool.shutdownNow();
    }
  }

  private static List<Callable<Integer>> times(int n, Callable<Integer> call) {
    List<Callable<Integer>> calls = new ArrayList<>();
    for (int i = 0; i < n; i++) calls.add(call);
    return calls;
  }

  private static void assertLocked(Api.Reply login) {
    assertEquals(429, login.status(), login.raw().body());
    assertTrue(login.raw().headers().firstValue("Retry-After").isPresent(), "429 carries Retry-After");
  }

  /** 12 parallel wrong guesses: at most max-failures are checked (each a wrong-credentials answer), the rest 429. */
  private static void assertGuessesBounded(Map<Integer, Integer> counts, int wrong) {
    int checked = counts.getOrDefault(wrong, 0);
    assertTrue(checked >= 1 && checked <= MAX_FAILURES, "wrong-password answers " + counts);
    assertEquals(12, checked + counts.getOrDefault(429, 0), "only " + wrong + " and 429: " + counts);
  }

  private static Map<String, String> createKey(String token) throws Exception {
    Api.Reply key = api.send("POST", "/a/access-keys", token, Map.of("label", "it"));
    assertEquals(201, key.status(), key.raw().body());
    return Map.of("id", key.text("accessKeyId"), "secret", key.text("secretAccessKey"));
  }

  /** A presigned GET of {@code /io/<key>} with an access key, as an S3 client makes it. */
  private static int ioGet(Map<String, String> accessKey, String key) throws Exception {
    try (S3Presigner presigner = S3Presigner.builder().endpointOverride(URI.create(api.base())).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey.get("id"), accessKey.get("secret"))))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
      URI url = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
          .getObjectRequest(g -> g.bucket("io").key(key))).url().toURI();
      return HTTP.send(HttpRequest.newBuilder(url).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
  }

  private static Api.Reply refresh(String refreshToken) throws Exception {
    return api.form("/oidc/oauth2/token", Map.of("grant_type", "refresh_token", "refresh_token", refreshToken));
  }

  // ------------------------------------------------------------------ item 3: one throttle for every face

  @Test
  void parallelGuessesOnTheTokenEndpointCannotPassTheLimit() throws Exception {
    String login = SharedNode.newLogin("race-token");
    createUser(login);
    Map<Integer, Integer> counts = parallel("12 wrong logins at once",
        times(12, () -> api.login(login, "wrong-" + UUID.randomUUID()).status()));
    assertGuessesBounded(counts, 400);
    assertLocked(api.login(login, PASSWORD));
  }

  @Test
  void guessesOverWebDavBasicLockTheTokenEndpointAndTheReverse() throws Exception {
    String viaDav = SharedNode.newLogin("race-dav");
    createUser(viaDav);
    Map<Integer, Integer> counts = parallel("12 wrong WebDAV Basic passwords at once",
        times(12, () -> basic("PROPFIND", "/dav/", viaDav, "wrong-" + UUID.randomUUID())));
    assertGuessesBounded(counts, 401);
    assertLocked(api.login(viaDav, PASSWORD));
    assertEquals(429, basic("PROPFIND", "/dav/", viaDav, PASSWORD), "the right password over Basic while locked");

    String viaToken = SharedNode.newLogin("race-rev");
    createUser(viaToken);
    for (int i = 0; i < MAX_FAILURES; i++) assertEquals(400, api.login(viaToken, "wrong-" + i).status());
    HttpResponse<String> locked = dav("PROPFIND", "/dav/", viaToken, PASSWORD);
    assertEquals(429, locked.statusCode(), "failures at the token endpoint lock WebDAV Basic");
    assertTrue(locked.headers().firstValue("Retry-After").isPresent());
  }

  @Test
  void appPasswordGuessesCountAgainstTheOwnersAccount() throws Exception {
    for (boolean keyIdAsUser : new boolean[] {true, false}) {
      String login = SharedNode.newLogin("race-app");
      createUser(login);
      Map<String, String> key = createKey(api.token(login, PASSWORD));
      String user = keyIdAsUser ? key.get("id") : login;
      assertEquals(207, basic("PROPFIND", "/dav/", user, key.get("secret")), "the app password works");
      Map<Integer, Integer> counts = parallel("12 wrong app passwords at once as " + (keyIdAsUser ? "the key id" : "the login"),
          times(12, () -> basic("PROPFIND", "/dav/", user, "wrong-" + UUID.randomUUID())));
      assertGuessesBounded(counts, 401);
      assertLocked(api.login(login, PASSWORD));
      assertEquals(429, basic("PROPFIND", "/dav/", login, PASSWORD), "the password over Basic is locked too");
    }
  }

  @Test
  void fortyParallelLoginsAnswerOnly200400Or429() throws Exception {
    String right = SharedNode.newLogin("forty");
    createUser(right);
    Map<Integer, Integer> correct = parallel("40 correct logins at once", times(40, () -> api.login(right, PASSWORD).status()));
    assertTrue(correct.getOrDefault(200, 0) >= 1, correct.toString());
    assertEquals(40, correct.getOrDefault(200, 0) + correct.getOrDefault(429, 0), correct.toString());

    String wrong = SharedNode.newLogin("forty-w");
    createUser(wrong);
    Map<Integer, Integer> guesses = parallel("40 wrong logins at once",
        times(40, () -> api.login(wrong, "wrong-" + UUID.randomUUID()).status()));
    assertEquals(40, guesses.getOrDefault(400, 0) + guesses.getOrDefault(429, 0), guesses.toString());

    Map<Integer, Integer> dav = parallel("40 WebDAV Basic sign-ins at once",
        times(40, () -> basic("PROPFIND", "/dav/", right, PASSWORD)));
    assertEquals(40, dav.getOrDefault(207, 0) + dav.getOrDefault(429, 0), dav.toString());
  }

  // ------------------------------------------------------------------ item 6: sessions end when credentials change

  @Test
  void ownPasswordChangeEndsTheOtherSessionsOnly() throws Exception {
    String login = SharedNode.newLogin("own-pw");
    createUser(login);
    Api.Reply current = api.login(login, PASSWORD);
    Api.Reply other = api.login(login, PASSWORD);
    Api.Reply changed = api.send("PATCH", "/a/users/" + login, current.text("access_token"),
        Map.of("password", "a-new-long-password", "currentPassword", PASSWORD));
    assertEquals(200, changed.status(), changed.raw().body());

    assertEquals(200, api.get("/a/users/" + login, current.text("access_token")).status(), "the session that changed it lives");
    assertEquals(200, refresh(current.text("refresh_token")).status());
    assertEquals(401, api.get("/a/users/" + login, other.text("access_token")).status(), "another session's access token");
    assertEquals(400, refresh(other.text("refresh_token")).status(), "another session's refresh token");
    assertEquals(401, basic("PROPFIND", "/dav/", login, PASSWORD), "the old password over Basic");
    assertEquals(207, basic("PROPFIND", "/dav/", login, "a-new-long-password"));
  }

  @Test
  void adminPasswordChangeEndsEverySession() throws Exception {
    String login = SharedNode.newLogin("adm-pw");
    createUser(login);
    Api.Reply a = api.login(login, PASSWORD);
    Api.Reply b = api.login(login, PASSWORD);
    assertEquals(207, basic("PROPFIND", "/dav/", login, PASSWORD), "a cached Basic credential");
    assertEquals(200, api.send("PATCH", "/a/users/" + login, admin, Map.of("password", "set-by-the-admin")).status());
    for (Api.Reply s : List.of(a, b)) {
      assertEquals(401, api.get("/a/users/" + login, s.text("access_token")).status());
      assertEquals(400, refresh(s.text("refresh_token")).status());
    }
    assertEquals(401, basic("PROPFIND", "/dav/", login, PASSWORD), "the cached Basic credential is void at once");
  }

  @Test
  void aDemotedAdminLosesAdminReachOnEveryFaceAtTheNextRequest() throws Exception {
    String slug = "sec-auth-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(201, api.send("POST", "/a/workspaces", admin,
        Map.of("slug", slug, "root", Map.of("datasource", "default", "path", slug))).status());
    assertEquals(200, api.putBytes("/io/" + slug + "/admins-only.txt", admin, "x".getBytes(StandardCharsets.UTF_8)).statusCode());
    try {
      String login = SharedNode.newLogin("demoted");
      createUser(login, "admin");
      Api.Reply session = api.login(login, PASSWORD);
      String token = session.text("access_token");
      Map<String, String> key = createKey(token);
      assertEquals(200, api.get("/a/users", token).status());
      assertEquals(200, ioGet(key, slug + "/admins-only.txt"));
      assertEquals(200, basic("GET", "/dav/" + slug + "/admins-only.txt", login, PASSWORD));

      assertEquals(200, api.send("PATCH", "/a/users/" + login, admin, Map.of("roles", List.of())).status());

      int next = api.get("/a/users", token).status();
      assertTrue(next == 401 || next == 403, "the old token on an admin route: " + next);
      assertNotEquals(200, ioGet(key, slug + "/admins-only.txt"), "/io with the access key");
      int dav = basic("GET", "/dav/" + slug + "/admins-only.txt", login, PASSWORD);
      assertTrue(dav == 403 || dav == 404, "/dav Basic: " + dav);
      // no new login needed: a refresh brings a token with the new roles
      Api.Reply refreshed = refresh(session.text("refresh_token"));
      assertEquals(200, refreshed.status(), refreshed.raw().body());
      assertEquals(403, api.get("/a/users", refreshed.text("access_token")).status());
      assertEquals(200, api.get("/a/users/" + login, refreshed.text("access_token")).status());
    } finally {
      api.send("DELETE", "/a/workspaces/" + slug, admin, null);
    }
  }

  @Test
  void aDeletedUsersCredentialsAllStopAtOnce() throws Exception {
    String login = SharedNode.newLogin("deleted");
    createUser(login);
    Api.Reply session = api.login(login, PASSWORD);
    Map<String, String> key = createKey(session.text("access_token"));
    assertEquals(200, api.putBytes("/io/personal/mine.txt", session.text("access_token"), "mine".getBytes(StandardCharsets.UTF_8)).statusCode());
    assertEquals(200, ioGet(key, "personal/mine.txt"));
    assertEquals(207, basic("PROPFIND", "/dav/personal/", login, PASSWORD));
    assertEquals(207, basic("PROPFIND", "/dav/personal/", key.get("id"), key.get("secret")));

    assertEquals(204, api.send("DELETE", "/a/users/" + login, admin, null).status());

    assertEquals(401, api.get("/a/nodes", session.text("access_token")).status(), "access token");
    assertEquals(400, refresh(session.text("refresh_token")).status(), "refresh token");
    assertEquals(403, ioGet(key, "personal/mine.txt"), "access key on /io");
    assertEquals(401, basic("PROPFIND", "/dav/personal/", login, PASSWORD), "password on /dav");
    assertEquals(401, basic("PROPFIND", "/dav/personal/", key.get("id"), key.get("secret")), "app password on /dav");
  }

  // ------------------------------------------------------------------ item 7: a reused login starts empty

  @Test
  void aNewAccountWithADeletedUsersLoginInheritsNothing() throws Exception {
    String login = SharedNode.newLogin("reuse");
    String slug = "sec-reuse-" + UUID.randomUUID().toString().substring(0, 8);
    assertEquals(201, api.send("POST", "/a/workspaces", admin,
        Map.of("slug", slug, "root", Map.of("datasource", "default", "path", slug))).status());
    try {
      assertEquals(200, api.putBytes("/io/" + slug + "/granted.txt", admin, "g".getBytes(StandardCharsets.UTF_8)).statusCode());
      JsonNode old = createUser(login);
      assertNotNull(old.get("id"), "the user's JSON shows its id");
      assertEquals(201, api.send("POST", "/a/acls", admin,
          Map.of("workspace", slug, "path", "", "role", "user:" + login, "action", "read")).status());
      String oldToken = api.token(login, PASSWORD);
      Map<String, String> oldKey = createKey(oldToken);
      assertEquals(200, api.putBytes("/io/personal/old-secret.txt", oldToken, "secret".getBytes(StandardCharsets.UTF_8)).statusCode());
      assertEquals(200, api.get("/a/nodes/" + slug + "/granted.txt", oldToken).status());

      // deletion removes the grants the ACL list (a read model) shows: wait until it shows this one
      for (long until = System.nanoTime() + 10_000_000_000L; System.nanoTime() < until
          && api.get("/a/acls?role=user:" + login, admin).json().get("items").size() == 0; Thread.sleep(100)) {
        // the projection catches up
      }
      assertEquals(204, api.send("DELETE", "/a/users/" + login, admin, null).status());
      JsonNode again = createUser(login);
      assertNotEquals(old.get("id").asText(), again.get("id").asText(), "another account, another id");
      String token = api.token(login, PASSWORD);

      Api.Reply children = api.get("/a/nodes/personal?children", token);
      assertEquals(200, children.status(), children.raw().body());
      assertEquals(0, children.json().get("children").size(), "an empty personal workspace over /a: " + children.raw().body());
      HttpResponse<byte[]> list = api.getBytes("/io?list-type=2&prefix=personal/", token);
      assertEquals(200, list.statusCode());
      assertFalse(new String(list.body(), StandardCharsets.UTF_8).contains("old-secret"), "nothing over /io");
      assertEquals(404, api.getBytes("/io/personal/old-secret.txt", token).statusCode());
      HttpResponse<String> propfind = dav("PROPFIND", "/dav/personal/", login, PASSWORD);
      assertEquals(207, propfind.statusCode());
      assertFalse(propfind.body().contains("old-secret"), "nothing over /dav");

      // the ACL list is a read model, a moment behind the removal
      int grants = 1;
      for (long until = System.nanoTime() + 10_000_000_000L; grants > 0 && System.nanoTime() < until; Thread.sleep(100)) {
        grants = api.get("/a/acls?role=user:" + login, admin).json().get("items").size();
      }
      assertEquals(0, grants, "the grant is gone");
      // gateways keep ACL answers up to 5 s (README: ACL changes apply within 5 s), the removal included
      int granted = 200;
      for (long until = System.nanoTime() + 10_000_000_000L; granted == 200 && System.nanoTime() < until; Thread.sleep(250)) {
        granted = api.get("/a/nodes/" + slug + "/granted.txt", token).status();
      }
      assertTrue(granted == 403 || granted == 404, "the old account's ACL grant: " + granted);
      assertEquals(0, api.get("/a/access-keys", token).json().get("items").size(), "no access keys of the old account");
      assertEquals(403, ioGet(oldKey, "personal/old-secret.txt"), "the old account's access key");
    } finally {
      api.send("DELETE", "/a/workspaces/" + slug, admin, null);
    }
  }
}
