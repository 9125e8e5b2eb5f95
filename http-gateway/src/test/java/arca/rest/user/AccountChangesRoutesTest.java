package arca.rest.user;

import arca.proto.acl.Action;
import arca.proto.acl.GrantRequest;
import arca.proto.policy.Effect;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroup;
import arca.proto.token.CreateAccessKeyRequest;
import arca.proto.token.EndSessionsRequest;
import arca.proto.token.ListAccessKeysRequest;
import arca.rest.testsupport.Resp;
import arca.rest.testsupport.TestGateway;
import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a credential change through /a/users sets off ({@link AccountChanges}): the current password checked under
 * the account's throttle, sessions ended on password and role changes (at once on this gateway), and a deletion
 * ending everything and removing the grants that name the login.
 */
class AccountChangesRoutesTest {
  static TestGateway gw;
  static String admin;

  @BeforeAll
  static void start() {
    gw = new TestGateway("account-changes");
    admin = gw.adminToken();
    gw.users.put("root", "rootpw", "admin");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void reset() {
    gw.tokens.older = false;
  }

  /** A token of {@code login}'s session {@code sid}, issued a second ago (before any cut-off the test makes). */
  private static String token(String login, String sid, String... roles) {
    JWTClaimsSet.Builder c = gw.jwt.claims(login, roles).claim("sid", sid)
        .claim("iat_ms", System.currentTimeMillis() - 1_000);
    return gw.jwt.sign(c);
  }

  private static EndSessionsRequest lastEnd() {
    return gw.tokens.endSessions.get(gw.tokens.endSessions.size() - 1);
  }

  @Test
  void ownPasswordChangeEndsTheOtherSessionsAtOnceAndKeepsTheCallers() {
    gw.users.put("olga", "old-password", "user");
    String mine = token("olga", "sid-olga-mine", "user");
    String other = token("olga", "sid-olga-other", "user");
    int checks = gw.tokens.passwordChecks.size();

    Resp ok = gw.patchJson("/a/users/olga", mine, "{\"password\":\"new-password\",\"currentPassword\":\"old-password\"}");
    assertEquals(200, ok.status(), ok::toString);
    assertEquals(checks + 1, gw.tokens.passwordChecks.size(), "the current password went through the throttle");
    EndSessionsRequest end = lastEnd();
    assertEquals("olga", end.getLogin());
    assertTrue(end.getEndSessions());
    assertEquals("sid-olga-mine", end.getKeepSession());
    assertFalse(end.getDeleteAccessKeys());
    assertEquals(200, gw.get("/a/users/olga", mine).status(), "the caller's session lives");
    assertEquals(401, gw.get("/a/users/olga", other).status(), "another session ends on this gateway at once");
  }

  @Test
  void adminPasswordChangeEndsEverySession() {
    gw.users.put("pia", "old-password", "user");
    String a = token("pia", "sid-pia-a", "user");
    assertEquals(200, gw.get("/a/users/pia", a).status());
    assertEquals(200, gw.patchJson("/a/users/pia", admin, "{\"password\":\"set-by-admin\"}").status());
    assertEquals("", lastEnd().getKeepSession());
    assertTrue(lastEnd().getEndSessions());
    assertEquals(401, gw.get("/a/users/pia", a).status());
  }

  @Test
  void aRoleChangeVoidsEarlierAccessTokens() {
    gw.users.put("quinn", "pw", "admin");
    String old = token("quinn", "sid-quinn", "admin");
    assertEquals(200, gw.get("/a/users", old).status());
    assertEquals(200, gw.patchJson("/a/users/quinn", admin, "{\"roles\":[]}").status());
    assertFalse(lastEnd().getEndSessions(), "sessions live on: a refresh brings the new roles");
    assertEquals(401, gw.get("/a/users", old).status(), "the demoted admin's old token");
    String refreshed = gw.jwt.sign(gw.jwt.claims("quinn").claim("sid", "sid-quinn")
        .claim("iat_ms", System.currentTimeMillis() + 1));
    assertEquals(403, gw.get("/a/users", refreshed).status());
    assertEquals(200, gw.get("/a/users/quinn", refreshed).status());
  }

  @Test
  void anAdminDemotingThemselfLosesAdminRightsToo() {
    gw.users.put("vera", "pw", "admin");
    String vera = token("vera", "sid-vera", "admin");
    Resp demoted = gw.patchJson("/a/users/vera", vera, "{\"roles\":[],\"password\":\"a-new-one\"}");
    assertEquals(200, demoted.status(), demoted::toString);
    assertEquals(401, gw.get("/a/users", vera).status(), "their own token is void, though their session lives");
    assertTrue(gw.tokens.endSessions.stream().anyMatch(e -> e.getLogin().equals("vera") && e.getEndSessions()
        && e.getKeepSession().equals("sid-vera")), "the password change spares their session");
  }

  @Test
  void aProfileChangeEndsNothing() {
    gw.users.put("rita", "pw", "user");
    int before = gw.tokens.endSessions.size();
    assertEquals(200, gw.patchJson("/a/users/rita", admin, "{\"displayName\":\"Rita\"}").status());
    assertEquals(before, gw.tokens.endSessions.size());
  }

  @Test
  void wrongOrThrottledCurrentPasswordChangesNothing() {
    gw.users.put("sam", "old-password", "user");
    String sam = token("sam", "sid-sam", "user");
    assertEquals(403, gw.patchJson("/a/users/sam", sam, "{\"password\":\"x-new\",\"currentPassword\":\"guess\"}").status());
    gw.tokens.throttle("sam", 17L);
    Resp throttled = gw.patchJson("/a/users/sam", sam, "{\"password\":\"x-new\",\"currentPassword\":\"old-password\"}");
    assertEquals(429, throttled.status(), throttled::toString);
    assertEquals("17", throttled.header("Retry-After").orElseThrow());
    assertEquals("old-password", gw.users.password("sam"));
  }

  @Test
  void deletionEndsEverythingAndRemovesTheGrantsNamingTheLogin() {
    gw.users.put("tara", "pw", "user");
    String tara = token("tara", "sid-tara", "user");
    gw.tokens.createAccessKey(CreateAccessKeyRequest.newBuilder().setLogin("tara").build()).toCompletableFuture().join();
    gw.acls.grant(GrantRequest.newBuilder().setWorkspace("team").setPath("docs").setRole("user:tara")
        .setAction(Action.ACTION_READ).build()).toCompletableFuture().join();
    gw.acls.grant(GrantRequest.newBuilder().setWorkspace("team").setPath("docs").setRole("user:tarah")
        .setAction(Action.ACTION_READ).build()).toCompletableFuture().join();
    gw.policies.put(PolicyGroup.newBuilder().setId("names-tara").addPolicies(Policy.newBuilder().setId("p1")
            .addSubjects("user:tara").addResources("rest:/a/nodes").addActions("GET").setEffect(Effect.EFFECT_ALLOW))
        .addPolicies(Policy.newBuilder().setId("p2").addSubjects("user:tara").addSubjects("role:staff")
            .addResources("io:<.*>").addActions("DELETE").setEffect(Effect.EFFECT_DENY)).build());
    try {
      assertEquals(204, gw.delete("/a/users/tara", admin).status());

      assertTrue(lastEnd().getEndSessions() && lastEnd().getDeleteAccessKeys(), lastEnd().toString());
      assertEquals(0, gw.tokens.listAccessKeys(ListAccessKeysRequest.newBuilder().setLogin("tara").build())
          .toCompletableFuture().join().getKeysCount(), "the access keys are gone");
      assertEquals(401, gw.get("/a/users/tara", tara).status(), "the deleted user's token, at once");
      assertNull(gw.acls.stored("team", "docs", "user:tara", Action.ACTION_READ), "the ACL entry is gone");
      assertTrue(gw.acls.stored("team", "docs", "user:tarah", Action.ACTION_READ) != null, "another login's stays");
      PolicyGroup g = gw.policies.stored("names-tara");
      assertEquals(List.of("p2"), g.getPoliciesList().stream().map(Policy::getId).toList(), "a policy naming only tara is dropped");
      assertEquals(List.of("role:staff"), g.getPolicies(0).getSubjectsList(), "tara is no longer a subject");

      // deleting again answers 404 and finishes what a failed first attempt left
      gw.acls.grant(GrantRequest.newBuilder().setWorkspace("team").setPath("").setRole("user:tara")
          .setAction(Action.ACTION_WRITE).build()).toCompletableFuture().join();
      assertEquals(404, gw.delete("/a/users/tara", admin).status());
      assertNull(gw.acls.stored("team", "", "user:tara", Action.ACTION_WRITE));
    } finally {
      gw.policies.remove("names-tara");
    }
  }

  @Test
  void anOlderTokenServiceStillLetsUsersChangeTheirPassword() {
    gw.tokens.older = true;
    gw.users.put("uma", "old-password", "user");
    String uma = token("uma", "sid-uma", "user");
    assertEquals(403, gw.patchJson("/a/users/uma", uma, "{\"password\":\"x-new\",\"currentPassword\":\"guess\"}").status());
    Resp ok = gw.patchJson("/a/users/uma", uma, "{\"password\":\"x-new\",\"currentPassword\":\"old-password\"}");
    assertEquals(200, ok.status(), ok::toString);
    assertEquals("x-new", gw.users.password("uma"));
  }
}
