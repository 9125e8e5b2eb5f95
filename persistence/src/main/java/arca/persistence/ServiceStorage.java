package arca.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The storage of one service: its database, its own tables (all prefixed with the service name), its Akka
 * Persistence plugins (journal, snapshot store, read journal bound to those tables) and a connection pool for its
 * read models. Migrations run at open, idempotently: the journal tables from this module, then the service's own
 * read-model migrations from {@code classpath:arca/<service>/db/{all,<dialect>}}; each set keeps its own Flyway
 * history table, so services never share a table.
 */
public final class ServiceStorage implements AutoCloseable {
  private final String service;
  private final DbSettings db;
  private final HikariDataSource dataSource;

  private ServiceStorage(String service, DbSettings db, HikariDataSource dataSource) {
    this.service = service;
    this.db = db;
    this.dataSource = dataSource;
  }

  /** Opens the service's database and migrates its schema. Blocking: call at start, before the actor system. */
  public static ServiceStorage open(String service, Config config) {
    DbSettings db = DbSettings.forService(service, config);
    HikariConfig hc = new HikariConfig();
    hc.setPoolName(service + "-read-models");
    hc.setJdbcUrl(db.url());
    hc.setUsername(db.user());
    hc.setPassword(db.password());
    hc.setDriverClassName(db.dialect().driver);
    hc.setMaximumPoolSize(config.getInt("arca.persistence.pool-size"));
    hc.setMinimumIdle(1);
    HikariDataSource ds = new HikariDataSource(hc);
    try {
      migrate(service, db, ds);
    } catch (RuntimeException e) {
      ds.close();
      throw e;
    }
    return new ServiceStorage(service, db, ds);
  }

  /**
   * Migrates one service's tables. On MySQL/MariaDB a named lock makes it cluster-safe: one node migrates while the
   * others wait, then find nothing left to do. (Embedded H2 belongs to one process.)
   */
  private static void migrate(String service, DbSettings db, DataSource ds) {
    if (db.dialect() != DbSettings.Dialect.MYSQL) {
      runMigrations(service, db, ds);
      return;
    }
    String lock = "arca_migrate_" + service;
    try (Connection c = ds.getConnection()) {
      try (var ps = c.prepareStatement("SELECT GET_LOCK(?, 300)")) {
        ps.setString(1, lock);
        try (var rs = ps.executeQuery()) {
          if (!rs.next() || rs.getInt(1) != 1) throw new IllegalStateException("timed out waiting for " + lock);
        }
      }
      try {
        runMigrations(service, db, ds);
      } finally {
        try (var ps = c.prepareStatement("SELECT RELEASE_LOCK(?)")) {
          ps.setString(1, lock);
          ps.executeQuery().close();
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot migrate the tables of " + service, e);
    }
  }

  private static void runMigrations(String service, DbSettings db, DataSource ds) {
    Map<String, String> placeholders = Map.of("svc", service);
    Flyway.configure(ServiceStorage.class.getClassLoader())
        .loggers("slf4j")
        .dataSource(ds)
        .table(service + "_journal_schema_history")
        .locations("classpath:arca/persistence/db/journal/" + db.dialect().folder())
        .placeholders(placeholders)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
    List<String> own = new ArrayList<>();
    for (String folder : List.of("all", db.dialect().folder())) {
      String path = "arca/" + service + "/db/" + folder;
      if (ServiceStorage.class.getClassLoader().getResource(path) != null) own.add("classpath:" + path);
    }
    if (!own.isEmpty()) {
      Flyway.configure(ServiceStorage.class.getClassLoader())
          .loggers("slf4j")
        .dataSource(ds)
          .table(service + "_schema_history")
          .locations(own.toArray(String[]::new))
          .placeholders(placeholders)
          .baselineOnMigrate(true)
          .baselineVersion("0")
          .load()
          .migrate();
    }
  }

  /**
   * Akka Persistence JDBC plugin config for the given services: one shared database definition and one journal,
   * snapshot store and read journal per service, each bound to the service's own tables. Merge it into the
   * config the actor system starts with.
   */
  public static Config pluginConfig(Config config, List<String> services) {
    StringBuilder hocon = new StringBuilder();
    int pool = config.getInt("arca.persistence.pool-size");
    String refresh = config.getString("arca.persistence.refresh-interval");
    for (String svc : services) {
      DbSettings db = DbSettings.forService(svc, config);
      hocon.append("akka-persistence-jdbc.shared-databases.").append(svc).append(" {\n")
          .append("  profile = \"").append(db.dialect().slickProfile).append("\"\n")
          .append("  db { connectionPool = HikariCP, url = ").append(quote(db.url()))
          .append(", user = ").append(quote(db.user())).append(", password = ").append(quote(db.password()))
          .append(", driver = ").append(quote(db.dialect().driver))
          .append(", numThreads = ").append(pool).append(", maxConnections = ").append(pool)
          .append(", minConnections = 1, keepAliveConnection = on }\n}\n");
      String tables = "tables.event_journal.tableName = " + quote(svc + "_event_journal")
          + "\n  tables.event_tag.tableName = " + quote(svc + "_event_tag");
      hocon.append(journalPluginId(svc)).append(" = ${jdbc-journal} {\n  use-shared-db = ").append(quote(svc))
          .append("\n  ").append(tables).append("\n}\n");
      hocon.append(snapshotPluginId(svc)).append(" = ${jdbc-snapshot-store} {\n  use-shared-db = ").append(quote(svc))
          .append("\n  tables.snapshot.tableName = ").append(quote(svc + "_snapshot")).append("\n}\n");
      hocon.append(queryPluginId(svc)).append(" = ${jdbc-read-journal} {\n  use-shared-db = ").append(quote(svc))
          .append("\n  write-plugin = ").append(quote(journalPluginId(svc)))
          .append("\n  refresh-interval = ").append(refresh)
          .append("\n  journal-sequence-retrieval.query-delay = ").append(refresh)
          .append("\n  journal-sequence-retrieval.ask-timeout = 10s")
          .append("\n  ").append(tables).append("\n}\n");
    }
    return ConfigFactory.parseString(hocon.toString());
  }

  private static String quote(String s) {
    return ConfigValueFactory.fromAnyRef(s).render(ConfigRenderOptions.concise());
  }

  public static String journalPluginId(String service) {
    return "arca.persistence.plugins." + service + ".journal";
  }

  public static String snapshotPluginId(String service) {
    return "arca.persistence.plugins." + service + ".snapshot";
  }

  public static String queryPluginId(String service) {
    return "arca.persistence.plugins." + service + ".query";
  }

  public String service() {
    return service;
  }

  public String journalPluginId() {
    return journalPluginId(service);
  }

  public String snapshotPluginId() {
    return snapshotPluginId(service);
  }

  public String queryPluginId() {
    return queryPluginId(service);
  }

  /** Connection pool for this service's read models (its own tables only). */
  public DataSource dataSource() {
    return dataSource;
  }

  public DbSettings db() {
    return db;
  }

  @Override
  public void close() {
    dataSource.close();
  }
}
