package arca.deploy.it;

import org.junit.jupiter.api.AfterEach;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;

/** End to end on MariaDB (127.0.0.1:3306 by default, ARCA_TEST_DB_PORT otherwise; started by ./arca test). */
class MariaDbNodeIT extends IdentityEndToEnd {
  static final String SERVER = "jdbc:mysql://127.0.0.1:" + System.getenv().getOrDefault("ARCA_TEST_DB_PORT", "3306");
  final String database = "arca_e2e_" + Long.toHexString(System.nanoTime());

  @Override
  Map<String, String> storageEnv() {
    return Map.of("ARCA_DB_URL", SERVER + "/" + database, "ARCA_DB_USER", "root", "ARCA_DB_PASSWORD", "");
  }

  @AfterEach
  void dropDatabase() throws Exception {
    try (Connection c = DriverManager.getConnection(SERVER + "/", "root", ""); Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + database);
    }
  }
}
