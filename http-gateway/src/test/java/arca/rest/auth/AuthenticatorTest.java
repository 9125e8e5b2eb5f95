package arca.rest.auth;

import akka.http.javadsl.server.Route;
import arca.grpc.Clients;
import arca.proto.token.AuthEvent;
import arca.proto.token.LoginCutoff;
import arca.proto.token.Revoked;
import arca.rest.module.RestContext;
import arca.rest.proxy.Proxy;
import arca.rest.role.RoleRoutes;
import arca.rest.testsupport.FakeTokenService;
import arca.rest.testsupport.Jwt;
import arca.rest.testsupport.Resp;
import arca.rest.testsupport.TestGateway;
import arca.rest.token.OidcRoutes;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Base64;
import java.util.Date;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bearer JWT verification and the authorization rules of the user and role routes. */
class AuthenticatorTest {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = new TestGateway("auth");
    gw.users.put("root", "rootpw", "admin");
    gw.users.put("alice", "alicepw", "user");
    gw.users.put("bob", "bobpw", "user");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  static void assert401(Resp r) {
    assertEquals(401, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"), r::toString);
    assertEquals("unauthorized", r.error());
    String challenge = r.header("WWW-Authenticate").orElseThrow(() -> new AssertionError("no WWW-Authenticate: " + r));
    assertTrue(challenge.startsWith("Bearer"), challenge);
  }

  static void assert403(Resp r) {
    assertEquals(403, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"), r::toString);
    assertEquals("forbidden", r.error());
  }

  // ---- authentication ----

  @Test
  void validAdminTokenIsAccepted() {
    assertEquals(200, gw.get("/a/users", gw.adminToken()).status());
    assertEquals(200, gw.get("/a/roles", gw.adminToken()).status());
  }

  @Test
  void noTokenIs401WithChallenge() {
    Resp r = gw.get("/a/users", null);
    assert401(r);
    assert401(gw.get("/a/roles", null));
    assert401(gw.get("/a/users/alice", null));
    assert401(gw.postJson("/a/users", null, "{\"login\":\"x\",\"password\":\"y\"}"));
  }

  @Test
  void otherAuthorizationSchemeIs401() {
    String basic = Base64.getEncoder().encodeToString("root:rootpw".getBytes());
    assert401(gw.send("GET", "/a/users", null, null, null, "Authorization", "Basic " + basic));
    assert401(gw.send("GET", "/a/users", null, null, null, "Authorization", gw.adminToken())); // no scheme
  }

  @ParameterizedTest
  @ValueSource(strings = {"garbage", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyb290In0.", "Bearer"})
  void garbageTokenIs401(String token) {
    Resp r = gw.get("/a/users", token);
    assert401(r);
    assertTrue(r.header("WWW-Authenticate").orElseThrow().contains("invalid_token"), r::toString);
  }

  @Test
  void unsignedAlgNoneTokenIs401() {
    String header = b64("{\"alg\":\"none\",\"kid\":\"k1\"}");
    String claims = b64(gw.jwt.claims("root", "admin").build().toString());
    assert401(gw.get("/a/users", header + "." + claims + "."));
  }

  @Test
  void tokenSignedByAnotherKeyIs401() {
    JWTClaimsSet claims = gw.jwt.claims("root", "admin").build();
    assert401(gw.get("/a/users", Jwt.sign(Jwt.otherKey(), claims))); // same kid, forged signature
    assert401(gw.get("/a/users", Jwt.sign(new RSAKey.Builder(Jwt.otherKey()).keyID("k9").build(), claims))); // unknown kid
  }

  @Test
  void hmacTokenIs401() throws Exception {
    // an HS256 token "signed" with the public key bytes (the classic algorithm confusion attack)
    byte[] secret = gw.jwt.key.toPublicJWK().toJSONString().getBytes();
    SignedJWT hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(),
        gw.jwt.claims("root", "admin").build());
    hs.sign(new MACSigner(secret));
    assert401(gw.get("/a/users", hs.serialize()));
  }

  @Test
  void expiredTokenIs401() {
    long now = System.currentTimeMillis();
    assert401(gw.get("/a/users", gw.jwt.sign(gw.jwt.claims("root", "admin").expirationTime(new Date(now - 300_000)))));
    assert401(gw.get("/a/users", gw.jwt.sign(gw.jwt.claims("root", "admin").expirationTime(null))));
  }

  @Test
  void notYetValidTokenIs401() {
    long now = System.currentTimeMillis();
    assert401(gw.get("/a/users", gw.jwt.sign(gw.jwt.claims("root", "admin").notBeforeTime(new Date(now + 300_000)))));
  }

  @Test
  void wrongIssuerIs401() {
    assert401(gw.get("/a/users", gw.jwt.sign(gw.jwt.claims("root", "admin").issuer("https://evil.test/oidc"))));
    assert401(gw.get("/a/users", gw.jwt.sign(gw.jwt.claims("root", "admin").issuer(null))));
  }

  @Test
  void wrongAudienceIs401() {
    assert401(gw.get("/a/users", gw.jwt.sign(gw.jwt.claims("root", "admin").audience("other-app"))));
    assert401(gw.get("/a/users", gw.jwt.sign(gw.jwt.claims("root", "admin").audience((String) null))));
    assertEquals(200, gw.get("/a/users", gw.jwt.sign(gw.jwt.claims("root", "admin").audience(List.of("x", "arca")))).status());
  }

  @Test
  void tokenWithoutSubjectOrIdIs401() {
    assert401(gw.get("/a/users", gw.jwt.sign(gw.jwt.claims("root", "admin").subject(null))));
    assert401(gw.get("/a/users", gw.jwt.sign(gw.jwt.claims("root", "admin").jwtID(null))));
  }

  @Test
  void revokedTokenIdIs401() {
    JWTClaimsSet claims = gw.jwt.claims("root", "admin").build();
    String token = Jwt.sign(gw.jwt.key, claims);
    assertEquals(200, gw.get("/a/users", token).status());
    gw.cache.apply(AuthEvent.newBuilder().setOffset(1).setRevoked(Revoked.newBuilder().setId(claims.getJWTID())
        .setExpiresAt(claims.getExpirationTime().getTime())).build());
    assert401(gw.get("/a/users", token));
  }

  @Test
  void revokedSessionIs401() throws Exception {
    JWTClaimsSet claims = gw.jwt.claims("alice", "user").build();
    String token = Jwt.sign(gw.jwt.key, claims);
    String other = gw.jwt.sign(gw.jwt.claims("alice", "user").claim("sid", "another-session"));
    assertEquals(200, gw.get("/a/users/alice", token).status());
    gw.cache.revoke(claims.getStringClaim("sid"), claims.getExpirationTime().getTime());
    assert401(gw.get("/a/users/alice", token));
    assertEquals(200, gw.get("/a/users/alice", other).status(), "other sessions of the user are unaffected");
  }

  @Test
  void tokensIssuedBeforeTheAccountsCutoffAre401ExceptTheSparedSessions() throws Exception {
    gw.users.put("erik", "pw", "user");
    gw.users.put("fred", "pw", "user");
    long now = System.currentTimeMillis();
    String spared = gw.jwt.sign(gw.jwt.claims("erik", "user").claim("sid", "sid-spared").claim("iat_ms", now - 2_000));
    String ended = gw.jwt.sign(gw.jwt.claims("erik", "user").claim("sid", "sid-ended").claim("iat_ms", now - 2_000));
    // a token of an older token service: no iat_ms, its iat (seconds) counts
    String older = gw.jwt.sign(gw.jwt.claims("erik", "user").issueTime(new Date(now - 5_000)));
    String after = gw.jwt.sign(gw.jwt.claims("erik", "user").claim("iat_ms", now));
    String someoneElse = gw.jwt.sign(gw.jwt.claims("fred", "user").claim("iat_ms", now - 2_000));
    for (String t : List.of(spared, ended, older, after, someoneElse)) assertEquals(200, gw.get("/a/users/" + Jwt.parse(t).getSubject(), t).status());

    gw.cache.apply(AuthEvent.newBuilder().setOffset(1).setCutoff(LoginCutoff.newBuilder().setLogin("erik")
        .setNotBefore(now - 1_000).setKeepSession("sid-spared")).build());

    assertEquals(200, gw.get("/a/users/erik", spared).status(), "the spared session");
    assert401(gw.get("/a/users/erik", ended));
    assert401(gw.get("/a/users/erik", older));
    assertEquals(200, gw.get("/a/users/erik", after).status(), "issued after the cut-off");
    assertEquals(200, gw.get("/a/users/fred", someoneElse).status(), "another account");
  }

  @Test
  void keysAreFetchedOnceAndUnknownKeyIdsDoNotHammerTheTokenService() {
    gw.get("/a/users", gw.adminToken());
    int before = gw.tokens.jwksCalls.get();
    for (int i = 0; i < 5; i++) assertEquals(200, gw.get("/a/users", gw.adminToken()).status());
    assertEquals(before, gw.tokens.jwksCalls.get(), "known keys are cached");
    for (int i = 0; i < 10; i++) {
      RSAKey unknown = new RSAKey.Builder(Jwt.otherKey()).keyID("unknown-" + i).build();
      assert401(gw.get("/a/users", Jwt.sign(unknown, gw.jwt.claims("root", "admin").build())));
    }
    assertTrue(gw.tokens.jwksCalls.get() - before <= 1, "key refetches are rate limited: " + (gw.tokens.jwksCalls.get() - before));
  }

  @Test
  void tokenServiceDownWhileFetchingKeysIs503NotA500() {
    FakeTokenService tokens = new FakeTokenService(gw.jwt);
    tokens.down = Status.UNAVAILABLE;
    Authenticator auth = new Authenticator(tokens, gw.cache, TestGateway.ISSUER, gw.auth.policies());
    Route route = Proxy.route(new RestContext(gw.system, auth, Clients.NONE),
        List.of(TestGateway.module("user", "a", () -> gw.userRoutes(auth, tokens)),
            TestGateway.module("token", "oidc", () -> OidcRoutes.routes(tokens, gw.cache, TestGateway.ISSUER))), () -> true);
    String base = gw.bind(route);
    Resp r = gw.sendTo(base, "GET", "/a/users", gw.adminToken());
    assertEquals(503, r.status(), r::toString);
    assertEquals("unavailable", r.error());

    tokens.down = null; // the service is back: keys are fetched again (no negative caching of an outage)
    assertEquals(200, gw.sendTo(base, "GET", "/a/users", gw.adminToken()).status());
  }

  @Test
  void keyAddedByRotationIsFetchedForAFreshGateway() {
    RSAKey k2 = Jwt.generate("k2");
    FakeTokenService tokens = new FakeTokenService(gw.jwt);
    tokens.addKey(k2);
    Authenticator auth = new Authenticator(tokens, gw.cache, TestGateway.ISSUER, gw.auth.policies());
    String base = gw.bind(RoleRoutes.routes(auth, gw.roles));
    assertEquals(200, gw.sendTo(base, "GET", "/roles", new Jwt(k2, TestGateway.ISSUER).token("root", "admin")).status());
    assertEquals(200, gw.sendTo(base, "GET", "/roles", gw.adminToken()).status());
  }

  // ---- authorization ----

  @Test
  void nonAdminIsForbiddenOnAdminRoutes() {
    String alice = gw.jwt.token("alice", "user");
    assert403(gw.get("/a/users", alice));
    assert403(gw.postJson("/a/users", alice, "{\"login\":\"mallory\",\"password\":\"pw\"}"));
    assert403(gw.get("/a/roles", alice));
    assert403(gw.postJson("/a/roles", alice, "{\"id\":\"evil\"}"));
    assert403(gw.get("/a/roles/admin", alice));
    assert403(gw.delete("/a/roles/user", alice));
    assert403(gw.delete("/a/users/bob", alice));
    assert403(gw.delete("/a/users/alice", alice)); // not even themself
    assertNull(gw.users.stored("mallory"));
    assertNull(gw.roles.stored("evil"));
    assertNotNull(gw.users.stored("alice"));
    assertNotNull(gw.users.stored("bob"));
  }

  @Test
  void userMayReadThemselfButNobodyElse() {
    String alice = gw.jwt.token("alice", "user");
    Resp self = gw.get("/a/users/alice", alice);
    assertEquals(200, self.status(), self::toString);
    assertEquals("alice", self.json().path("login").asText());
    assertEquals(200, gw.get("/a/users/ALICE", alice).status(), "logins are case-insensitive");
    assert403(gw.get("/a/users/bob", alice));
    assert403(gw.get("/a/users/does-not-exist", alice)); // no user enumeration: 403, not 404
  }

  @Test
  void userMayPatchThemselfButNobodyElse() {
    String alice = gw.jwt.token("alice", "user");
    Resp r = gw.patchJson("/a/users/alice", alice, "{\"displayName\":\"Alice A.\",\"email\":\"alice@example.org\"}");
    assertEquals(200, r.status(), r::toString);
    assertEquals("Alice A.", r.json().path("displayName").asText());
    assertEquals("alice@example.org", gw.users.stored("alice").getEmail());

    assert403(gw.patchJson("/a/users/bob", alice, "{\"displayName\":\"Bobby\"}"));
    assertEquals("bob", gw.users.stored("bob").getDisplayName());
  }

  @Test
  void nonAdminMayNotChangeRolesOrGroupPath() {
    String alice = gw.jwt.token("alice", "user");
    assert403(gw.patchJson("/a/users/alice", alice, "{\"roles\":[\"admin\"]}"));
    assert403(gw.patchJson("/a/users/alice", alice, "{\"roles\":[]}"));
    assert403(gw.patchJson("/a/users/alice", alice, "{\"groupPath\":\"/\"}"));
    assert403(gw.patchJson("/a/users/alice", alice, "{\"displayName\":\"x\",\"roles\":[\"admin\",\"user\"]}"));
    assertEquals(List.of("user"), gw.users.stored("alice").getRolesList());
    assertEquals("", gw.users.stored("alice").getGroupPath());
  }

  @Test
  void selfPasswordChangeNeedsTheCurrentPassword() {
    gw.users.put("carol", "old-secret", "user");
    String carol = gw.jwt.token("carol", "user");

    Resp missing = gw.patchJson("/a/users/carol", carol, "{\"password\":\"new-secret\"}");
    assertEquals(400, missing.status(), missing::toString);
    assertTrue(missing.message().contains("currentPassword"), missing::toString);

    Resp wrong = gw.patchJson("/a/users/carol", carol, "{\"password\":\"new-secret\",\"currentPassword\":\"guess\"}");
    assert403(wrong);
    assertEquals("old-secret", gw.users.password("carol"));

    Resp ok = gw.patchJson("/a/users/carol", carol, "{\"password\":\"new-secret\",\"currentPassword\":\"old-secret\"}");
    assertEquals(200, ok.status(), ok::toString);
    assertEquals("new-secret", gw.users.password("carol"));
    assertFalse(ok.body().contains("secret"), "no password in the response");
  }

  @Test
  void adminMaySetAnotherUsersPasswordWithoutTheirCurrentOne() {
    gw.users.put("dave", "dave-old", "user");
    Resp ok = gw.patchJson("/a/users/dave", gw.adminToken(), "{\"password\":\"dave-new\"}");
    assertEquals(200, ok.status(), ok::toString);
    assertEquals("dave-new", gw.users.password("dave"));
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes());
  }
}
