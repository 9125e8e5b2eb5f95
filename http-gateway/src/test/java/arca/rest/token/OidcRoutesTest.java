package arca.rest.token;

import arca.proto.token.AuthEvent;
import arca.proto.token.LoginThrottle;
import arca.proto.token.PasswordGrantRequest;
import arca.rest.testsupport.Jwt;
import arca.rest.testsupport.Resp;
import arca.rest.testsupport.TestGateway;
import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /oidc/: OAuth2 token and revocation endpoints, discovery, JWKS. */
class OidcRoutesTest {
  static TestGateway gw;

  @BeforeAll
  static void start() {
    gw = new TestGateway("oidc");
    gw.tokens.password("alice", "alice-pw");
    gw.users.put("alice", "alice-pw", "user");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void serviceBackUp() {
    gw.tokens.down = null;
  }

  static String form(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
  }

  static void assertOauthError(Resp r, int status, String error) {
    assertEquals(status, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"), r::toString);
    assertEquals(error, r.json().path("error").asText(), r::toString);
    assertTrue(r.json().has("error_description"), r::toString);
    assertEquals("no-store", r.header("Cache-Control").orElse(""), "token endpoint answers are never cached");
  }

  static Resp token(String... kv) {
    return gw.postForm("/oidc/oauth2/token", form(kv));
  }

  @Test
  void passwordGrantIssuesTokens() {
    Resp r = token("grant_type", "password", "username", "Alice", "password", "alice-pw", "client_id", "cli");
    assertEquals(200, r.status(), r::toString);
    assertEquals("no-store", r.header("Cache-Control").orElse(""));
    JsonNode body = r.json();
    assertEquals("Bearer", body.path("token_type").asText());
    assertEquals(600, body.path("expires_in").asLong());
    assertFalse(body.path("access_token").asText().isEmpty());
    assertFalse(body.path("refresh_token").asText().isEmpty());

    PasswordGrantRequest sent = gw.tokens.passwordGrants.get(gw.tokens.passwordGrants.size() - 1);
    assertEquals("alice", sent.getLogin(), "logins are lower-cased before they reach the service");
    assertEquals("cli", sent.getClientId());

    // the issued access token is accepted by the REST routes
    Resp me = gw.get("/a/users/alice", body.path("access_token").asText());
    assertEquals(200, me.status(), me::toString);
  }

  @Test
  void wrongPasswordIsInvalidGrant() {
    Resp r = token("grant_type", "password", "username", "alice", "password", "hunter2-typo");
    assertOauthError(r, 400, "invalid_grant");
    assertFalse(r.body().contains("hunter2-typo"), "the password is not echoed");
  }

  @Test
  void throttledByTheServiceIs429WithRetryAfter() {
    gw.tokens.password("tom", "tom-pw");
    gw.tokens.throttle("tom", 42L);
    Resp r = token("grant_type", "password", "username", "tom", "password", "tom-pw");
    assertOauthError(r, 429, "invalid_grant");
    assertEquals("42", r.header("Retry-After").orElse(""));
    assertEquals("too many failed logins", r.json().path("error_description").asText(),
        "the service's reason (a locked or a busy account) reaches the client");

    gw.tokens.throttle("tom", null); // no trailer: a default wait
    Resp r2 = token("grant_type", "password", "username", "tom", "password", "tom-pw");
    assertEquals(429, r2.status(), r2::toString);
    assertTrue(Long.parseLong(r2.header("Retry-After").orElse("0")) > 0, r2::toString);
  }

  @Test
  void loginLockedInTheCacheIs429WithoutCallingTheService() {
    gw.tokens.password("ursula", "ursula-pw");
    long until = System.currentTimeMillis() + 120_000;
    gw.cache.apply(AuthEvent.newBuilder().setOffset(50)
        .setThrottle(LoginThrottle.newBuilder().setLogin("ursula").setFailures(5).setLockedUntil(until)).build());
    int calls = gw.tokens.passwordGrants.size();

    Resp r = token("grant_type", "password", "username", "ursula", "password", "ursula-pw");
    assertOauthError(r, 429, "invalid_grant");
    long retry = Long.parseLong(r.header("Retry-After").orElse("0"));
    assertTrue(retry > 100 && retry <= 120, "Retry-After " + retry);
    Resp upper = token("grant_type", "password", "username", "URSULA", "password", "ursula-pw");
    assertEquals(429, upper.status(), "the lock applies whatever the case of the login");
    assertEquals(calls, gw.tokens.passwordGrants.size(), "the token service was not called");

    // the lock ends
    gw.cache.apply(AuthEvent.newBuilder().setOffset(51)
        .setThrottle(LoginThrottle.newBuilder().setLogin("ursula").setLockedUntil(0)).build());
    assertEquals(200, token("grant_type", "password", "username", "ursula", "password", "ursula-pw").status());
  }

  @Test
  void expiredLockDoesNotBlock() {
    gw.tokens.password("vera", "vera-pw");
    gw.cache.apply(AuthEvent.newBuilder().setOffset(60)
        .setThrottle(LoginThrottle.newBuilder().setLogin("vera").setLockedUntil(System.currentTimeMillis() - 1_000)).build());
    assertEquals(200, token("grant_type", "password", "username", "vera", "password", "vera-pw").status());
  }

  @Test
  void badRequests() {
    assertOauthError(token("username", "alice", "password", "alice-pw"), 400, "invalid_request");
    assertOauthError(token("grant_type", "client_credentials"), 400, "unsupported_grant_type");
    assertOauthError(token("grant_type", "authorization_code", "code", "x"), 400, "unsupported_grant_type");
    assertOauthError(token("grant_type", "password", "username", "alice"), 400, "invalid_request");
    assertOauthError(token("grant_type", "password", "password", "alice-pw"), 400, "invalid_request");
    assertOauthError(token("grant_type", "password", "username", "alice", "password", "alice-pw",
        "client_id", "c".repeat(200)), 400, "invalid_request");
    assertOauthError(token("grant_type", "refresh_token"), 400, "invalid_request");
    assertOauthError(gw.send("POST", "/oidc/oauth2/token", null, "application/json",
        "{\"grant_type\":\"password\",\"username\":\"alice\",\"password\":\"alice-pw\"}"), 400, "invalid_request");
    assertOauthError(gw.send("POST", "/oidc/oauth2/token", null, null, "grant_type=password"), 400, "invalid_request");
  }

  @Test
  void refreshGrantRotatesTheRefreshToken() {
    Resp first = token("grant_type", "password", "username", "alice", "password", "alice-pw");
    String refresh = first.json().path("refresh_token").asText();

    Resp second = token("grant_type", "refresh_token", "refresh_token", refresh, "client_id", "cli");
    assertEquals(200, second.status(), second::toString);
    assertEquals("no-store", second.header("Cache-Control").orElse(""));
    assertEquals("Bearer", second.json().path("token_type").asText());
    String rotated = second.json().path("refresh_token").asText();
    assertFalse(rotated.isEmpty() || rotated.equals(refresh));
    assertEquals(refresh, gw.tokens.refreshGrants.get(gw.tokens.refreshGrants.size() - 1).getRefreshToken());

    // reusing the old one is refused by the service (UNAUTHENTICATED) -> invalid_grant
    assertOauthError(token("grant_type", "refresh_token", "refresh_token", refresh), 400, "invalid_grant");
  }

  @Test
  void tokenServiceDownIs503TemporarilyUnavailable() {
    gw.tokens.down = Status.UNAVAILABLE.withDescription("no route to 10.1.2.3");
    Resp r = token("grant_type", "password", "username", "alice", "password", "alice-pw");
    assertOauthError(r, 503, "temporarily_unavailable");
    assertFalse(r.body().contains("10.1.2.3"));
    assertOauthError(gw.postForm("/oidc/oauth2/revoke", form("token", "x")), 503, "temporarily_unavailable");
  }

  @Test
  void revokeOfARefreshTokenRevokesTheSessionOnThisNodeAtOnce() throws Exception {
    Resp issued = token("grant_type", "password", "username", "alice", "password", "alice-pw");
    String access = issued.json().path("access_token").asText();
    String refresh = issued.json().path("refresh_token").asText();
    String sid = Jwt.parse(access).getStringClaim("sid");
    assertEquals(200, gw.get("/a/users/alice", access).status());
    assertFalse(gw.cache.isRevoked(sid));

    Resp r = gw.postForm("/oidc/oauth2/revoke", form("token", refresh, "token_type_hint", "refresh_token"));
    assertEquals(200, r.status(), r::toString);
    assertEquals("no-store", r.header("Cache-Control").orElse(""));
    assertEquals("refresh_token", gw.tokens.revokes.get(gw.tokens.revokes.size() - 1).getTokenTypeHint());
    assertTrue(gw.cache.isRevoked(sid), "the session id is revoked in the node's cache");
    assertEquals(401, gw.get("/a/users/alice", access).status(), "the session's access tokens stop working");
  }

  @Test
  void revokeOfAnAccessTokenRevokesItsJti() {
    String access = gw.jwt.token("alice", "user");
    JWTClaimsSet claims = Jwt.parse(access);
    Resp r = gw.postForm("/oidc/oauth2/revoke", form("token", access));
    assertEquals(200, r.status(), r::toString);
    assertTrue(gw.cache.isRevoked(claims.getJWTID()));
    assertEquals(401, gw.get("/a/users/alice", access).status());
  }

  @Test
  void revokeOfAnUnknownTokenIs200AndRevokeNeedsAToken() {
    assertEquals(200, gw.postForm("/oidc/oauth2/revoke", form("token", "not-a-token")).status(), "RFC 7009 2.2");
    assertOauthError(gw.postForm("/oidc/oauth2/revoke", form("token_type_hint", "access_token")), 400, "invalid_request");
    assertOauthError(gw.send("POST", "/oidc/oauth2/revoke", null, "application/json", "{\"token\":\"x\"}"), 400,
        "invalid_request");
  }

  @Test
  void discoveryDocument() {
    Resp r = gw.get("/oidc/.well-known/openid-configuration", null);
    assertEquals(200, r.status(), r::toString);
    JsonNode d = r.json();
    assertEquals(TestGateway.ISSUER, d.path("issuer").asText());
    assertEquals(TestGateway.ISSUER + "/oauth2/token", d.path("token_endpoint").asText());
    assertEquals(TestGateway.ISSUER + "/oauth2/revoke", d.path("revocation_endpoint").asText());
    assertEquals(TestGateway.ISSUER + "/jwks", d.path("jwks_uri").asText());
    assertTrue(d.path("grant_types_supported").toString().contains("refresh_token"));
    assertTrue(d.path("id_token_signing_alg_values_supported").toString().contains("RS256"));
  }

  @Test
  void jwksServesThePublicKeys() {
    Resp r = gw.get("/oidc/jwks", null);
    assertEquals(200, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"));
    JsonNode keys = r.json().path("keys");
    assertEquals(1, keys.size());
    JsonNode k = keys.path(0);
    assertEquals("RSA", k.path("kty").asText());
    assertEquals("k1", k.path("kid").asText());
    assertEquals(gw.jwt.key.getModulus().toString(), k.path("n").asText());
    assertFalse(k.has("d") || k.has("p") || k.has("q"), "no private parts: " + k);
  }

  @Test
  void jwksWhileTheTokenServiceIsDownIs503() {
    gw.tokens.down = Status.UNAVAILABLE;
    Resp r = gw.get("/oidc/jwks", null);
    assertEquals(503, r.status(), r::toString);
  }
}
