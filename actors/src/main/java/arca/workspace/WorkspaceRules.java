package arca.workspace;

import arca.proto.workspace.Scope;
import arca.proto.workspace.WorkspaceRoot;
import arca.service.GrpcErrors;

import java.util.regex.Pattern;

/**
 * Validation of workspace fields: the service is the authority; gateways only check JSON shape. A root path is what
 * later services join onto a datasource (a local folder or an S3 prefix), so it must never climb out of it.
 */
final class WorkspaceRules {
  private WorkspaceRules() {}

  /** The placeholder a gateway replaces by the caller's login: the personal workspace's root is "personal/{login}". */
  static final String LOGIN = "{login}";

  static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  /** As the objects service names its datasources (arca.datasources). */
  static final Pattern DATASOURCE = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  static final int MAX_LABEL = 256;
  static final int MAX_DESCRIPTION = 1024;
  static final int MAX_PATH = 1024;

  static String slug(String raw) {
    if (!SLUG.matcher(raw).matches()) {
      throw GrpcErrors.invalid("workspace slug must be 1-63 characters of a-z, 0-9, '-', starting with a letter or digit");
    }
    return raw;
  }

  static String text(String field, String value, int max) {
    if (value.length() > max || value.chars().anyMatch(Character::isISOControl)) {
      throw GrpcErrors.invalid(field + " must be at most " + max + " characters, without control characters");
    }
    return value.strip();
  }

  static Scope scope(Scope scope) {
    if (scope != Scope.SCOPE_ADMIN && scope != Scope.SCOPE_PERSONAL) {
      throw GrpcErrors.invalid("scope must be SCOPE_ADMIN or SCOPE_PERSONAL");
    }
    return scope;
  }

  /**
   * A datasource name and a relative path: "" (the datasource's root) or segments joined by '/', none of them empty,
   * "." or "..", no leading '/', no control characters (NUL included), at most 1024 characters. Braces only as
   * {@code {login}}, so that a later placeholder cannot change the meaning of a stored root.
   */
  static WorkspaceEntity.Root root(WorkspaceRoot root) {
    if (!DATASOURCE.matcher(root.getDatasource()).matches()) {
      throw GrpcErrors.invalid("root datasource must be 1-63 characters of a-z, 0-9, '-', starting with a letter or digit");
    }
    String path = root.getPath();
    if (path.length() > MAX_PATH || path.chars().anyMatch(Character::isISOControl)) {
      throw GrpcErrors.invalid("root path must be at most " + MAX_PATH + " characters, without control characters");
    }
    if (!path.isEmpty()) {
      for (String segment : path.split("/", -1)) {
        if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
          throw GrpcErrors.invalid("root path must be relative, like common or personal/{login}: no leading or"
              + " trailing '/', no empty, '.' or '..' segments");
        }
      }
      String rest = path.replace(LOGIN, "");
      if (rest.indexOf('{') >= 0 || rest.indexOf('}') >= 0) {
        throw GrpcErrors.invalid("root path may contain braces only as the placeholder " + LOGIN);
      }
    }
    return new WorkspaceEntity.Root(root.getDatasource(), path);
  }
}
