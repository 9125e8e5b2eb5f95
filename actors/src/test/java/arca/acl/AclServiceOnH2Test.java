package arca.acl;

import arca.testkit.TestDatabase;

/** The acl service contract on the default storage: an embedded H2 file under the data directory. */
class AclServiceOnH2Test extends AclServiceContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.h2();
  }
}
