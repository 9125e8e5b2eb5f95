package arca.deploy.it;

import java.nio.file.Files;
import java.util.Map;
import java.util.UUID;

/**
 * One real node (embedded H2 storage) shared by the end-to-end test classes that only need "a node": the security
 * suite's classes among them. Started on first use, killed when the test JVM exits. Tests that share it stay
 * honest by never depending on global state they did not make: each makes its own users (see {@link #newLogin}),
 * workspaces and policy groups with unique names, and removes the policy groups it adds.
 */
final class SharedNode {
  static final String ADMIN_PASSWORD = "shared-node-admin-password";
  private static NodeProcess node;

  private SharedNode() {
  }

  /** The shared node, started (once per test JVM) if it is not yet. */
  static synchronized NodeProcess get() throws Exception {
    if (node == null) {
      NodeProcess started = new NodeProcess(Files.createTempDirectory("arca-shared-node"),
          Map.of("ARCA_ADMIN_PASSWORD", ADMIN_PASSWORD));
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (Exception ignored) {
          // the JVM is exiting
        }
      }));
      started.start();
      node = started;
    }
    return node;
  }

  /** An API client of the shared node. */
  static Api api() throws Exception {
    return new Api(get().url());
  }

  /** A login no other test uses: {@code prefix} plus a random suffix (logins are at most 64 characters). */
  static String newLogin(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
