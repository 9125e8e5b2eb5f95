package arca.deploy.it;

/**
 * The same files suite as {@link FilesNodeIT}, through the nginx address of a 3-node cluster ({@code local-cluster}
 * on MariaDB): every request may land on any node.
 */
class FilesClusterIT extends FilesNodeIT {
  LocalCluster cluster;

  @Override
  void startServer() throws Exception {
    cluster = new LocalCluster("files-cluster", 19500 + (int) (ProcessHandle.current().pid() % 50) * 10, PASSWORD);
    cluster.run("up", "3");
    baseUrl = cluster.url();
  }

  /**
   * Fewer than on one node: every entry is an event of the one folder entity, written in turn, and three nodes on two
   * cores with MariaDB create them at about 60/s (20,000 take minutes). Paging across nodes is what this checks.
   */
  @Override
  int bigFolderEntries() {
    return 1_000;
  }

  @Override
  void stopServer() throws Exception {
    if (cluster != null) cluster.close();
  }
}
