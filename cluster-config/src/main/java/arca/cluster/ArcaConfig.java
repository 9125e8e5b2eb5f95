package arca.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Loads a node's configuration: the given overlay, then arca.conf (with its environment overrides), then defaults. */
public final class ArcaConfig {
  private ArcaConfig() {}

  /** {@code arca.cluster.seed-nodes} ("host:port,host:port") as Akka seed-node addresses. */
  public static List<String> seedNodes(Config config) {
    String raw = config.getString("arca.cluster.seed-nodes").trim();
    if (raw.isEmpty()) return List.of();
    return Arrays.stream(raw.split("[,\\s]+")).filter(s -> !s.isEmpty())
        .map(s -> s.startsWith("akka://") ? s : "akka://arca@" + s).toList();
  }

  public static Config load(Config overlay) {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.load(overlay.withFallback(ConfigFactory.parseResourcesAnySyntax("arca")));
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
