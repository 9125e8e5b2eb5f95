package arca.deploy;

import akka.util.Version;
import com.typesafe.config.Config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The node's {@code akka.cluster.app-version}: {@code arca.app-version} ({@code ARCA_APP_VERSION}) when set, else
 * the build's version {@code <major.minor.patch>+<commits>-<commit>[-dirty]} from {@code arca/build.properties}
 * (the Maven project version without its qualifier, the number of commits up to the built one, its abbreviated id).
 * Akka's {@link akka.util.Version} reads that as sbt-dynver: the commit count is a numeric part, so a build of a
 * later commit on the same branch compares greater. Shard allocation prefers members with the greatest version and
 * rebalancing waits while members differ (a rollout).
 */
public final class AppVersion {
  private AppVersion() {}

  /** The version this node announces. */
  public static String of(Config config) {
    String configured = config.getString("arca.app-version").trim();
    return configured.isEmpty() ? build() : checked(configured);
  }

  /** The version of this build (from arca/build.properties in the deploy jar). */
  public static String build() {
    Properties p = new Properties();
    try (InputStream in = AppVersion.class.getResourceAsStream("/arca/build.properties")) {
      if (in == null) throw new IllegalStateException("arca/build.properties is missing from the classpath (a broken build?)");
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return compose(p.getProperty("project-version", ""), p.getProperty("commit-count", ""),
        p.getProperty("commit", ""), p.getProperty("dirty", ""));
  }

  /**
   * {@code 0.1.0-SNAPSHOT}, 412, {@code 8cd17da1f2}, false → {@code 0.1.0+412-8cd17da1f2}. Without git information
   * (a build outside a checkout: the properties are unresolved) the bare project version, {@code 0.1.0}.
   */
  static String compose(String projectVersion, String commitCount, String commit, String dirty) {
    String base = projectVersion.trim();
    int qualifier = base.indexOf('-');
    if (qualifier >= 0) base = base.substring(0, qualifier);
    if (!base.matches("\\d+\\.\\d+\\.\\d+")) {
      throw new IllegalStateException("project version '" + projectVersion + "' is not major.minor.patch[-qualifier]");
    }
    if (!commitCount.matches("\\d+") || !commit.matches("[0-9a-f]+")) return base;
    return base + "+" + commitCount + "-" + commit + (dirty.trim().equals("true") ? "-dirty" : "");
  }

  /** A configured version, refused early (with the reason) unless Akka can compare it. */
  static String checked(String version) {
    try {
      Version.apply(version);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("arca.app-version (ARCA_APP_VERSION) '" + version
          + "' is not a version Akka can compare (e.g. 1.2.3 or 1.2.3+45-abcdef0): " + e.getMessage(), e);
    }
    return version;
  }
}
