package arca.it;

import arca.testkit.TestDatabase;

/** The service contract on MariaDB (the server on 127.0.0.1:3306; a fresh database, dropped afterwards). */
class ServicesOnMariaDbTest extends ServicesContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.mariaDb();
  }
}
