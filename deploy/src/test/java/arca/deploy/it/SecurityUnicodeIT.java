package arca.deploy.it;

import java.net.URLEncoder;
import java.text.Normalizer;
import java.util.ArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Security, on the shared node: one name, one node, one decision. A name spelled in another Unicode form ("a" +
 * combining diaeresis for "ä", as macOS clients send it) reaches the same node as the tree keys it, so ACLs and
 * policies written with one spelling hold for the other on /a, /io and /dav, and listings hide it in both.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityUnicodeIT {
  private static final String NFC = "Gesch\u00e4ft";
  private static final String NFD_URL = "Gescha%CC%88ft";
  private static final String OFFICE_NFD_URL = "Bu%CC%88ro";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  Api api;
  String admin;
  String bob;
  String bobLogin;
  String ws;
  String group;

  @BeforeAll
  void setUp() throws Exception {
    api = SharedNode.api();
    admin = api.token("admin", SharedNode.ADMIN_PASSWORD);
    bobLogin = SharedNode.newLogin("unibob");
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", bobLogin, "password", bobLogin + "-password")));
    bob = api.token(bobLogin, bobLogin + "-password");
    ws = "uni-" + UUID.randomUUID().toString().substring(0, 8);
    assertStatus(201, api.send("POST", "/a/workspaces", admin, Map.of("slug", ws, "root", Map.of("datasource", "default", "path", ws))));
    for (String action : List.of("read", "write")) {
      assertStatus(201, api.send("POST", "/a/acls", admin, Map.of("workspace", ws, "path", "", "role", "everyone", "action", action)));
    }
    assertEquals(200, api.putBytes("/io/" + ws + "/" + enc(NFC) + "/q1.txt", admin, "secret".getBytes(StandardCharsets.UTF_8)).statusCode());
    assertEquals(200, api.putBytes("/io/" + ws + "/" + enc("B\u00fcro") + "/plan.txt", admin, "plan".getBytes(StandardCharsets.UTF_8)).statusCode());
    // the ACL in the composed spelling, the policy too
    assertStatus(201, api.send("POST", "/a/acls", admin, Map.of("workspace", ws, "path", NFC, "role", "user:" + bobLogin, "action", "deny")));
    group = "uni-" + UUID.randomUUID().toString().substring(0, 8);
    assertStatus(201, api.send("POST", "/a/policies", admin, Map.of("id", group, "policies", List.of(Map.of(
        "subjects", List.of("user:" + bobLogin), "resources", List.of("rest:/a/nodes/" + ws + "/B\u00fcro<(/.*)?>"),
        "actions", List.of("GET", "DELETE"), "effect", "deny")))));
    // both apply within the gateways' caches (5 s): wait until the composed spellings are refused
    for (int i = 0; i < 100; i++) {
      boolean acl = api.get("/a/nodes/" + ws + "/" + enc(NFC), bob).status() == 404;
      boolean policy = api.get("/a/nodes/" + ws + "/" + enc("B\u00fcro"), bob).status() == 403;
      if (acl && policy) break;
      Thread.sleep(100);
    }
  }

  @org.junit.jupiter.api.AfterAll
  void removePolicy() throws Exception {
    if (group != null) api.send("DELETE", "/a/policies/" + group, admin, null);
  }

  private static String enc(String name) {
    return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
  }

  @Test
  void anotherSpellingReachesNeitherTheDeniedFolderNorItsBytes() throws Exception {
    assertStatus(404, api.get("/a/nodes/" + ws + "/" + NFD_URL + "?children", bob));
    assertStatus(404, api.get("/a/nodes/" + ws + "/" + NFD_URL + "/q1.txt", bob));
    assertEquals(404, api.getBytes("/io/" + ws + "/" + NFD_URL + "/q1.txt", bob).statusCode());
    // S3 answers a delete of a key the caller cannot see as of a missing one (204): what counts is that it stays
    int deleted = send("DELETE", "/io/" + ws + "/" + NFD_URL + "/q1.txt", bob);
    assertTrue(deleted == 204 || deleted == 404 || deleted == 403, "delete over /io: " + deleted);
    assertTrue(send("DELETE", "/a/nodes/" + ws + "/" + NFD_URL, bob) >= 400);
    assertEquals(404, send("GET", "/dav/" + ws + "/" + NFD_URL + "/q1.txt", bob));
    assertTrue(api.send("PATCH", "/a/nodes/" + ws + "/" + NFD_URL, bob, Map.of("to", "stolen")).status() >= 400);
    // the policy's composed spelling holds for the decomposed one
    assertStatus(403, api.get("/a/nodes/" + ws + "/" + OFFICE_NFD_URL + "/plan.txt", bob));
    int officeDeleted = send("DELETE", "/io/" + ws + "/" + OFFICE_NFD_URL + "/plan.txt", bob);
    assertTrue(officeDeleted == 204 || officeDeleted == 403, "delete over /io: " + officeDeleted);
    assertTrue(send("DELETE", "/dav/" + ws + "/" + OFFICE_NFD_URL + "/plan.txt", bob) >= 400);
    // all still there
    assertEquals(200, api.getBytes("/io/" + ws + "/" + enc(NFC) + "/q1.txt", admin).statusCode());
    assertEquals(200, api.getBytes("/io/" + ws + "/" + enc("B\u00fcro") + "/plan.txt", admin).statusCode());
  }

  @Test
  void aNameSentDecomposedIsOneNodeUnderEitherSpelling() throws Exception {
    assertStatus(201, api.send("POST", "/a/nodes/" + ws + "/Cafe%CC%81", bob, null));
    assertStatus(200, api.get("/a/nodes/" + ws + "/" + enc("Caf\u00e9"), bob));
    String listing = api.get("/a/nodes/" + ws + "/?children", bob).raw().body();
    assertTrue(listing.contains("\"Caf\u00e9\""), listing);
    assertFalse(listing.contains("Gesch"), "the denied folder is hidden: " + listing);
    // a rename to the other spelling is a rename to itself: still one node, in one spelling
    int same = api.send("PATCH", "/a/nodes/" + ws + "/" + enc("Caf\u00e9"), bob, Map.of("to", "Cafe\u0301")).status();
    assertTrue(same < 500, "rename to the other spelling: " + same);
    List<String> names = new ArrayList<>();
    api.get("/a/nodes/" + ws + "/?children", bob).json().get("children").forEach(c -> names.add(c.get("name").asText()));
    assertEquals(1, names.stream().filter(n -> Normalizer.normalize(n, Normalizer.Form.NFC).equals("Caf\u00e9")).count(), names.toString());
    assertTrue(names.contains("Caf\u00e9"), names.toString());
  }

  private int send(String method, String path, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(api.base() + path)).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
