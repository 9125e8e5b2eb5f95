package arca.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;

/** Small JDBC helpers shared by the services' read models. */
public final class Sql {
  private Sql() {}

  /** Runs an update with positional parameters. */
  public static void exec(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
      ps.executeUpdate();
    }
  }

  /** A case-insensitive "contains" pattern for {@code LOWER(col) LIKE ? ESCAPE '!'}; % and _ match literally. */
  public static String containsPattern(String text) {
    return "%" + text.toLowerCase(Locale.ROOT).replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
  }
}
