package arca.token;

import arca.testkit.TestDatabase;

/** The access-key contract on MariaDB (the server on 127.0.0.1:3306; a fresh database, dropped afterwards). */
class AccessKeysOnMariaDbTest extends AccessKeysContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.mariaDb();
  }
}
