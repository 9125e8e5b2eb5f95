package arca.rest.auth;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.Route;
import arca.proto.token.GetJwksRequest;
import arca.proto.token.TokenService;
import arca.rest.ApiError;
import arca.rest.Json;
import arca.rest.gate.PolicyCheck;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.extractRequest;
import static akka.http.javadsl.server.Directives.optionalHeaderValueByName;
import arca.rest.access.Principal;
import java.util.function.Supplier;

/**
 * Bearer-token authentication for every /a/ route: an RS256 JWT signed by the token service (public keys fetched
 * over gRPC and cached), not expired, issued by this cluster, neither it nor its session revoked, and not issued
 * before its account's latest cut-off (a password or role change, a deletion: node-local {@link AuthCache}); then the REST-level policies ({@link PolicyCheck}): every authenticated request passes them
 * here, before any route sees it.
 */
public final class Authenticator {
  private static final long CLOCK_SKEW_MS = 30_000;
  private static final long KEY_REFRESH_MIN_INTERVAL_MS = 5_000;

  private final TokenService tokens;
  private final AuthCache cache;
  private final String issuer;
  private final PolicyCheck policies;
  private static final int VERIFIED_CACHE_MAX = 20_000;

  private final Map<String, RSASSAVerifier> verifiers = new ConcurrentHashMap<>();
  /** Tokens whose signature and claims were checked, by token text; expiry and revocation are checked on every use. */
  private final Map<String, Principal> verified = new ConcurrentHashMap<>();
  private volatile long lastKeyFetch;

  public Authenticator(TokenService tokens, AuthCache cache, String issuer, PolicyCheck policies) {
    this.tokens = tokens;
    this.cache = cache;
    this.issuer = issuer;
    this.policies = policies;
  }

  /** The policy gate of authenticated requests (the /io gateway asks it with its own resources). */
  public PolicyCheck policies() {
    return policies;
  }

  public AuthCache cache() {
    return cache;
  }

  public String issuer() {
    return issuer;
  }

  /**
   * Requires a valid bearer token (401 with a JSON body and WWW-Authenticate otherwise) and a request the policies
   * allow: {@code rest:<path>} with the method as action (403 naming the policy otherwise).
   */
  public Route authenticated(Function<Principal, Route> inner) {
    return optionalHeaderValueByName("Authorization", header -> {
      Optional<String> token = header.filter(h -> h.regionMatches(true, 0, "Bearer ", 0, 7)).map(h -> h.substring(7).trim());
      if (token.isEmpty()) return unauthorized("missing bearer token", "");
      return Json.reply(verify(token.get()), p -> p.isPresent() ? permitted(p.get(), inner)
          : unauthorized("invalid, expired or revoked token", "error=\"invalid_token\""));
    });
  }

  private Route permitted(Principal caller, Function<Principal, Route> inner) {
    return extractRequest(request -> {
      String action = request.method().value();
      String resource = PolicyCheck.restResource(request.getUri().path());
      return Json.reply(policies.decide(caller, resource, action), d -> d.allowed() ? inner.apply(caller)
          : Json.fail(ApiError.forbidden(action + " " + resource + " is denied by policy: " + d.reason())));
    });
  }

  /** Requires the admin role; 403 otherwise. */
  public Route admin(Principal p, Supplier<Route> inner) {
    return p.isAdmin() ? inner.get() : Json.fail(ApiError.forbidden("this operation needs the admin role"));
  }

  private static Route unauthorized(String message, String params) {
    HttpHeader challenge = RawHeader.create("WWW-Authenticate", "Bearer realm=\"arca\"" + (params.isEmpty() ? "" : ", " + params));
    return complete(Json.error(new ApiError(StatusCodes.UNAUTHORIZED, "unauthorized", message)).addHeader(challenge));
  }

  public CompletionStage<Optional<Principal>> verify(String token) {
    Principal known = verified.get(token);
    if (known != null) {
      boolean valid = known.expiresAt() + CLOCK_SKEW_MS >= System.currentTimeMillis() && live(known);
      if (!valid) verified.remove(token);
      return CompletableFuture.completedFuture(valid ? Optional.of(known) : Optional.empty());
    }
    return verifyNew(token).thenApply(p -> {
      p.ifPresent(principal -> {
        if (verified.size() >= VERIFIED_CACHE_MAX) verified.clear();
        verified.put(token, principal);
      });
      return p;
    });
  }

  private CompletionStage<Optional<Principal>> verifyNew(String token) {
    SignedJWT jwt;
    try {
      if (token.length() > 8192) return CompletableFuture.completedFuture(Optional.empty());
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm()) || jwt.getHeader().getKeyID() == null) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    String kid = jwt.getHeader().getKeyID();
    RSASSAVerifier known = verifiers.get(kid);
    CompletionStage<RSASSAVerifier> verifier = known != null ? CompletableFuture.completedFuture(known) : refreshKeys(kid);
    return verifier.thenApply(v -> v == null ? Optional.<Principal>empty() : check(jwt, v));
  }

  private Optional<Principal> check(SignedJWT jwt, RSASSAVerifier verifier) {
    try {
      if (!jwt.verify(verifier)) return Optional.empty();
      JWTClaimsSet c = jwt.getJWTClaimsSet();
      long now = System.currentTimeMillis();
      if (c.getExpirationTime() == null || c.getExpirationTime().getTime() + CLOCK_SKEW_MS < now) return Optional.empty();
      if (c.getNotBeforeTime() != null && c.getNotBeforeTime().getTime() - CLOCK_SKEW_MS > now) return Optional.empty();
      if (!issuer.equals(c.getIssuer()) || c.getAudience() == null || !c.getAudience().contains("arca")) return Optional.empty();
      String sid = c.getStringClaim("sid");
      if (c.getSubject() == null || c.getJWTID() == null) return Optional.empty();
      List<String> roles = c.getStringListClaim("roles");
      // iat_ms: the issue time in ms (tokens of older token services carry only iat, in seconds)
      Long issuedMs = c.getLongClaim("iat_ms");
      Principal p = new Principal(c.getSubject(), roles == null ? List.of() : List.copyOf(roles), sid,
          c.getJWTID(), c.getExpirationTime().getTime(), c.getStringClaim("uid"), c.getStringClaim("home"),
          issuedMs != null ? issuedMs : c.getIssueTime() != null ? c.getIssueTime().getTime() : 0);
      return live(p) ? Optional.of(p) : Optional.empty();
    } catch (JOSEException | ParseException e) {
      return Optional.empty();
    }
  }

  /** Neither the token nor its session revoked, nor issued before the account's latest cut-off. */
  private boolean live(Principal p) {
    return !cache.isRevoked(p.tokenId()) && !cache.isRevoked(p.sessionId())
        && !cache.endedByCutoff(p.login(), p.sessionId(), p.issuedAt());
  }

  /** Fetches the public keys again when a token names an unknown key id (rate-limited). */
  private CompletionStage<RSASSAVerifier> refreshKeys(String kid) {
    long now = System.currentTimeMillis();
    if (now - lastKeyFetch < KEY_REFRESH_MIN_INTERVAL_MS && !verifiers.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    lastKeyFetch = now;
    return tokens.getJwks(GetJwksRequest.getDefaultInstance()).thenApply(jwks -> {
      try {
        for (JWK key : JWKSet.parse(jwks.getJson()).getKeys()) {
          if (key instanceof RSAKey rsa) verifiers.putIfAbsent(rsa.getKeyID(), new RSASSAVerifier(rsa));
        }
      } catch (ParseException | JOSEException e) {
        throw new IllegalStateException("the token service sent unreadable keys", e);
      }
      return verifiers.get(kid);
    });
  }
}
