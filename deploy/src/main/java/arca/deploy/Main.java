package arca.deploy;

import arca.cluster.ArcaConfig;
import com.typesafe.config.ConfigFactory;
import org.slf4j.LoggerFactory;

/**
 * {@code arca-node start}: runs one node in the foreground until SIGTERM/Ctrl-C (graceful: leaves the cluster).
 * {@code arca-node version}: prints the app version a node started with the same environment would announce.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    String command = args.length == 0 ? "start" : args[0];
    switch (command) {
      case "start" -> {
        Node node;
        try {
          node = Node.start(ConfigFactory.empty());
        } catch (PrivateData.Refused e) {
          // something the operator must fix (README "Data at rest"): say what, and stop at once
          LoggerFactory.getLogger(Main.class).error("node refused to start: {}", e.getMessage());
          System.exit(1);
          return;
        }
        node.system.getWhenTerminated().thenRun(() -> System.exit(0));
      }
      case "version" -> System.out.println(AppVersion.of(ArcaConfig.load(ConfigFactory.empty())));
      default -> {
        System.err.println("usage: arca-node start|version");
        System.exit(2);
      }
    }
  }
}
