package arca.persistence;

import akka.Done;
import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.PostStop;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.ShardedDaemonProcessSettings;
import akka.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.query.Sequence;
import akka.stream.KillSwitches;
import akka.stream.RestartSettings;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Projects a service's tagged events into read-model tables of that same service, exactly once: the handler's
 * writes and the new offset commit in one JDBC transaction, in the service's own {@code <svc>_projection_offset}
 * table. One instance per tag runs in the cluster (a sharded daemon process on the nodes with the service's role),
 * restarting with backoff on failure.
 */
public final class TaggedProjection {

  /** Applies one event to the read model, inside the transaction that also stores the offset. */
  @FunctionalInterface
  public interface Handler {
    void handle(Connection connection, EventEnvelope envelope) throws SQLException;
  }

  private TaggedProjection() {}

  public static void init(ActorSystem<?> system, ServiceStorage storage, String name, List<String> tags,
                          String role, Handler handler) {
    ShardedDaemonProcess.get(system).init(
        Void.class,
        storage.service() + "-" + name,
        tags.size(),
        i -> run(storage, name + "-" + tags.get(i), tags.get(i), handler),
        ShardedDaemonProcessSettings.create(system).withRole(role),
        Optional.empty());
  }

  private static Behavior<Void> run(ServiceStorage storage, String projectionId, String tag, Handler handler) {
    return Behaviors.setup(ctx -> {
      ActorSystem<?> system = ctx.getSystem();
      ctx.getLog().info("projection {} of tag {} runs on this node", projectionId, tag);
      Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("arca-blocking-dispatcher"));
      JdbcReadJournal journal = PersistenceQuery.get(system)
          .getReadJournalFor(JdbcReadJournal.class, storage.queryPluginId());
      Source<Done, NotUsed> source = RestartSource.onFailuresWithBackoff(
          RestartSettings.create(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2),
          () -> Source.completionStage(CompletableFuture.supplyAsync(() -> readOffset(storage, projectionId), blocking))
              .flatMapConcat(offset -> journal.eventsByTag(tag, offset))
              .groupedWithin(200, Duration.ofMillis(20))
              .mapAsync(1, batch -> CompletableFuture.supplyAsync(() -> apply(storage, projectionId, batch, handler), blocking)));
      UniqueKillSwitch killSwitch = source.viaMat(KillSwitches.single(), Keep.right())
          .toMat(Sink.ignore(), Keep.left()).run(system);
      return Behaviors.<Void>receive(Void.class)
          .onSignal(PostStop.class, s -> {
            killSwitch.shutdown();
            return Behaviors.same();
          })
          .build();
    });
  }

  private static Offset readOffset(ServiceStorage storage, String projectionId) {
    String sql = "SELECT offset_value FROM " + storage.service() + "_projection_offset WHERE projection_id = ?";
    try (Connection c = storage.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, projectionId);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Offset.sequence(rs.getLong(1)) : Offset.noOffset();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read offset of " + projectionId, e);
    }
  }

  private static Done apply(ServiceStorage storage, String projectionId, List<EventEnvelope> batch, Handler handler) {
    String table = storage.service() + "_projection_offset";
    try (Connection c = storage.dataSource().getConnection()) {
      c.setAutoCommit(false);
      try {
        for (EventEnvelope env : batch) handler.handle(c, env);
        long offset = ((Sequence) batch.get(batch.size() - 1).offset()).value();
        long now = System.currentTimeMillis();
        try (PreparedStatement up = c.prepareStatement(
            "UPDATE " + table + " SET offset_value = ?, updated_at = ? WHERE projection_id = ?")) {
          up.setLong(1, offset);
          up.setLong(2, now);
          up.setString(3, projectionId);
          if (up.executeUpdate() == 0) {
            try (PreparedStatement ins = c.prepareStatement(
                "INSERT INTO " + table + " (projection_id, offset_value, updated_at) VALUES (?, ?, ?)")) {
              ins.setString(1, projectionId);
              ins.setLong(2, offset);
              ins.setLong(3, now);
              ins.executeUpdate();
            }
          }
        }
        c.commit();
        return Done.getInstance();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IllegalStateException("projection " + projectionId + " failed", e);
    }
  }

  /** Runs a blocking read-model query on the blocking dispatcher. */
  public static <T> CompletionStage<T> query(ActorSystem<?> system, ServiceStorage storage, SqlFunction<T> query) {
    Executor blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig("arca-blocking-dispatcher"));
    return CompletableFuture.supplyAsync(() -> {
      try (Connection c = storage.dataSource().getConnection()) {
        return query.apply(c);
      } catch (SQLException e) {
        throw new IllegalStateException("read model query on " + storage.service() + " failed", e);
      }
    }, blocking);
  }

  @FunctionalInterface
  public interface SqlFunction<T> {
    T apply(Connection connection) throws SQLException;
  }
}
