package arca.testkit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

/**
 * A service contract's node: one {@link TestNode} per test class on the storage backend the subclass names (the
 * same test body runs once per backend); a restart test replaces {@link #node} with a new one on the same data.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class NodeContract {
  protected Path dataDir;
  protected TestDatabase database;
  protected TestNode node;

  /** The backend this run uses; called once per class. */
  protected abstract TestDatabase database();

  @BeforeAll
  void startNode(@TempDir Path dataDir) {
    this.dataDir = dataDir;
    database = database();
    node = TestNode.start(dataDir, database);
  }

  @AfterAll
  void stopNode() {
    try {
      if (node != null) node.close();
    } finally {
      if (database != null) database.close();
    }
  }
}
