package arca.rest.auth;

import java.util.List;

/** The authenticated caller of a request. */
public record Principal(String login, List<String> roles, String sessionId, String tokenId, long expiresAt) {
  public static final String ADMIN_ROLE = "admin";

  public boolean isAdmin() {
    return roles.contains(ADMIN_ROLE);
  }
}
