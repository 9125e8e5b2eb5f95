package arca.rest.files.io;

import arca.proto.policy.Effect;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The policy gate on /io: resources io:<key> (io: for the bucket), the method as action; a denied request is S3's
 * AccessDenied, whichever way the caller authenticated, and the keys a request names besides its own (a copy's
 * source, a multi-object delete's keys) are checked too.
 */
class S3PolicyRoutesTest {
  static IoGateway gw;
  static String alice;
  static String bob;
  static IoGateway.Key bobKey;

  @BeforeAll
  static void start() {
    gw = new IoGateway("s3-policies", true);
    alice = gw.token("alice");
    bob = gw.token("bob");
    bobKey = gw.accessKey("bob");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void noDeny() {
    gw.policies.remove("no-bob");
  }

  static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

  static void denyBob(List<String> resources, List<String> actions) {
    gw.policies.put(PolicyGroup.newBuilder().setId("no-bob").addPolicies(Policy.newBuilder().setId("p")
        .addSubjects("user:bob").addAllResources(resources).addAllActions(actions).setEffect(Effect.EFFECT_DENY)).build());
  }

  static void assertDenied(IoGateway.Resp r) {
    assertEquals(403, r.status(), r::toString);
    assertEquals("AccessDenied", r.code(), r::toString);
    assertTrue(r.first("Message").contains("denied by policy"), r::toString);
  }

  @Test
  void aDeniedKeyIsAccessDeniedForBearerAndSignatureAlike() {
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/secret/a.txt", bytes("a")).status());
    assertEquals(200, gw.bearer(bob, "GET", "/io/common/secret/a.txt", new byte[0]).status());
    denyBob(List.of("io:common/secret/<.*>"), List.of("GET", "HEAD"));

    assertDenied(gw.bearer(bob, "GET", "/io/common/secret/a.txt", new byte[0]));
    assertDenied(gw.signed(bobKey, "GET", "/io/common/secret/a.txt", new byte[0]));
    assertEquals(403, gw.bearer(bob, "HEAD", "/io/common/secret/a.txt", new byte[0]).status());
    assertEquals(200, gw.bearer(alice, "GET", "/io/common/secret/a.txt", new byte[0]).status(), "alice is not concerned");
    assertEquals(200, gw.bearer(bob, "PUT", "/io/common/secret/b.txt", bytes("b")).status(), "nor other actions");
    assertEquals("NoSuchKey", gw.bearer(bob, "GET", "/io/common/open.txt", new byte[0]).code(),
        "nor other keys (a missing one answers NoSuchKey, not AccessDenied)");

    gw.policies.remove("no-bob");
    assertEquals(200, gw.bearer(bob, "GET", "/io/common/secret/a.txt", new byte[0]).status(), "access is back");
  }

  @Test
  void keysInsideTheRequestAreCheckedToo() {
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/vault/src.txt", bytes("src")).status());
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/vault/x", bytes("x")).status());
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/free/y", bytes("y")).status());
    denyBob(List.of("io:common/vault/<.*>"), List.of("GET", "DELETE"));

    assertDenied(gw.bearer(bob, "PUT", "/io/common/free/copy.txt", new byte[0], "x-amz-copy-source", "/io/common/vault/src.txt"));
    String xml = "<Delete><Object><Key>common/vault/x</Key></Object><Object><Key>common/free/y</Key></Object></Delete>";
    IoGateway.Resp r = gw.bearer(bob, "POST", "/io?delete", bytes(xml), "Content-Type", "application/xml");
    assertEquals(200, r.status(), r::toString);
    assertEquals(List.of("common/free/y"), r.all("Deleted").stream().map(d -> d.replaceAll(".*<Key>(.*)</Key>.*", "$1")).toList());
    assertTrue(r.text().contains("<Key>common/vault/x</Key><Code>AccessDenied</Code>"), r::toString);
    assertEquals(200, gw.bearer(alice, "GET", "/io/common/vault/x", new byte[0]).status(), "the denied key is still there");
  }

  @Test
  void bucketRequestsAreTheResourceIo() {
    assertEquals(200, gw.bearer(bob, "GET", "/io?list-type=2&prefix=common/", new byte[0]).status());
    denyBob(List.of("io:"), List.of("GET"));
    assertDenied(gw.bearer(bob, "GET", "/io?list-type=2&prefix=common/", new byte[0]));
    assertEquals(200, gw.bearer(alice, "GET", "/io?list-type=2&prefix=common/", new byte[0]).status());
  }
}
