package arca.rest;

import akka.http.javadsl.model.headers.Location;

import java.nio.charset.StandardCharsets;

/**
 * Percent-encoding of URL path parts (RFC 3986 {@code pchar}): names with spaces, non-ASCII letters or reserved
 * characters become valid URLs, for {@code Location} headers and WebDAV hrefs alike.
 */
public final class PercentEncoding {
  private PercentEncoding() {}

  /** One path segment: everything but unreserved characters and sub-delimiters, ':' and '@' is escaped ('/' too). */
  public static String segment(String name) {
    StringBuilder b = new StringBuilder(name.length());
    for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$'()*,;=:@".indexOf(c) >= 0) {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return b.toString();
  }

  /** A "/"-separated path, each segment encoded ("/" kept between them). */
  public static String path(String path) {
    StringBuilder b = new StringBuilder(path.length() + 8);
    int start = 0;
    while (true) {
      int slash = path.indexOf('/', start);
      b.append(segment(slash < 0 ? path.substring(start) : path.substring(start, slash)));
      if (slash < 0) return b.toString();
      b.append('/');
      start = slash + 1;
    }
  }

  /** A {@code Location} header naming {@code prefix} (a literal, already a valid path) followed by {@code path}, encoded. */
  public static Location location(String prefix, String path) {
    return Location.create(prefix + path(path));
  }
}
