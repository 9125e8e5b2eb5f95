package arca.tree;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.query.EventEnvelope;
import arca.persistence.ServiceStorage;
import arca.persistence.Sql;
import arca.persistence.TaggedProjection;
import arca.proto.tree.CopyFinished;
import arca.proto.tree.CopyStarted;
import arca.proto.tree.MoveOutAborted;
import arca.proto.tree.MoveOutCompleted;
import arca.proto.tree.MoveOutStarted;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes interrupted moves and copy jobs complete. The folders' move events are projected into {@code tree_pending_moves}; every
 * {@code arca.tree.sweep-interval} each node running the tree service wakes the source folder of any move pending for
 * longer than that, and the folder resends the adoption (which the destination applies once).
 */
final class PendingMoves {
  private static final String JOB = "job:";

  private PendingMoves() {}

  static void init(ActorSystem<?> system, ServiceStorage storage) {
    // copy jobs tag their start and finish with the folders' tags: one projection follows both
    TaggedProjection.init(system, storage, "pending-moves", FolderEntity.TAGS, TreeModule.NAME, PendingMoves::apply);
    Duration every = system.settings().config().getDuration("arca.tree.sweep-interval");
    system.scheduler().scheduleWithFixedDelay(every, every, () -> sweep(system, storage, every), system.executionContext());
  }

  static void apply(Connection c, EventEnvelope env) throws SQLException {
    String folder = env.persistenceId().substring(env.persistenceId().indexOf('|') + 1);
    Object event = env.event();
    if (event instanceof MoveOutStarted e) {
      Sql.exec(c, "DELETE FROM tree_pending_moves WHERE op_id = ?", e.getOpId());
      Sql.exec(c, "INSERT INTO tree_pending_moves (op_id, folder_id, started_at) VALUES (?, ?, ?)", e.getOpId(), folder,
          env.timestamp());
    } else if (event instanceof MoveOutCompleted e) {
      Sql.exec(c, "DELETE FROM tree_pending_moves WHERE op_id = ?", e.getOpId());
    } else if (event instanceof MoveOutAborted e) {
      Sql.exec(c, "DELETE FROM tree_pending_moves WHERE op_id = ?", e.getOpId());
    } else if (event instanceof CopyStarted) {
      // a copy job: its own id is the row's, and "job:<id>" tells the sweeper what to wake
      Sql.exec(c, "DELETE FROM tree_pending_moves WHERE op_id = ?", folder);
      Sql.exec(c, "INSERT INTO tree_pending_moves (op_id, folder_id, started_at) VALUES (?, ?, ?)", folder, JOB + folder,
          env.timestamp());
    } else if (event instanceof CopyFinished) {
      Sql.exec(c, "DELETE FROM tree_pending_moves WHERE op_id = ?", folder);
    }
  }

  private static void sweep(ActorSystem<?> system, ServiceStorage storage, Duration age) {
    long before = System.currentTimeMillis() - age.toMillis();
    TaggedProjection.query(system, storage, c -> {
      List<String> folders = new ArrayList<>();
      try (PreparedStatement ps = c.prepareStatement(
          "SELECT DISTINCT folder_id FROM tree_pending_moves WHERE started_at < ? ORDER BY folder_id")) {
        ps.setLong(1, before);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next() && folders.size() < 1000) folders.add(rs.getString(1));
        }
      }
      return folders;
    }).thenAccept(folders -> {
      ClusterSharding sharding = ClusterSharding.get(system);
      for (String folder : folders) {
        if (folder.startsWith(JOB)) {
          sharding.entityRefFor(CopyJobEntity.KEY, folder.substring(JOB.length())).tell(new CopyJobEntity.Resume(system.ignoreRef()));
        } else {
          sharding.entityRefFor(FolderEntity.KEY, folder).tell(new FolderEntity.Resume(system.ignoreRef()));
        }
      }
    }).exceptionally(e -> {
      system.log().warn("pending-move sweep failed: {}", e.toString());
      return null;
    });
  }
}
