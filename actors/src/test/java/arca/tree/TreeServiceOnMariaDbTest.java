package arca.tree;

import arca.testkit.TestDatabase;

class TreeServiceOnMariaDbTest extends TreeServiceContract {
  @Override
  protected TestDatabase database() {
    return TestDatabase.mariaDb();
  }

  /**
   * 5,000 on MariaDB: the same paging, a quarter of the run time (20,000 took over two minutes of the suite; they
   * are listed through REST on a running node in FilesNodeIT).
   */
  @Override
  int bigFolderEntries() {
    return 5_000;
  }
}
