package arca.persistence;

import com.typesafe.config.Config;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where one service keeps its tables. Every service defaults to the central database ({@code arca.db.*}, itself
 * defaulting to an embedded H2 file under the data directory); {@code arca.persistence.services.<name>.db-url}
 * (or the environment variable {@code ARCA_<NAME>_DB_URL}) points one service at another database.
 */
public record DbSettings(String url, String user, String password, Dialect dialect) {

  public enum Dialect {
    H2("slick.jdbc.H2Profile$", "org.h2.Driver"),
    MYSQL("slick.jdbc.MySQLProfile$", "com.mysql.cj.jdbc.Driver");

    public final String slickProfile;
    public final String driver;

    Dialect(String slickProfile, String driver) {
      this.slickProfile = slickProfile;
      this.driver = driver;
    }

    public String folder() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Dialect of(String url) {
      if (url.startsWith("jdbc:h2:")) return H2;
      if (url.startsWith("jdbc:mysql:") || url.startsWith("jdbc:mariadb:")) return MYSQL;
      throw new IllegalArgumentException("unsupported database URL (use jdbc:h2: or jdbc:mysql:): " + url);
    }
  }

  public static DbSettings forService(String service, Config config) {
    String base = "arca.persistence.services." + service + ".";
    String env = "ARCA_" + service.toUpperCase(Locale.ROOT).replace('-', '_') + "_DB_";
    String url = pick(config, base + "db-url", env + "URL", centralUrl(config));
    boolean own = !url.equals(centralUrl(config));
    String user = pick(config, base + "db-user", env + "USER", own ? "" : config.getString("arca.db.user"));
    String password = pick(config, base + "db-password", env + "PASSWORD", own ? "" : config.getString("arca.db.password"));
    Dialect dialect = Dialect.of(url);
    if (dialect == Dialect.MYSQL && !url.contains("createDatabaseIfNotExist")) {
      url = url + (url.contains("?") ? "&" : "?") + "createDatabaseIfNotExist=true";
    }
    return new DbSettings(url, user, password, dialect);
  }

  /** The central database: {@code arca.db.url}, or an H2 file under the data directory. */
  public static String centralUrl(Config config) {
    String url = config.getString("arca.db.url");
    if (!url.isBlank()) return url;
    Path dir = Path.of(config.getString("arca.data-dir")).toAbsolutePath().normalize().resolve("db");
    return "jdbc:h2:file:" + dir.resolve("arca") + ";DB_CLOSE_ON_EXIT=FALSE";
  }

  private static String pick(Config config, String key, String envName, String fallback) {
    if (config.hasPath(key) && !config.getString(key).isBlank()) return config.getString(key);
    String env = System.getenv(envName);
    if (env != null && !env.isBlank()) return env;
    return fallback;
  }

  @Override
  public String toString() {
    return "DbSettings[" + url + ", user=" + user + "]";
  }
}
