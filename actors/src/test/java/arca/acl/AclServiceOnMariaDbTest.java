package arca.acl;

import arca.testkit.TestDatabase;

/** The acl service contract on MariaDB (the server on 127.0.0.1:3306; a fresh database, dropped afterwards). */
class AclServiceOnMariaDbTest extends AclServiceContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.mariaDb();
  }
}
