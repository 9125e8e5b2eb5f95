package arca.token;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.RetentionCriteria;
import arca.persistence.ServiceStorage;
import arca.proto.token.LoginFailed;
import arca.proto.token.LoginGuardSnapshot;
import arca.proto.token.LoginSucceeded;
import arca.service.CborSerializable;
import arca.service.Entities;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;
import com.typesafe.config.Config;

import java.time.Duration;
import java.util.Set;

/**
 * Failed-login throttling for one login. After {@code max-failures} consecutive failures the account is locked for
 * {@code lock}, doubling with each further failure up to {@code max-lock}; a success resets it. Its events feed the
 * gateways' node-local counters, so a locked account is refused before any password hashing.
 */
public final class LoginGuardEntity
    extends ServiceEntity<LoginGuardEntity.Command, LoginGuardEntity.State> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "LoginGuard");

  public sealed interface Command extends CborSerializable permits Check, RecordFailure, RecordSuccess {}

  public record Check(ActorRef<State> replyTo) implements Command {}

  public record RecordFailure(ActorRef<State> replyTo) implements Command {}

  public record RecordSuccess(ActorRef<State> replyTo) implements Command {}

  public record State(int failures, long lockedUntil, long lastFailureAt) implements CborSerializable {}

  public record Policy(int maxFailures, Duration lock, Duration maxLock) {
    static Policy of(Config config) {
      Config c = config.getConfig("arca.token.login-throttle");
      return new Policy(c.getInt("max-failures"), c.getDuration("lock"), c.getDuration("max-lock"));
    }

    long lockedUntil(int failures, long now) {
      if (failures < maxFailures) return 0;
      int doublings = Math.min(failures - maxFailures, 20);
      long ms = Math.min(lock.toMillis() << doublings, maxLock.toMillis());
      return now + ms;
    }
  }

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    Policy policy = Policy.of(system.settings().config());
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), storage, policy))
        .withRole(TokenModule.NAME));
  }

  static Behavior<Command> create(String login, ServiceStorage storage, Policy policy) {
    return Behaviors.setup(ctx -> new LoginGuardEntity(login, storage.journalPluginId(), storage.snapshotPluginId(), policy));
  }

  private final Policy policy;

  LoginGuardEntity(String login, String journal, String snapshots, Policy policy) {
    super(PersistenceId.of(KEY.name(), login), journal, snapshots);
    this.policy = policy;
  }

  @Override public State emptyState() { return new State(0, 0, 0); }
  @Override public Set<String> tagsFor(GeneratedMessageV3 event) { return Set.of(SessionEntity.AUTH_TAG); }
  @Override public RetentionCriteria retentionCriteria() { return RetentionCriteria.snapshotEvery(20, 2); }

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Check.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .onCommand(RecordFailure.class, (s, c) -> {
          long now = System.currentTimeMillis();
          int failures = s.failures() + 1;
          return Effect().persist(LoginFailed.newBuilder().setFailures(failures)
                  .setLockedUntil(policy.lockedUntil(failures, now)).setAt(now).build())
              .thenReply(c.replyTo(), st -> st);
        })
        .onCommand(RecordSuccess.class, (s, c) -> s.failures() == 0 && s.lockedUntil() == 0
            ? Effect().reply(c.replyTo(), s)
            : Effect().persist(LoginSucceeded.newBuilder().setAt(System.currentTimeMillis()).build())
                .thenReply(c.replyTo(), st -> st))
        .build();
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(LoginFailed.class, (s, e) -> new State(e.getFailures(), e.getLockedUntil(), e.getAt()))
        .onEvent(LoginSucceeded.class, (s, e) -> new State(0, 0, s.lastFailureAt()))
        .build();
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        return LoginGuardSnapshot.newBuilder().setFailures(s.failures()).setLockedUntil(s.lockedUntil())
            .setLastFailureAt(s.lastFailureAt()).build();
      }

      @Override
      public State fromJournal(Object from) {
        LoginGuardSnapshot p = (LoginGuardSnapshot) from;
        return new State(p.getFailures(), p.getLockedUntil(), p.getLastFailureAt());
      }
    };
  }
}
