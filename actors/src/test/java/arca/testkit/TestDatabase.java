package arca.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The central database a {@link TestNode} runs on, as a configuration overlay. Every service keeps its own
 * (prefixed) tables in it. Closing it drops what it created.
 */
public abstract class TestDatabase implements AutoCloseable {

  /** A readable name for test reports. */
  public abstract String name();

  /** The {@code arca.db.*} settings of this database. */
  public abstract Config overlay();

  @Override
  public void close() {}

  @Override
  public String toString() {
    return name();
  }

  /** The default: an embedded H2 file under the node's data directory ({@code arca.db.url} empty). */
  public static TestDatabase h2() {
    return new TestDatabase() {
      @Override public String name() { return "H2 (embedded file under arca.data-dir)"; }
      @Override public Config overlay() { return ConfigFactory.parseString("arca.db.url = \"\""); }
    };
  }

  /**
   * A fresh database {@code arca_t_<random>} on the MariaDB server of this machine (127.0.0.1:3306, root, no
   * password), created by the node itself (DbSettings adds createDatabaseIfNotExist) and dropped on close.
   * Fails (never skips) when the server does not answer.
   */
  public static TestDatabase mariaDb() {
    return new MariaDb();
  }

  private static final class MariaDb extends TestDatabase {
    private static final String SERVER = "jdbc:mysql://127.0.0.1:3306/";
    private final String database = "arca_t_" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong());

    MariaDb() {
      try (Connection c = server(); Statement s = c.createStatement()) {
        s.execute("SELECT 1");
      } catch (SQLException e) {
        throw new AssertionError("MariaDB does not answer at " + SERVER + " (user root, empty password): " + e, e);
      }
    }

    private static Connection server() throws SQLException {
      return DriverManager.getConnection(SERVER + "?connectTimeout=5000", "root", "");
    }

    @Override public String name() { return "MariaDB database " + database; }

    @Override
    public Config overlay() {
      return ConfigFactory.empty()
          .withValue("arca.db.url", ConfigValueFactory.fromAnyRef(SERVER + database))
          .withValue("arca.db.user", ConfigValueFactory.fromAnyRef("root"))
          .withValue("arca.db.password", ConfigValueFactory.fromAnyRef(""));
    }

    @Override
    public void close() {
      try (Connection c = server(); Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + database);
      } catch (SQLException e) {
        throw new IllegalStateException("cannot drop test database " + database, e);
      }
    }
  }
}
