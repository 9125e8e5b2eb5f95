package arca.deploy;

import akka.actor.AbstractExtensionId;
import akka.actor.ActorSystem;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import akka.actor.typed.javadsl.Adapter;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * An Akka Management readiness check ({@code /ready}): the node has bound its ports and done its first-start work,
 * and is not stopping (the same answer as the public {@code /readyz}). Akka Management's own cluster-membership
 * check adds "this member is Up". Probes (Kubernetes) and {@code rolling-upgrade} use {@code /ready}.
 */
public final class NodeReadiness implements Supplier<CompletionStage<Boolean>> {
  private final Flag flag;

  public NodeReadiness(ActorSystem system) {
    this.flag = ID.get(system);
  }

  /** Makes {@code ready} the answer of this system's check (until then: not ready). */
  public static void register(akka.actor.typed.ActorSystem<?> system, BooleanSupplier ready) {
    ID.get(Adapter.toClassic(system)).ready.set(ready);
  }

  @Override
  public CompletionStage<Boolean> get() {
    return CompletableFuture.completedFuture(flag.ready.get().getAsBoolean());
  }

  static final class Flag implements Extension {
    final AtomicReference<BooleanSupplier> ready = new AtomicReference<>(() -> false);
  }

  private static final class FlagId extends AbstractExtensionId<Flag> {
    @Override
    public Flag createExtension(ExtendedActorSystem system) {
      return new Flag();
    }
  }

  private static final FlagId ID = new FlagId();
}
