package arca.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Small JDBC helpers shared by the services' read models. */
public final class Sql {
  private Sql() {}

  /** Runs an update with positional parameters. */
  public static void exec(Connection c, String sql, Object... args) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      bind(ps, Arrays.asList(args));
      ps.executeUpdate();
    }
  }

  /** A case-insensitive "contains" pattern for {@code LOWER(col) LIKE ? ESCAPE '!'}; % and _ match literally. */
  public static String containsPattern(String text) {
    return "%" + text.toLowerCase(Locale.ROOT).replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%";
  }

  /** A WHERE clause (" WHERE ...", or "" for every row) and its positional parameters. */
  public record Where(String sql, List<Object> args) {
    public static final Where ALL = new Where("", List.of());

    /** The rows meeting every condition (each an SQL condition with its own parameters, in order). */
    public static Where allOf(List<String> conditions, List<Object> args) {
      return conditions.isEmpty() ? ALL : new Where(" WHERE " + String.join(" AND ", conditions), List.copyOf(args));
    }

    /** The rows of which one of {@code columns} contains {@code text}, case-insensitively; every row for "". */
    public static Where containing(String text, String... columns) {
      if (text.isEmpty()) return ALL;
      List<String> likes = new ArrayList<>();
      List<Object> args = new ArrayList<>();
      for (String column : columns) {
        likes.add("LOWER(" + column + ") LIKE ? ESCAPE '!'");
        args.add(containsPattern(text));
      }
      return new Where(" WHERE " + String.join(" OR ", likes), args);
    }
  }

  /** What reads one row of a result. */
  @FunctionalInterface
  public interface Row {
    void read(ResultSet rs) throws SQLException;
  }

  /**
   * One page of a list: {@code SELECT columns FROM table where ORDER BY orderBy LIMIT limit OFFSET offset}, each row
   * handed to {@code row}; returns the number of all the rows {@code where} matches.
   */
  public static long page(Connection c, String columns, String table, Where where, String orderBy, int offset,
                          int limit, Row row) throws SQLException {
    long total;
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table + where.sql())) {
      bind(ps, where.args());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        total = rs.getLong(1);
      }
    }
    try (PreparedStatement ps = c.prepareStatement("SELECT " + columns + " FROM " + table + where.sql()
        + " ORDER BY " + orderBy + " LIMIT ? OFFSET ?")) {
      int next = bind(ps, where.args());
      ps.setInt(next++, limit);
      ps.setInt(next, offset);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) row.read(rs);
      }
    }
    return total;
  }

  /** Sets the positional parameters; returns the index of the next one. */
  private static int bind(PreparedStatement ps, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
    return args.size() + 1;
  }
}
