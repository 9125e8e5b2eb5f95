package arca.lock;

import arca.path.RelativePath;
import arca.service.GrpcErrors;

import java.util.regex.Pattern;

/**
 * Validation of lock fields (the service is the authority; a gateway may check the same rules to answer early).
 * Paths are the index's ({@link RelativePath#treeSegments}): "" (the datasource root) or names joined by '/', without a leading or
 * trailing '/', empty, "." or ".." segments or control characters; they are taken in Unicode NFC, as the index
 * compares names, so that two spellings of one node share its locks.
 */
final class LockRules {
  private LockRules() {}

  static final Pattern DATASOURCE = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  /** {@code urn:uuid:} and a UUID in its canonical 8-4-4-4-12 hexadecimal form. */
  static final Pattern TOKEN = Pattern.compile(
      "urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  static final long MAX_TIMEOUT_SECONDS = 604_800; // a week
  static final int MAX_OWNER_CHARS = 4096;
  static final int MAX_HREF_CHARS = 4096;
  static final int MAX_LOGIN_CHARS = 256;
  /** A token of Refresh or Unlock is looked up, not checked for form; this only bounds what is sent. */
  static final int MAX_TOKEN_CHARS = 256;

  static String datasource(String raw) {
    if (!DATASOURCE.matcher(raw).matches()) {
      throw GrpcErrors.invalid("datasource must be 1-63 characters of a-z, 0-9, '-', starting with a letter or digit");
    }
    return raw;
  }

  /** The path in NFC; refused with the reason when it is not a valid relative path. */
  static String path(String raw) {
    if (raw.isEmpty()) return raw;
    if (raw.startsWith("/") || raw.endsWith("/")) {
      throw GrpcErrors.invalid("invalid path '" + GrpcErrors.printable(raw) + "': no leading or trailing '/' (\"\" is the root)");
    }
    try {
      return RelativePath.join(RelativePath.treeSegments(raw).stream().map(RelativePath::nfc).toList());
    } catch (IllegalArgumentException e) {
      throw GrpcErrors.invalid(e.getMessage());
    }
  }

  static String newToken(String raw) {
    if (!TOKEN.matcher(raw).matches()) {
      throw GrpcErrors.invalid("token must be urn:uuid: followed by a UUID (8-4-4-4-12 hexadecimal digits)");
    }
    return raw;
  }

  static String token(String raw) {
    if (raw.isEmpty() || raw.length() > MAX_TOKEN_CHARS) {
      throw GrpcErrors.invalid("token must be 1-" + MAX_TOKEN_CHARS + " characters");
    }
    return raw;
  }

  static long timeout(long seconds) {
    if (seconds < 1 || seconds > MAX_TIMEOUT_SECONDS) {
      throw GrpcErrors.invalid("timeout_seconds must be between 1 and " + MAX_TIMEOUT_SECONDS + " (a week)");
    }
    return seconds;
  }

  static String login(String raw) {
    if (raw.isEmpty() || raw.length() > MAX_LOGIN_CHARS || hasControl(raw)) {
      throw GrpcErrors.invalid("login must be 1-" + MAX_LOGIN_CHARS + " characters without control characters");
    }
    return raw;
  }

  static String ownerXml(String raw) {
    if (raw.length() > MAX_OWNER_CHARS) throw GrpcErrors.invalid("owner_xml must be at most " + MAX_OWNER_CHARS + " characters");
    if (raw.indexOf('\0') >= 0) throw GrpcErrors.invalid("owner_xml must not contain NUL");
    return raw;
  }

  static String rootHref(String raw) {
    if (raw.isEmpty() || raw.length() > MAX_HREF_CHARS || hasControl(raw)) {
      throw GrpcErrors.invalid("root_href must be 1-" + MAX_HREF_CHARS + " characters without control characters");
    }
    return raw;
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
  }
}
