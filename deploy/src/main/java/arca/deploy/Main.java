package arca.deploy;

import com.typesafe.config.ConfigFactory;

/** {@code arca-node start}: runs one node in the foreground until SIGTERM/Ctrl-C (graceful: leaves the cluster). */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    String command = args.length == 0 ? "start" : args[0];
    switch (command) {
      case "start" -> {
        Node node = Node.start(ConfigFactory.empty());
        node.system.getWhenTerminated().thenRun(() -> System.exit(0));
      }
      default -> {
        System.err.println("usage: arca-node start");
        System.exit(2);
      }
    }
  }
}
