package arca.rest.testsupport;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import java.text.ParseException;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/** Mints RS256 access tokens shaped like the token service's. */
public final class Jwt {
  private static RSAKey signingKey;
  private static RSAKey otherKey;

  public final RSAKey key;
  public final String issuer;

  public Jwt(RSAKey key, String issuer) {
    this.key = key;
    this.issuer = issuer;
  }

  /** The key the fake token service publishes (kid "k1"), made once per JVM: RSA generation is slow. */
  public static synchronized RSAKey signingKey() {
    if (signingKey == null) signingKey = generate("k1");
    return signingKey;
  }

  /** A key the token service never published, with the same kid "k1" (a forged signature). */
  public static synchronized RSAKey otherKey() {
    if (otherKey == null) otherKey = generate("k1");
    return otherKey;
  }

  public static RSAKey generate(String kid) {
    try {
      return new RSAKeyGenerator(2048).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Valid claims: our issuer, audience "arca", fresh jti and sid, expiring in 10 minutes. */
  public JWTClaimsSet.Builder claims(String subject, String... roles) {
    long now = System.currentTimeMillis();
    return new JWTClaimsSet.Builder()
        .issuer(issuer)
        .audience("arca")
        .subject(subject)
        .jwtID("jti-" + UUID.randomUUID())
        .claim("sid", "sid-" + UUID.randomUUID())
        .claim("roles", List.of(roles))
        .issueTime(new Date(now))
        .expirationTime(new Date(now + 600_000));
  }

  public String token(String subject, String... roles) {
    return sign(claims(subject, roles));
  }

  public String sign(JWTClaimsSet.Builder claims) {
    return sign(key, claims.build());
  }

  public static String sign(RSAKey key, JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
          .type(JOSEObjectType.JWT).build(), claims);
      jwt.sign(new RSASSASigner(key));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public static JWTClaimsSet parse(String token) {
    try {
      return SignedJWT.parse(token).getJWTClaimsSet();
    } catch (ParseException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
