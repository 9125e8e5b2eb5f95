package arca.token;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import arca.proto.user.User;
import arca.service.Entities;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.text.ParseException;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Signs access tokens (RS256 JWT, Nimbus JOSE+JWT) with the cluster's signing key from {@link SigningKeysEntity},
 * creating the key on first use. Keys are cached per node after the first read.
 */
final class JwtIssuer {
  record Keys(RSAKey signing, JWKSet publicSet, RSASSASigner signer) {}

  record AccessClaims(String jti, String sid, String subject, long expiresAt) {}

  private final ActorSystem<?> system;
  private final Duration timeout;
  private final Executor blocking;
  private final String issuer;
  private final Duration accessTtl;
  private final AtomicReference<CompletableFuture<Keys>> cache = new AtomicReference<>();

  JwtIssuer(ActorSystem<?> system) {
    this.system = system;
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
    this.blocking = Entities.blocking(system);
    this.issuer = system.settings().config().getString("arca.public-url") + "/oidc";
    this.accessTtl = system.settings().config().getDuration("arca.token.access-token-ttl");
  }

  Duration accessTtl() {
    return accessTtl;
  }

  CompletionStage<Keys> keys() {
    CompletableFuture<Keys> current = cache.get();
    if (current != null && !current.isCompletedExceptionally()) return current;
    CompletableFuture<Keys> fresh = load().toCompletableFuture();
    cache.set(fresh);
    return fresh;
  }

  private CompletionStage<Keys> load() {
    var ref = ClusterSharding.get(system).entityRefFor(SigningKeysEntity.KEY, SigningKeysEntity.ID);
    return ref.ask(SigningKeysEntity.GetKeys::new, timeout).thenCompose(state -> {
      if (!state.keys().isEmpty()) return CompletableFuture.completedFuture(state);
      return CompletableFuture.supplyAsync(JwtIssuer::generate, blocking)
          .thenCompose(k -> ref.<SigningKeysEntity.State>ask(
              r -> new SigningKeysEntity.AddKeyIfNone(k.getKeyID(), k.toJSONString(), r), timeout));
    }).thenApply(JwtIssuer::toKeys);
  }

  private static RSAKey generate() {
    try {
      return new RSAKeyGenerator(2048).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256)
          .keyIDFromThumbprint(true).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot generate a signing key", e);
    }
  }

  private static Keys toKeys(SigningKeysEntity.State state) {
    try {
      List<RSAKey> all = state.keys().stream().map(k -> {
        try {
          return RSAKey.parse(k.privateJwk());
        } catch (ParseException e) {
          throw new IllegalStateException("stored signing key " + k.kid() + " is unreadable", e);
        }
      }).toList();
      RSAKey newest = all.get(all.size() - 1);
      return new Keys(newest, new JWKSet(all.stream().map(k -> (JWK) k.toPublicJWK()).toList()), new RSASSASigner(newest));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot use the signing key", e);
    }
  }

  /**
   * An access token for the user's session. Claims beyond the standard ones: {@code sid}, {@code name},
   * {@code roles}, {@code uid} (the account id), {@code home} (its personal folder name) and {@code iat_ms} (the
   * issue time in ms, never before {@code notBefore}: the account's last cut-off, so that a token issued right after
   * one is valid even when this node's clock is behind the one that set it).
   */
  CompletionStage<String> issue(User user, String sid, long notBefore) {
    return keys().thenApply(keys -> {
      long now = Math.max(System.currentTimeMillis(), notBefore);
      JWTClaimsSet claims = new JWTClaimsSet.Builder()
          .issuer(issuer).subject(user.getLogin()).audience("arca").jwtID(Secrets.random(16))
          .issueTime(new Date(now)).notBeforeTime(new Date(now - 1000)).expirationTime(new Date(now + accessTtl.toMillis()))
          .claim("sid", sid).claim("name", user.getDisplayName()).claim("roles", List.copyOf(user.getRolesList()))
          .claim("uid", user.getId()).claim("home", user.getHome()).claim("iat_ms", now)
          .build();
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keys.signing().getKeyID())
          .type(JOSEObjectType.JWT).build(), claims);
      try {
        jwt.sign(keys.signer());
      } catch (JOSEException e) {
        throw new IllegalStateException("signing failed", e);
      }
      return jwt.serialize();
    });
  }

  /** The claims of an access token this cluster signed (signature checked; expiry not), or empty. */
  CompletionStage<Optional<AccessClaims>> parseOwn(String token) {
    return keys().thenApply(keys -> {
      try {
        SignedJWT jwt = SignedJWT.parse(token);
        JWK key = keys.publicSet().getKeyByKeyId(jwt.getHeader().getKeyID());
        if (!(key instanceof RSAKey rsa) || !jwt.verify(new RSASSAVerifier(rsa))) return Optional.empty();
        JWTClaimsSet c = jwt.getJWTClaimsSet();
        if (c.getJWTID() == null || c.getExpirationTime() == null) return Optional.empty();
        return Optional.of(new AccessClaims(c.getJWTID(), c.getStringClaim("sid"), c.getSubject(),
            c.getExpirationTime().getTime()));
      } catch (ParseException | JOSEException e) {
        return Optional.empty();
      }
    });
  }
}
