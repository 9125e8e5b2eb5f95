package arca.workspace;

import arca.testkit.TestDatabase;

/** The workspace service contract on the default storage: an embedded H2 file under the data directory. */
class WorkspaceServiceOnH2Test extends WorkspaceServiceContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.h2();
  }
}
