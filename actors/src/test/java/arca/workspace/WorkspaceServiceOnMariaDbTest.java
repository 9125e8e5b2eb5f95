package arca.workspace;

import arca.testkit.TestDatabase;

/** The workspace service contract on MariaDB (the server on 127.0.0.1:3306; a fresh database, dropped afterwards). */
class WorkspaceServiceOnMariaDbTest extends WorkspaceServiceContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.mariaDb();
  }
}
