package arca.service;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.BackoffSupervisorStrategy;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.SupervisorStrategy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.stream.IntStream;

/** Small shared conventions of the entities. */
public final class Entities {
  private Entities() {}

  /** Restart an entity whose journal write failed, with backoff (the database may be briefly unreachable). */
  public static final BackoffSupervisorStrategy ON_PERSIST_FAILURE =
      SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.1);

  /** Tags {@code <prefix>-0..n-1}: events of one entity always carry the same tag (one projection instance each). */
  public static List<String> tags(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + "-" + i).toList();
  }

  public static String tagFor(List<String> tags, String entityId) {
    return tags.get(Math.floorMod(entityId.hashCode(), tags.size()));
  }

  public static Executor blocking(ActorSystem<?> system) {
    return system.dispatchers().lookup(DispatcherSelector.fromConfig("arca-blocking-dispatcher"));
  }
}
