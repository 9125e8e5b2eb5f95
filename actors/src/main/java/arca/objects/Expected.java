package arca.objects;

import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a writer declares about the bytes it sends; the store checks each declared value once every byte is in
 * (the size also on the way) and refuses the blob on a mismatch. A null component is not checked.
 */
public record Expected(Long size, String md5Hex, String sha256Hex) {
  public static final Expected NOTHING = new Expected(null, null, null);

  private static final Pattern MD5_HEX = Pattern.compile("[0-9a-fA-F]{32}");
  private static final Pattern MD5_BASE64 = Pattern.compile("[A-Za-z0-9+/]{22}==");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

  public Expected {
    if (size != null && size < 0) throw BlobException.invalid("expected size must be >= 0");
  }

  /**
   * From a writer's declarations: the MD5 as 32 hex digits or as base64 (an S3 {@code Content-MD5}), the SHA-256
   * as 64 hex digits; empty strings and a null size mean "not declared".
   */
  public static Expected parse(Long size, String md5, String sha256) {
    return new Expected(size, md5(md5), sha256(sha256));
  }

  private static String md5(String raw) {
    if (raw == null || raw.isEmpty()) return null;
    if (MD5_HEX.matcher(raw).matches()) return raw.toLowerCase(Locale.ROOT);
    if (MD5_BASE64.matcher(raw).matches()) return HexFormat.of().formatHex(Base64.getDecoder().decode(raw));
    throw BlobException.invalid("expected md5 must be 32 hex digits or 24 characters of base64");
  }

  private static String sha256(String raw) {
    if (raw == null || raw.isEmpty()) return null;
    if (SHA256_HEX.matcher(raw).matches()) return raw.toLowerCase(Locale.ROOT);
    throw BlobException.invalid("expected sha256 must be 64 hex digits");
  }

  /** Fails as soon as more bytes arrived than declared (no need to store the rest to know it is wrong). */
  void checkRunning(long received) {
    if (size != null && received > size) {
      throw BlobException.invalid("size mismatch: expected " + size + " bytes, received more");
    }
  }

  /** Checks the finished upload against every declared value. */
  void check(long actualSize, String actualMd5Hex, String actualSha256Hex) {
    if (size != null && actualSize != size) {
      throw BlobException.invalid("size mismatch: expected " + size + " bytes, received " + actualSize);
    }
    if (md5Hex != null && !md5Hex.equals(actualMd5Hex)) {
      throw BlobException.invalid("md5 mismatch: expected " + md5Hex + ", received bytes have " + actualMd5Hex);
    }
    if (sha256Hex != null && !sha256Hex.equals(actualSha256Hex)) {
      throw BlobException.invalid("sha256 mismatch: expected " + sha256Hex + ", received bytes have " + actualSha256Hex);
    }
  }
}
