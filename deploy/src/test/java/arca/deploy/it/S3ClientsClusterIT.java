package arca.deploy.it;

/**
 * The same real-client suite as {@link S3ClientsIT}, through the nginx address of a 3-node cluster
 * ({@code local-cluster} on MariaDB; the nodes share the datasource folder): every request may land on any node.
 */
class S3ClientsClusterIT extends S3ClientsIT {
  LocalCluster cluster;

  @Override
  void startServer() throws Exception {
    cluster = new LocalCluster("s3-cluster", 11000 + (int) (ProcessHandle.current().pid() % 50) * 10, PASSWORD);
    cluster.run("up", "3");
    baseUrl = cluster.url();
    port = cluster.base;
  }

  @Override
  void stopServer() throws Exception {
    if (cluster != null) cluster.close();
  }
}
