package arca.tree;

import arca.testkit.TestDatabase;

class TreeServiceOnH2Test extends TreeServiceContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.h2();
  }
}
