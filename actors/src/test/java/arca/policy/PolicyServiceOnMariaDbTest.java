package arca.policy;

import arca.testkit.TestDatabase;

/** The policy service contract on MariaDB (the server on 127.0.0.1:3306; a fresh database, dropped afterwards). */
class PolicyServiceOnMariaDbTest extends PolicyServiceContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.mariaDb();
  }
}
