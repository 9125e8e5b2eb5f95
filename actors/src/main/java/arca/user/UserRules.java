package arca.user;

import arca.service.GrpcErrors;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** Validation of user fields: the service is the authority; gateways only check JSON shape. */
final class UserRules {
  private UserRules() {}

  static final Pattern LOGIN = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,63}");
  static final Pattern ROLE_ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,189}");
  static final int MIN_PASSWORD = 8;
  static final int MAX_PASSWORD = 1024;
  static final int MAX_DISPLAY_NAME = 256;
  static final int MAX_GROUP_PATH = 1024;
  static final int MAX_ROLES = 64;

  /** Logins are case-insensitive: the canonical form is lower case. */
  static String login(String raw) {
    String login = raw == null ? "" : raw.trim().toLowerCase(Locale.ROOT);
    if (!LOGIN.matcher(login).matches()) {
      throw GrpcErrors.invalid("login must be 1-64 characters of a-z, 0-9, '.', '_', '@', '-', starting with a letter or digit");
    }
    return login;
  }

  static String password(String password) {
    if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      throw GrpcErrors.invalid("password must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
    }
    return password;
  }

  static String displayName(String s) {
    if (s.length() > MAX_DISPLAY_NAME || hasControl(s)) {
      throw GrpcErrors.invalid("displayName must be at most " + MAX_DISPLAY_NAME + " characters, without control characters");
    }
    return s.strip();
  }

  static String email(String s) {
    if (!s.isEmpty() && (s.length() > 254 || !EMAIL.matcher(s).matches())) {
      throw GrpcErrors.invalid("email is not a valid address");
    }
    return s;
  }

  static String groupPath(String s) {
    String p = s.isEmpty() ? "/" : s;
    if (!p.startsWith("/") || p.length() > MAX_GROUP_PATH || hasControl(p) || p.contains("//")
        || List.of(p.split("/")).contains("..")) {
      throw GrpcErrors.invalid("groupPath must be an absolute path like /department/team (at most " + MAX_GROUP_PATH + " characters)");
    }
    return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  static List<String> roles(List<String> roles) {
    if (roles.size() > MAX_ROLES) throw GrpcErrors.invalid("at most " + MAX_ROLES + " roles");
    for (String r : roles) {
      if (!ROLE_ID.matcher(r).matches()) throw GrpcErrors.invalid("invalid role id '" + r + "'");
    }
    if (new HashSet<>(roles).size() != roles.size()) throw GrpcErrors.invalid("roles must not repeat");
    return List.copyOf(roles);
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(Character::isISOControl);
  }
}
