package arca.token;

import arca.testkit.TestDatabase;

/** The access-key contract on the default storage: an embedded H2 file under the data directory. */
class AccessKeysOnH2Test extends AccessKeysContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.h2();
  }
}
