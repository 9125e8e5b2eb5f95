package arca.it;

import arca.testkit.TestDatabase;

/** The service contract on the default storage: an embedded H2 file under the data directory. */
class ServicesOnH2Test extends ServicesContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.h2();
  }
}
