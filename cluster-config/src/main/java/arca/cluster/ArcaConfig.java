package arca.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;

import java.io.File;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Loads a node's configuration: the given overlay, then the administrator's file ({@code ARCA_CONFIG_FILE}), then
 * arca.conf (with its environment overrides), then defaults.
 */
public final class ArcaConfig {
  private ArcaConfig() {}

  /** {@code arca.cluster.seed-nodes} ("host:port,host:port") as Akka seed-node addresses. */
  public static List<String> seedNodes(Config config) {
    String raw = config.getString("arca.cluster.seed-nodes").trim();
    if (raw.isEmpty()) return List.of();
    return Arrays.stream(raw.split("[,\\s]+")).filter(s -> !s.isEmpty())
        .map(s -> s.startsWith("akka://") ? s : "akka://arca@" + s).toList();
  }

  /**
   * The Akka Cluster Bootstrap settings that {@code arca.cluster.bootstrap} asks for (empty when it is off or
   * seed nodes are set): the discovery method, and for the config method the contact points as its endpoints.
   */
  public static Config bootstrap(Config config) {
    String method = bootstrapMethod(config);
    if (method.isEmpty()) return ConfigFactory.empty();
    Config b = config.getConfig("arca.cluster.bootstrap");
    String service = b.getString("service-name");
    int required = b.getInt("required-contact-points");
    if (required < 1) throw new IllegalArgumentException("arca.cluster.bootstrap.required-contact-points must be at least 1");
    StringBuilder hocon = new StringBuilder()
        .append("akka.management.cluster.bootstrap.contact-point-discovery {\n")
        .append("  discovery-method = ").append(method).append("\n")
        .append("  service-name = \"").append(service).append("\"\n")
        .append("  required-contact-point-nr = ").append(required).append("\n}\n");
    if (method.equals("config")) {
      List<String> points = Arrays.stream(b.getString("contact-points").trim().split("[,\\s]+")).filter(p -> !p.isEmpty()).toList();
      if (points.isEmpty()) {
        throw new IllegalArgumentException("arca.cluster.bootstrap.method = config needs contact-points (ARCA_BOOTSTRAP_CONTACT_POINTS=host:port,...)");
      }
      hocon.append("akka.discovery.config.services.\"").append(service).append("\".endpoints = [\n");
      for (String point : points) {
        int colon = point.lastIndexOf(':');
        if (colon <= 0 || !point.substring(colon + 1).matches("\\d{1,5}")) {
          throw new IllegalArgumentException("bootstrap contact point '" + point + "' is not host:port");
        }
        hocon.append("  { host = \"").append(point, 0, colon).append("\", port = ").append(point.substring(colon + 1)).append(" }\n");
      }
      hocon.append("]\n");
      // keep every listed endpoint, several nodes on one host included (by default Bootstrap keeps one per host)
      hocon.append("akka.management.cluster.bootstrap.contact-point.filter-on-fallback-port = false\n");
    }
    return ConfigFactory.parseString(hocon.toString());
  }

  /** "config" or "kubernetes-api" when the node forms its cluster through Cluster Bootstrap, else "". */
  public static String bootstrapMethod(Config config) {
    if (!seedNodes(config).isEmpty()) return "";
    String method = config.getString("arca.cluster.bootstrap.method").trim().toLowerCase(Locale.ROOT);
    if (!List.of("", "config", "kubernetes-api").contains(method)) {
      throw new IllegalArgumentException("arca.cluster.bootstrap.method '" + method + "' is not one of: config, kubernetes-api");
    }
    return method;
  }

  public static Config load(Config overlay) {
    return load(overlay, siteFile(System.getenv("ARCA_CONFIG_FILE")));
  }

  static Config load(Config overlay, Config site) {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.load(overlay.withFallback(site).withFallback(ConfigFactory.parseResourcesAnySyntax("arca")));
  }

  /**
   * The administrator's own HOCON file ({@code ARCA_CONFIG_FILE}), over the built-in configuration: for what has no
   * environment variable, such as extra datasources. Empty when unset; a file that is set but missing or invalid
   * stops the node with the reason.
   */
  static Config siteFile(String path) {
    if (path == null || path.isBlank()) return ConfigFactory.empty();
    File file = new File(path);
    if (!file.isFile()) throw new IllegalArgumentException("ARCA_CONFIG_FILE " + path + " is not a readable file");
    return ConfigFactory.parseFile(file, ConfigParseOptions.defaults().setAllowMissing(false));
  }

  /** The services this node runs, from {@code arca.services} ("all": every known service; "none": gateway only). */
  public static List<String> enabledServices(Config config, List<String> known) {
    String raw = config.getString("arca.services").trim().toLowerCase(Locale.ROOT);
    if (raw.isEmpty() || raw.equals("all")) return known;
    if (raw.equals("none")) return List.of();
    List<String> wanted = Arrays.stream(raw.split("[,\\s]+")).filter(s -> !s.isEmpty()).distinct().toList();
    for (String s : wanted) {
      if (!known.contains(s)) {
        throw new IllegalArgumentException("arca.services names an unknown service '" + s + "'; known: " + known);
      }
    }
    return wanted;
  }
}
