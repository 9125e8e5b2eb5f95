package arca.lock;

import arca.testkit.TestDatabase;

/** The lock service contract on the default storage: an embedded H2 file under the data directory. */
class LockServiceOnH2Test extends LockServiceContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.h2();
  }
}
