package arca.rest.files.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * The pieces of an S3 SigV4 canonical request that depend on how a client spelled the URL: the canonical URI and
 * the canonical query string, in S3's normal form (every byte outside RFC 3986's unreserved set percent-encoded,
 * once, with upper-case hex) or exactly as sent.
 */
final class SigV4Canonical {
  /** One query parameter as it appeared on the wire, still percent-encoded; a missing {@code =} gives "". */
  record Param(String rawName, String rawValue) {}

  private static final char[] HEX_UPPER = "0123456789ABCDEF".toCharArray();

  private SigV4Canonical() {}

  /** S3's URI encoding of text: UTF-8 bytes, unreserved characters kept, {@code /} kept when asked. */
  static String encode(String text, boolean keepSlash) {
    return encodeBytes(text.getBytes(StandardCharsets.UTF_8), keepSlash);
  }

  /**
   * The path in S3's normal form: percent-escapes decoded to bytes and every byte re-encoded by S3's rule. No
   * {@code .}/{@code ..} removal and no merging of slashes: S3 keys may contain both.
   */
  static String normalPath(String rawPath) {
    return rawPath.isEmpty() ? "/" : encodeBytes(decodeToBytes(rawPath), true);
  }

  static String rawPathOrRoot(String rawPath) { return rawPath.isEmpty() ? "/" : rawPath; }

  static List<Param> parseQuery(String rawQuery) {
    List<Param> params = new ArrayList<>();
    if (rawQuery == null || rawQuery.isEmpty()) return params;
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      params.add(eq < 0 ? new Param(pair, "") : new Param(pair.substring(0, eq), pair.substring(eq + 1)));
    }
    return params;
  }

  /** Percent-decodes one query component as UTF-8 text; {@code +} stays a plus, as RFC 3986 says. */
  static String decode(String raw) { return new String(decodeToBytes(raw), StandardCharsets.UTF_8); }

  /**
   * The canonical query string: parameters sorted by encoded name then value, {@code name=value} joined by
   * {@code &}; in normal form each component is decoded and re-encoded, else it is used as sent.
   */
  static String query(List<Param> params, boolean normalForm, Predicate<String> exclude) {
    List<String[]> pairs = new ArrayList<>(params.size());
    for (Param p : params) {
      if (exclude.test(decode(p.rawName()))) continue;
      pairs.add(normalForm
          ? new String[] {encodeBytes(decodeToBytes(p.rawName()), false), encodeBytes(decodeToBytes(p.rawValue()), false)}
          : new String[] {p.rawName(), p.rawValue()});
    }
    pairs.sort(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
    StringBuilder sb = new StringBuilder();
    for (String[] p : pairs) {
      if (sb.length() > 0) sb.append('&');
      sb.append(p[0]).append('=').append(p[1]);
    }
    return sb.toString();
  }

  /** A header value in canonical form: values trimmed, runs of blanks collapsed, several values joined by commas. */
  static String headerValue(List<String> values) {
    StringBuilder sb = new StringBuilder();
    for (String v : values) {
      if (sb.length() > 0) sb.append(',');
      int valueStart = sb.length();
      boolean blank = false;
      for (int i = 0, n = v.length(); i < n; i++) {
        char c = v.charAt(i);
        if (c == ' ' || c == '\t') {
          blank = true;
        } else {
          if (blank && sb.length() > valueStart) sb.append(' ');
          blank = false;
          sb.append(c);
        }
      }
    }
    return sb.toString();
  }

  /** Bytes of a percent-encoded string; a {@code %} not followed by two hex digits is taken literally. */
  private static byte[] decodeToBytes(String raw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0, n = raw.length(); i < n; i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < n && hexValue(raw.charAt(i + 1)) >= 0 && hexValue(raw.charAt(i + 2)) >= 0) {
        out.write(hexValue(raw.charAt(i + 1)) << 4 | hexValue(raw.charAt(i + 2)));
        i += 2;
      } else if (c < 0x80) {
        out.write(c);
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < n ? i + 2 : i + 1;
        out.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end - 1;
      }
    }
    return out.toByteArray();
  }

  private static String encodeBytes(byte[] bytes, boolean keepSlash) {
    StringBuilder sb = new StringBuilder(bytes.length + 16);
    for (byte b : bytes) {
      int c = b & 0xff;
      if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
          || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' && keepSlash) {
        sb.append((char) c);
      } else {
        sb.append('%').append(HEX_UPPER[c >> 4]).append(HEX_UPPER[c & 0xf]);
      }
    }
    return sb.toString();
  }

  private static int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
}
