package arca.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** Loads a node's configuration: the given overlay, then arca.conf (with its environment overrides), then defaults. */
public final class ArcaConfig {
  private ArcaConfig() {}

  public static Config load(Config overlay) {
    ConfigFactory.invalidateCaches();
    return ConfigFactory.load(overlay.withFallback(ConfigFactory.parseResourcesAnySyntax("arca")));
  }

  /** The services this node runs, from {@code arca.services} ("all" means every known service). */
  public static List<String> enabledServices(Config config, List<String> known) {
    String raw = config.getString("arca.services").trim().toLowerCase(Locale.ROOT);
    if (raw.isEmpty() || raw.equals("all")) return known;
    List<String> wanted = Arrays.stream(raw.split("[,\\s]+")).filter(s -> !s.isEmpty()).distinct().toList();
    for (String s : wanted) {
      if (!known.contains(s)) {
        throw new IllegalArgumentException("arca.services names an unknown service '" + s + "'; known: " + known);
      }
    }
    return wanted;
  }
}
