package arca.token;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Identifiers and secrets, and their hashes (refresh-token secrets are stored hashed only). Access key ids and
 * secrets have the shapes S3 clients expect: 20 characters {@code [A-Z0-9]} starting with {@code AK} (random, or
 * derived from the login and the request id of the creation that makes the key), and 40 random characters.
 */
final class Secrets {
  private static final SecureRandom RANDOM = new SecureRandom();

  private static final String KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  static final Pattern ACCESS_KEY_ID = Pattern.compile("AK[A-Z0-9]{18}");

  private Secrets() {}

  /**
   * The id of the key that the creation with this request id makes: the same for the same login and request id (so
   * a creation sent again finds its key), unguessable without both.
   */
  static String accessKeyId(String login, String requestId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(("access-key\n" + login + "\n" + requestId).getBytes(StandardCharsets.UTF_8));
      StringBuilder id = new StringBuilder("AK");
      for (int i = 0; id.length() < 20; i++) id.append(KEY_ID_ALPHABET.charAt((digest[i] & 0xff) % KEY_ID_ALPHABET.length()));
      return id.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code AK} and 18 uniformly random characters of {@code [A-Z0-9]} (about 93 bits). */
  static String accessKeyId() {
    StringBuilder id = new StringBuilder("AK");
    while (id.length() < 20) id.append(KEY_ID_ALPHABET.charAt(RANDOM.nextInt(KEY_ID_ALPHABET.length())));
    return id.toString();
  }

  /** 30 random bytes, base64url: 40 characters, 240 bits. */
  static String accessKeySecret() {
    return random(30);
  }

  static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static String sha256(String secret) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Constant-time comparison; empty never matches. */
  static boolean equal(String a, String b) {
    if (a == null || b == null || a.isEmpty() || b.isEmpty()) return false;
    return MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }
}
