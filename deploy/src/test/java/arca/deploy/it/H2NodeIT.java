package arca.deploy.it;

import java.util.Map;

/** End to end on the embedded default: H2 and Chronicle Map under the data directory. */
class H2NodeIT extends IdentityEndToEnd {
  @Override
  Map<String, String> storageEnv() {
    return Map.of();
  }
}
