package arca.service;

import arca.cluster.ArcaConfig;
import arca.persistence.ServiceStorage;
import arca.testkit.TestDatabase;
import com.typesafe.config.Config;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Nodes of a cluster start together on one MariaDB database and each migrates the tables of the services it runs:
 * the migrations of a service run once (a named lock: one node migrates, the others wait and find nothing to do),
 * whichever node gets there first, and every node then opens the storage.
 */
class ConcurrentMigrationTest {
  @Test
  void threeNodesStartingAtOnceMigrateEachServiceOnce() throws Exception {
    try (TestDatabase db = TestDatabase.mariaDb()) {
      Config config = ArcaConfig.load(db.overlay());
      List<String> services = List.of("user", "tree", "policy");
      ExecutorService nodes = Executors.newFixedThreadPool(3);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<ServiceStorage>>> started = new ArrayList<>();
      try {
        for (int node = 0; node < 3; node++) {
          Callable<List<ServiceStorage>> start = () -> {
            go.await();
            List<ServiceStorage> opened = new ArrayList<>();
            for (String s : services) opened.add(ServiceStorage.open(s, config));
            return opened;
          };
          started.add(nodes.submit(start));
        }
        go.countDown();
        for (Future<List<ServiceStorage>> f : started) {
          for (ServiceStorage s : f.get()) s.close();
        }
      } finally {
        nodes.shutdownNow();
      }
      String url = config.getString("arca.db.url");
      try (Connection c = DriverManager.getConnection(url, "root", ""); Statement st = c.createStatement()) {
        for (String s : services) {
          for (String history : List.of(s + "_journal_schema_history", s + "_schema_history")) {
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT version), MIN(success) FROM " + history
                + " WHERE version IS NOT NULL AND version <> '0'")) {
              rs.next();
              assertTrue(rs.getInt(1) > 0, history + " lists no migration");
              assertEquals(rs.getInt(2), rs.getInt(1), history + ": a migration ran twice");
              assertEquals(1, rs.getInt(3), history + ": a migration failed");
            }
          }
        }
      }
    }
  }
}
