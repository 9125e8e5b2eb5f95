package arca.rest.gate;

import arca.proto.policy.Effect;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroup;
import arca.rest.access.Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The matcher (literal and regex segments, whole-string match) and the decision (deny wins, deny by default). */
class PolicySetTest {
  static Policy policy(String id, Effect effect, List<String> subjects, List<String> resources, List<String> actions) {
    return Policy.newBuilder().setId(id).setEffect(effect).addAllSubjects(subjects).addAllResources(resources)
        .addAllActions(actions).build();
  }

  static PolicySet set(Policy... policies) {
    return PolicySet.of(List.of(PolicyGroup.newBuilder().setId("g").addAllPolicies(List.of(policies)).build()));
  }

  static boolean matches(String pattern, String value) {
    return PolicySet.pattern(pattern).test(value);
  }

  @Test
  void literalTextIsLiteralAndWholeString() {
    assertTrue(matches("rest:/a/nodes", "rest:/a/nodes"));
    assertFalse(matches("rest:/a/nodes", "rest:/a/nodes/x"), "a literal matches the whole string only");
    assertFalse(matches("rest:/a/nodes", "rest:/a/node"));
    assertFalse(matches("io:a.b", "io:aXb"), "a dot outside <> is a dot");
    assertTrue(matches("io:a.b", "io:a.b"));
    assertFalse(matches("rest:/a/(x)?", "rest:/a/"), "regex syntax outside <> is literal text");
    assertTrue(matches("rest:/a/(x)?", "rest:/a/(x)?"));
    assertFalse(matches("GET", "get"), "case-sensitive");
  }

  @Test
  void segmentsInAngleBracketsAreRegularExpressions() {
    assertTrue(matches("rest:/a/nodes/common/<.*>", "rest:/a/nodes/common/x/y.txt"));
    assertTrue(matches("rest:/a/nodes/common/<.*>", "rest:/a/nodes/common/"));
    assertFalse(matches("rest:/a/nodes/common/<.*>", "rest:/a/nodes/commons/x"));
    assertTrue(matches("rest:/a/nodes<(/.*)?>", "rest:/a/nodes"));
    assertTrue(matches("rest:/a/nodes<(/.*)?>", "rest:/a/nodes/"));
    assertFalse(matches("rest:/a/nodes<(/.*)?>", "rest:/a/nodesX"));
    assertFalse(matches("rest:/a/<nodes>", "rest:/a/nodes/x"), "a regex segment is anchored with the rest");
    assertTrue(matches("<GET|HEAD>", "HEAD"));
    assertFalse(matches("<GET|HEAD>", "GETX"), "alternation stays inside its segment");
    assertTrue(matches("role:<[a-z]+>-<[0-9]+>", "role:team-42"));
    assertTrue(matches("rest:/a/users/<(?<login>[^/]+)>", "rest:/a/users/bob"), "delimiters nest (named group)");
    assertFalse(matches("rest:/a/users/<(?<login>[^/]+)>", "rest:/a/users/bob/x"));
    assertTrue(matches("<.*>", ""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rest:/a/<[>", "rest:/a/<.*", "rest:/a/>", "<(>", "<*>", "a<b<c>"})
  void badPatternsAreRefused(String pattern) {
    assertThrows(IllegalArgumentException.class, () -> PolicySet.pattern(pattern));
  }

  static final List<String> BOB = List.of("user:bob", "profile:standard", "role:everyone", "role:staff");
  static final Policy STAFF_READS = policy("staff-reads", Effect.EFFECT_ALLOW, List.of("role:staff"),
      List.of("rest:/a/nodes<(/.*)?>"), List.of("GET", "HEAD"));
  static final Policy EVERYONE_WRITES = policy("everyone-writes", Effect.EFFECT_ALLOW, List.of("role:everyone"),
      List.of("rest:/a/nodes/<.*>"), List.of("<.*>"));
  static final Policy NO_BOB_DELETES = policy("no-bob-deletes", Effect.EFFECT_DENY, List.of("user:bob"),
      List.of("rest:/a/nodes/common/<.*>"), List.of("DELETE"));

  @Test
  void allowWhenAMatchingPolicyAllows() {
    PolicySet s = set(STAFF_READS);
    PolicyCheck.Decision d = s.decide(BOB, "rest:/a/nodes/common/a", "GET");
    assertTrue(d.allowed());
    assertTrue(d.reason().contains("staff-reads"), d::toString);
    assertFalse(s.decide(BOB, "rest:/a/nodes/common/a", "DELETE").allowed(), "the action must match");
    assertFalse(s.decide(List.of("user:carol", "role:everyone"), "rest:/a/nodes", "GET").allowed(), "the subject must match");
    assertFalse(s.decide(BOB, "rest:/a/users", "GET").allowed(), "the resource must match");
  }

  @Test
  void denyWinsWhateverTheOrder() {
    for (PolicySet s : List.of(set(EVERYONE_WRITES, NO_BOB_DELETES), set(NO_BOB_DELETES, EVERYONE_WRITES))) {
      PolicyCheck.Decision d = s.decide(BOB, "rest:/a/nodes/common/a.txt", "DELETE");
      assertFalse(d.allowed());
      assertEquals("policy 'no-bob-deletes' of group 'g' denies it", d.reason());
      assertTrue(s.decide(BOB, "rest:/a/nodes/personal/a.txt", "DELETE").allowed(), "deny only where it matches");
      assertTrue(s.decide(List.of("user:alice", "role:everyone"), "rest:/a/nodes/common/a.txt", "DELETE").allowed());
    }
  }

  @Test
  void denyByDefault() {
    PolicyCheck.Decision none = PolicySet.EMPTY.decide(BOB, "rest:/a/nodes", "GET");
    assertFalse(none.allowed());
    assertEquals("no policy allows it (deny by default)", none.reason());
    assertFalse(set(NO_BOB_DELETES).decide(BOB, "rest:/a/nodes/personal/x", "GET").allowed(),
        "a deny that does not match allows nothing either");
  }

  @Test
  void policiesOfAllGroupsCount() {
    PolicySet s = PolicySet.of(List.of(
        PolicyGroup.newBuilder().setId("a").addPolicies(EVERYONE_WRITES).build(),
        PolicyGroup.newBuilder().setId("b").addPolicies(NO_BOB_DELETES).build()));
    assertEquals(2, s.size());
    assertEquals("policy 'no-bob-deletes' of group 'b' denies it", s.decide(BOB, "rest:/a/nodes/common/x", "DELETE").reason());
  }

  @Test
  void aPolicyTheGatewayCannotCompileFailsClosed() {
    Policy brokenDeny = policy("broken", Effect.EFFECT_DENY, List.of("user:nobody"), List.of("rest:/<[>"), List.of("GET"));
    Policy brokenAllow = policy("broken", Effect.EFFECT_ALLOW, List.of("<.*>"), List.of("<(>"), List.of("<.*>"));
    assertFalse(set(EVERYONE_WRITES, brokenDeny).decide(BOB, "rest:/a/nodes/x", "PUT").allowed(),
        "a deny that does not compile denies every request");
    assertFalse(set(brokenAllow).decide(BOB, "rest:/a/nodes/x", "GET").allowed(), "an allow that does not compile allows nothing");
  }

  @Test
  void subjectsOfACaller() {
    assertEquals(List.of("user:bob", "profile:standard", "role:everyone", "role:staff", "role:ops"),
        PolicyCheck.subjectsOf(new Principal("bob", List.of("staff", "ops"), "s", "t", 0)));
    assertEquals(List.of("user:root", "profile:admin", "role:everyone", "role:admin"),
        PolicyCheck.subjectsOf(new Principal("root", List.of("admin"), "s", "t", 0)));
  }

  @Test
  void restResourcesAreDecodedPaths() {
    assertEquals("rest:/a/nodes/common/My Docs/é+1.txt", PolicyCheck.restResource("/a/nodes/common/My%20Docs/%C3%A9+1.txt"));
    assertEquals("rest:/a/users", PolicyCheck.restResource("/a/users"));
  }

  @Test
  void denialsOfNodesAndOfWhatMayLieBelowThem() {
    PolicySet s = set(
        policy("d", Effect.EFFECT_DENY, List.of("user:bob"), List.of("rest:/a/nodes/common/vault/<.*>", "io:<[^/]+>/deep/secret"), List.of("DELETE")),
        policy("a", Effect.EFFECT_ALLOW, List.of("<.*>"), List.of("<.*>"), List.of("<.*>")));
    assertEquals("policy 'd' of group 'g' denies it",
        s.denial(BOB, List.of("io:common/vault/x", "rest:/a/nodes/common/vault/x"), "DELETE").reason());
    assertEquals("rest:/a/nodes/common/vault/x", s.denial(BOB, List.of("io:common/vault/x", "rest:/a/nodes/common/vault/x"), "DELETE").resource());
    assertNull(s.denial(BOB, List.of("rest:/a/nodes/common/vault/x"), "GET"), "allows and other actions are no denial");
    assertNull(s.denial(List.of("user:alice"), List.of("rest:/a/nodes/common/vault/x"), "DELETE"));
    // below a folder: a literal or regex pattern that a longer name could still match
    assertNotNull(s.denialBelow(BOB, List.of("rest:/a/nodes/common/"), "DELETE"));
    assertNotNull(s.denialBelow(BOB, List.of("io:team/"), "DELETE"), "io:team/deep/secret may lie below");
    assertNotNull(s.denialBelow(BOB, List.of("io:team/deep/"), "DELETE"));
    assertNull(s.denialBelow(BOB, List.of("io:team/other/"), "DELETE"));
    assertNull(s.denialBelow(BOB, List.of("rest:/a/nodes/common/open/"), "DELETE"));
    assertNull(s.denialBelow(BOB, List.of("rest:/a/nodes/personal/"), "DELETE"));
  }
}
