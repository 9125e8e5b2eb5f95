package arca.acl;

import arca.path.InvalidPathException;
import arca.path.RelativePath;
import arca.proto.acl.Action;
import arca.service.GrpcErrors;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Validation of ACL fields: the service is the authority; gateways check the same rules to answer early. Node paths
 * follow the shared relative paths ({@link RelativePath}), so that an entry can name any node a client can.
 */
final class AclRules {
  private AclRules() {}

  static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  /** A role id as the role service names them, or {@code user:<login>}, the personal role of one user. */
  static final Pattern ROLE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}|user:[a-z0-9][a-z0-9._@-]{0,63}");
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
   * A node path relative to the workspace root, by the rules every face shares ({@link RelativePath#normalized}):
   * returned in Unicode NFC, the form the tree keys names by and the gateway checks paths in.
   */
  static String path(String path) {
    try {
      return RelativePath.normalized(path);
    } catch (InvalidPathException e) {
      throw GrpcErrors.invalid(e.getMessage());
    }
  }
}
