package arca.rest.files.io;

import arca.proto.policy.Effect;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroup;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Policies hold on every node an operation touches, whatever the face the policy names (a move's source and
 * destination, a copy's, a listing's folder), and listings leave out what an ACL or a policy keeps from the caller,
 * at every depth, with pages and totals that count only what is shown. /a/nodes and /io over the same fakes.
 */
class FileNodePoliciesRoutesTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static IoGateway gw;
  static String alice;
  static String bob;
  static String root;

  @BeforeAll
  static void start() {
    gw = new IoGateway("node-policies", true);
    alice = gw.token("alice");
    bob = gw.token("bob");
    root = gw.token("root", "admin");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void clean() {
    gw.policies.remove("no-bob");
    gw.permissions.denied.clear();
  }

  static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

  static void denyBob(List<String> resources, List<String> actions) {
    gw.policies.put(PolicyGroup.newBuilder().setId("no-bob").addPolicies(Policy.newBuilder().setId("p")
        .addSubjects("user:bob").addAllResources(resources).addAllActions(actions).setEffect(Effect.EFFECT_DENY)).build());
  }

  static void put(String key, String content) {
    assertEquals(200, gw.bearer(alice, "PUT", "/io/" + key, bytes(content)).status());
  }

  static IoGateway.Resp json(String token, String method, String target, String body) {
    return gw.bearer(token, method, target, bytes(body), "Content-Type", "application/json");
  }

  static void assertPolicyRefusal(IoGateway.Resp r) {
    assertEquals(403, r.status(), r::toString);
    assertTrue(r.text().contains("is denied by policy: policy ") && r.text().contains("no-bob"), r::toString);
  }

  static boolean exists(String key) {
    return gw.bearer(alice, "HEAD", "/io/" + key, new byte[0]).status() == 200;
  }

  @Test
  void aDeleteDenialWrittenForOneFaceStopsEveryRemovalOfTheNode() {
    put("common/keep/a.txt", "a");
    put("common/keep/b.txt", "b");
    put("common/out/c.txt", "c");
    denyBob(List.of("rest:/a/nodes/common/keep/<.*>"), List.of("DELETE"));

    assertPolicyRefusal(gw.bearer(bob, "DELETE", "/io/common/keep/a.txt", new byte[0]));
    assertPolicyRefusal(json(bob, "PATCH", "/a/nodes/common/keep/a.txt", "{\"to\": \"out/a.txt\"}"));
    assertPolicyRefusal(json(bob, "PATCH", "/a/nodes/common/out/c.txt", "{\"to\": \"keep/b.txt\", \"overwrite\": true}"));
    assertPolicyRefusal(json(bob, "PATCH", "/a/nodes/common/keep", "{\"to\": \"moved\"}"));
    assertTrue(exists("common/keep/a.txt") && exists("common/keep/b.txt") && exists("common/out/c.txt"), "nothing changed");
    // a folder holding the protected one cannot be moved or deleted either (its subtree would go with it)
    put("common/outer/keep2/x.txt", "x");
    denyBob(List.of("dav:common/outer/keep2/<.*>"), List.of("DELETE"));
    assertPolicyRefusal(gw.bearer(bob, "DELETE", "/a/nodes/common/outer", new byte[0]));
    assertPolicyRefusal(json(bob, "PATCH", "/a/nodes/common/outer", "{\"to\": \"elsewhere\"}"));
    assertTrue(exists("common/outer/keep2/x.txt"));

    gw.policies.remove("no-bob");
    assertEquals(200, json(bob, "PATCH", "/a/nodes/common/keep/a.txt", "{\"to\": \"out/a.txt\"}").status(), "allowed without it");
    assertEquals(200, gw.bearer(bob, "DELETE", "/a/nodes/common/outer", new byte[0]).status());
  }

  @Test
  void aDenialOfEverythingUnderAFolderStopsMovesAndCopiesIntoItAndItsListings() {
    put("common/free/f.txt", "f");
    put("common/vault/v.txt", "v");
    denyBob(List.of("io:common/vault/<.*>"), List.of("<.*>"));

    assertPolicyRefusal(json(bob, "POST", "/a/nodes/common/free/f.txt?action=copy", "{\"to\": \"vault/f.txt\"}"));
    assertPolicyRefusal(json(bob, "PATCH", "/a/nodes/common/free/f.txt", "{\"to\": \"vault/f.txt\"}"));
    assertPolicyRefusal(json(bob, "POST", "/a/nodes/common/vault/v.txt?action=copy", "{\"to\": \"free/v.txt\"}"));
    assertPolicyRefusal(json(bob, "POST", "/a/nodes/common/free?action=copy", "{\"to\": \"vault/free\"}"));
    assertPolicyRefusal(gw.bearer(bob, "GET", "/a/nodes/common/vault?children", new byte[0]));
    assertPolicyRefusal(gw.bearer(bob, "PUT", "/io/common/free/g.txt", bytes("g"), "x-amz-copy-source", "/io/common/vault/v.txt"));
    IoGateway.Resp list = gw.bearer(bob, "GET", "/io?list-type=2&prefix=" + q("common/vault/"), new byte[0]);
    assertEquals(403, list.status(), list::toString);
    assertEquals("AccessDenied", list.code());
    assertFalse(exists("common/vault/f.txt"));
    assertFalse(exists("common/free/v.txt"));
    assertTrue(exists("common/free/f.txt"));
    // the folder is gone from the listings of its parent, on both faces
    assertFalse(childNames(bob, "common", "").contains("vault"));
    assertFalse(gw.bearer(bob, "GET", "/io?list-type=2&prefix=common/", new byte[0]).text().contains("vault"));
    assertTrue(childNames(alice, "common", "").contains("vault"), "alice is not concerned");

    gw.policies.remove("no-bob");
    assertEquals(201, json(bob, "POST", "/a/nodes/common/free/f.txt?action=copy", "{\"to\": \"vault/f.txt\"}").status());
  }

  @Test
  void listingsLeaveOutWhatAnAclDeniesAtEveryDepthAndPageOverWhatIsShown() {
    for (String name : List.of("a", "b", "c", "d")) put("common/team/docs/" + name + ".txt", name);
    put("common/team/docs/private/secret.txt", "secret");
    put("common/team/docs/private/deeper/more.txt", "more");
    put("common/team/docs/privately.txt", "shown");
    gw.permissions.denied.add("common/team/docs/private");

    // S3, recursive and delimited, in pages of one: every visible key once, nothing of the denied folder
    for (String prefix : List.of("common/team/", "common/team/docs/", "common/")) {
      List<String> keys = s3Keys(bob, prefix, false);
      assertFalse(keys.stream().anyMatch(k -> k.contains("/private/")), keys::toString);
      assertTrue(keys.contains("common/team/docs/privately.txt") && keys.contains("common/team/docs/d.txt"), keys::toString);
      assertEquals(keys.stream().distinct().toList(), keys, "no key repeats");
      assertTrue(s3Keys(root, prefix, false).contains("common/team/docs/private/secret.txt"), "the ACL concerns users only");
    }
    assertEquals(List.of("common/team/docs/a.txt", "common/team/docs/b.txt", "common/team/docs/c.txt", "common/team/docs/d.txt",
        "common/team/docs/privately.txt"), s3Keys(bob, "common/team/docs/", true));
    IoGateway.Resp direct = gw.bearer(bob, "GET", "/io?list-type=2&prefix=" + q("common/team/docs/private/"), new byte[0]);
    assertEquals("0", direct.first("KeyCount"), direct::toString);
    assertFalse(direct.text().contains("secret"));

    // /a/nodes: hidden from the children, counted nowhere, cursor and offset pages of one give each child once
    JsonNode page = children(bob, "common/team/docs", "");
    assertEquals(5, page.get("total").asInt(), page::toString);
    List<String> byCursor = new ArrayList<>();
    String cursor = "";
    for (int i = 0; i < 20; i++) {
      JsonNode p = children(bob, "common/team/docs", "&limit=1" + (cursor.isEmpty() ? "" : "&cursor=" + q(cursor)));
      p.get("children").forEach(c -> byCursor.add(c.get("name").asText()));
      if (!p.has("nextCursor")) break;
      cursor = p.get("nextCursor").asText();
    }
    assertEquals(List.of("a.txt", "b.txt", "c.txt", "d.txt", "privately.txt"), byCursor);
    List<String> byOffset = new ArrayList<>();
    for (int offset = 0; offset < 6; offset++) {
      children(bob, "common/team/docs", "&limit=1&offset=" + offset).get("children").forEach(c -> byOffset.add(c.get("name").asText()));
    }
    assertEquals(byCursor, byOffset);
    assertEquals(6, children(root, "common/team/docs", "").get("total").asInt());

    // the recycle bin: an entry from the denied folder is neither listed, counted, restored nor purged
    JsonNode trashed = read(gw.bearer(root, "DELETE", "/a/nodes/common/team/docs/private/secret.txt", new byte[0]));
    String uuid = trashed.get("uuid").asText();
    JsonNode bin = read(gw.bearer(bob, "GET", "/a/trash/common", new byte[0]));
    assertFalse(bin.toString().contains("secret"), bin::toString);
    assertEquals(404, gw.bearer(bob, "POST", "/a/trash/common/" + uuid + "?action=restore", bytes("{\"to\": \"open.txt\"}")).status());
    assertEquals(404, gw.bearer(bob, "DELETE", "/a/trash/common/" + uuid, new byte[0]).status());
    assertTrue(read(gw.bearer(root, "GET", "/a/trash/common", new byte[0])).toString().contains("secret"));
  }

  @Test
  void aPolicyDenyingReadsHidesLikeAnAcl() {
    put("common/pol/open.txt", "o");
    put("common/pol/hidden/h.txt", "h");
    denyBob(List.of("rest:/a/nodes/common/pol/hidden<(/.*)?>"), List.of("GET"));
    assertEquals(List.of("open.txt"), childNames(bob, "common", "pol"));
    assertEquals(List.of("common/pol/open.txt"), s3Keys(bob, "common/pol/", false));
    assertEquals(403, gw.bearer(bob, "GET", "/io/common/pol/hidden/h.txt", new byte[0]).status());
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static JsonNode read(IoGateway.Resp r) {
    assertTrue(r.status() < 300, r::toString);
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static JsonNode children(String token, String folder, String query) {
    return read(gw.bearer(token, "GET", "/a/nodes/" + folder + "?children" + query, new byte[0]));
  }

  static List<String> childNames(String token, String ws, String path) {
    List<String> out = new ArrayList<>();
    children(token, ws + (path.isEmpty() ? "" : "/" + path), "").get("children").forEach(c -> out.add(c.get("name").asText()));
    return out;
  }

  /** Every key (and common prefix, delimited) under a prefix, one per page. */
  static List<String> s3Keys(String token, String prefix, boolean delimited) {
    List<String> out = new ArrayList<>();
    String next = null;
    for (int i = 0; i < 50; i++) {
      IoGateway.Resp r = gw.bearer(token, "GET", "/io?list-type=2&max-keys=1&prefix=" + q(prefix)
          + (delimited ? "&delimiter=/" : "") + (next == null ? "" : "&continuation-token=" + q(next)), new byte[0]);
      assertEquals(200, r.status(), r::toString);
      out.addAll(r.all("Key"));
      if (!r.first("IsTruncated").equals("true")) return out;
      next = r.first("NextContinuationToken");
    }
    throw new AssertionError("the listing does not end: " + out);
  }
}
