package arca.tree;

import arca.testkit.TestDatabase;

class TreeServiceOnMariaDbTest extends TreeServiceContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.mariaDb();
  }
}
