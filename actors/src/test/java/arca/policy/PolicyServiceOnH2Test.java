package arca.policy;

import arca.testkit.TestDatabase;

/** The policy service contract on the default storage: an embedded H2 file under the data directory. */
class PolicyServiceOnH2Test extends PolicyServiceContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.h2();
  }
}
