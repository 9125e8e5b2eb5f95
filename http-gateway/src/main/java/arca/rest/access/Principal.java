package arca.rest.access;

import java.util.List;

/**
 * The authenticated caller of a request. {@code userId} is the account's immutable id ("" when the credential came
 * from an older token service), {@code home} the name of its personal folder (what {@code {login}} in a workspace
 * root stands for: the id for accounts created with one, the login for older accounts), {@code issuedAt} when the
 * credential was issued or verified (epoch ms), which the account's cut-offs are compared with.
 */
public record Principal(String login, List<String> roles, String sessionId, String tokenId, long expiresAt,
                        String userId, String home, long issuedAt) {
  public static final String ADMIN_ROLE = "admin";
  /**
   * The role every user has (like Cells' root group): grants to it reach everybody, and any other role of the user
   * overrides them.
   */
  public static final String EVERYONE = "everyone";

  public Principal {
    if (userId == null) userId = "";
    if (home == null || home.isEmpty()) home = login;
  }

  /** A caller of an account created before ids existed. */
  public Principal(String login, List<String> roles, String sessionId, String tokenId, long expiresAt) {
    this(login, roles, sessionId, tokenId, expiresAt, "", login, 0);
  }

  public boolean isAdmin() {
    return roles.contains(ADMIN_ROLE);
  }
}
