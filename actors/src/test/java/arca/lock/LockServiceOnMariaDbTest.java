package arca.lock;

import arca.testkit.TestDatabase;

/** The lock service contract on MariaDB (the server on 127.0.0.1:3306; a fresh database, dropped afterwards). */
class LockServiceOnMariaDbTest extends LockServiceContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.mariaDb();
  }
}
