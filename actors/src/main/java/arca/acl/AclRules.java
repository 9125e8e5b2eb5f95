package arca.acl;

import arca.proto.acl.Action;
import arca.service.GrpcErrors;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Validation of ACL fields: the service is the authority; gateways check the same rules to answer early. Node paths
 * follow the gateway's relative paths (arca.rest.files.RelativePath), so that an entry can name any node a client can.
 */
final class AclRules {
  private AclRules() {}

  static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  /** A role id as the role service names them, or {@code user:<login>}, the personal role of one user. */
  static final Pattern ROLE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}|user:[a-z0-9][a-z0-9._@-]{0,63}");
  static final int MAX_NAME_BYTES = 255;
  static final int MAX_PATH_CHARS = 4096;
  static final int MAX_DEPTH = 64;
  /** Roles of one Resolve or Visible call: a user's roles plus the personal one. */
  static final int MAX_ROLES = 256;

  static String slug(String raw) {
    if (!SLUG.matcher(raw).matches()) {
      throw GrpcErrors.invalid("workspace slug must be 1-63 characters of a-z, 0-9, '-', starting with a letter or digit");
    }
    return raw;
  }

  static String role(String raw) {
    if (!ROLE.matcher(raw).matches()) {
      throw GrpcErrors.invalid("invalid role '" + GrpcErrors.printable(raw) + "': a role id (1-64 characters of a-z, 0-9, '_',"
          + " '-') or user:<login>");
    }
    return raw;
  }

  static List<String> roles(List<String> raw) {
    if (raw.size() > MAX_ROLES) throw GrpcErrors.invalid("at most " + MAX_ROLES + " roles");
    raw.forEach(AclRules::role);
    return List.copyOf(raw);
  }

  static Action action(Action action) {
    if (action != Action.ACTION_READ && action != Action.ACTION_WRITE && action != Action.ACTION_DENY) {
      throw GrpcErrors.invalid("action must be ACTION_READ, ACTION_WRITE or ACTION_DENY");
    }
    return action;
  }

  /**
   * A node path relative to the workspace root: "" (the root) or names joined by '/', none empty, "." or "..", no
   * control character, no unpaired surrogate, names of at most 255 UTF-8 bytes, at most 64 levels and 4096 characters;
   * returned in Unicode NFC, the form the tree keys names by and the gateway checks paths in.
   */
  static String path(String path) {
    if (path.isEmpty()) return path;
    path = java.text.Normalizer.normalize(path, java.text.Normalizer.Form.NFC);
    if (path.length() > MAX_PATH_CHARS) throw invalidPath(path, "longer than " + MAX_PATH_CHARS + " characters");
    String[] names = path.split("/", -1);
    if (names.length > MAX_DEPTH) throw invalidPath(path, "deeper than " + MAX_DEPTH + " levels");
    for (String name : names) {
      String problem = problem(name);
      if (problem != null) throw invalidPath(path, problem);
    }
    return path;
  }

  private static String problem(String name) {
    if (name.isEmpty()) return "empty segment (leading, trailing or double '/')";
    if (name.equals(".") || name.equals("..")) return "'" + name + "' segments are not allowed";
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) return "a name is longer than " + MAX_NAME_BYTES + " bytes";
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) return "control character U+" + String.format("%04X", (int) c);
      if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "not valid Unicode";
      }
    }
    return null;
  }

  private static RuntimeException invalidPath(String path, String problem) {
    return GrpcErrors.invalid("invalid path '" + GrpcErrors.printable(path) + "': " + problem);
  }
}
