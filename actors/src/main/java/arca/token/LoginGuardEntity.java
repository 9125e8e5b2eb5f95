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
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import arca.persistence.ServiceStorage;
import arca.proto.token.LoginFailed;
import arca.proto.token.LoginGuardSnapshot;
import arca.proto.token.LoginSucceeded;
import arca.proto.token.SessionsEnded;
import arca.service.CborSerializable;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;
import com.typesafe.config.Config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The account's guard, keyed by login: its password-guessing throttle and the cut-offs that end its sessions.
 *
 * <p>Throttle: every password check of the account, on any face and any node, first {@link Reserve}s an attempt
 * here and then reports its {@link Outcome}. A reservation is refused (429) while the account is locked, while
 * {@code max-concurrent} checks are running, or when the running checks would, all failing, reach
 * {@code max-failures}: so parallel guesses cannot pass the limit, and in-flight checks count against it (one check
 * at a time once the count is at the limit). After {@code max-failures} consecutive failures the account is locked
 * for {@code lock}, doubling with each further failure up to {@code max-lock}; a success clears the failures.
 * Reservations live in memory only (a check that never reports back frees its slot after
 * {@code reservation-timeout}); failures and locks are persisted and streamed to the gateways.
 *
 * <p>Cut-offs ({@link EndSessions}, after a password or role change or a deletion): access tokens issued before it
 * stop working (gateways learn it from WatchAuthEvents), and with {@code sessions} the refresh tokens of sessions
 * started before it too; one session may be spared (the one that changed its own password).
 *
 * <p>{@link Check}, {@link RecordFailure} and {@link RecordSuccess} are the protocol of older token services (check,
 * then verify, then record), kept for rolling upgrades.
 */
public final class LoginGuardEntity
    extends ServiceEntity<LoginGuardEntity.Command, LoginGuardEntity.State> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "LoginGuard");

  public sealed interface Command extends CborSerializable
      permits Check, RecordFailure, RecordSuccess, Reserve, Outcome, Release, EndSessions {}

  public record Check(ActorRef<State> replyTo) implements Command {}

  public record RecordFailure(ActorRef<State> replyTo) implements Command {}

  public record RecordSuccess(ActorRef<State> replyTo) implements Command {}

  /** Reserves a password check under the throttle; {@code attempt} names it in its {@link Outcome}. */
  public record Reserve(String attempt, ActorRef<Reservation> replyTo) implements Command {}

  /** The result of a reserved check: frees its slot, then records the failure or clears the failures. */
  public record Outcome(String attempt, boolean success, ActorRef<State> replyTo) implements Command {}

  /** A reserved check that ended without a verdict (the user service failed): frees its slot, records nothing. */
  public record Release(String attempt, ActorRef<State> replyTo) implements Command {}

  /** A credential change: see the class comment. {@code keepSession} may be "" (spare none). */
  public record EndSessions(boolean sessions, String keepSession, String reason, ActorRef<State> replyTo)
      implements Command {
    public EndSessions {
      if (keepSession == null) keepSession = "";
      if (reason == null) reason = "";
    }
  }

  /** granted, or refused with the time after which to try again; {@code locked} tells a lock from a busy account. */
  public record Reservation(boolean granted, boolean locked, long retryAfterMs, State state) implements CborSerializable {}

  /**
   * failures, lockedUntil, lastFailureAt: the throttle. tokensNotBefore/tokensKeep and sessionsNotBefore/sessionsKeep:
   * the latest cut-offs (epoch ms, 0 none) and the session each spares ("" none); absent in states of older nodes.
   */
  public record State(int failures, long lockedUntil, long lastFailureAt, long tokensNotBefore, String tokensKeep,
                      long sessionsNotBefore, String sessionsKeep) implements CborSerializable {
    public State {
      if (tokensKeep == null) tokensKeep = "";
      if (sessionsKeep == null) sessionsKeep = "";
    }

    public State(int failures, long lockedUntil, long lastFailureAt) {
      this(failures, lockedUntil, lastFailureAt, 0, "", 0, "");
    }

    State throttle(int failures, long lockedUntil, long lastFailureAt) {
      return new State(failures, lockedUntil, lastFailureAt, tokensNotBefore, tokensKeep, sessionsNotBefore, sessionsKeep);
    }

    /** Whether session {@code sid}, started at {@code startedAt}, was ended by a cut-off. */
    public boolean sessionEnded(String sid, long startedAt) {
      return sessionsNotBefore > 0 && startedAt < sessionsNotBefore && !sid.equals(sessionsKeep);
    }
  }

  public record Policy(int maxFailures, Duration lock, Duration maxLock, int maxConcurrent, Duration reservationTimeout) {
    public Policy(int maxFailures, Duration lock, Duration maxLock) {
      this(maxFailures, lock, maxLock, 4, Duration.ofSeconds(30));
    }

    static Policy of(Config config) {
      Config c = config.getConfig("arca.token.login-throttle");
      return new Policy(c.getInt("max-failures"), c.getDuration("lock"), c.getDuration("max-lock"),
          c.getInt("max-concurrent"), c.getDuration("reservation-timeout"));
    }

    long lockedUntil(int failures, long now) {
      if (failures < maxFailures) return 0;
      int doublings = Math.min(failures - maxFailures, 20);
      long ms = Math.min(lock.toMillis() << doublings, maxLock.toMillis());
      return now + ms;
    }
  }

  /** A refused reservation for a busy account asks the client to come back after this long. */
  static final long BUSY_RETRY_MS = 1_000;

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    Policy policy = Policy.of(system.settings().config());
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), storage, policy))
        .withRole(TokenModule.NAME));
  }

  static Behavior<Command> create(String login, ServiceStorage storage, Policy policy) {
    return Behaviors.setup(ctx -> new LoginGuardEntity(login, storage.journalPluginId(), storage.snapshotPluginId(), policy));
  }

  private final Policy policy;
  /** Checks reserved and not yet reported: attempt id -> when the reservation lapses (epoch ms). */
  private final Map<String, Long> running = new HashMap<>();

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
        .onCommand(RecordFailure.class, (s, c) -> failed(s, c.replyTo()))
        .onCommand(RecordSuccess.class, (s, c) -> succeeded(s, c.replyTo()))
        .onCommand(Reserve.class, this::onReserve)
        .onCommand(Outcome.class, (s, c) -> {
          running.remove(c.attempt());
          return c.success() ? succeeded(s, c.replyTo()) : failed(s, c.replyTo());
        })
        .onCommand(Release.class, (s, c) -> {
          running.remove(c.attempt());
          return Effect().reply(c.replyTo(), s);
        })
        .onCommand(EndSessions.class, this::onEndSessions)
        .build();
  }

  private ReplyEffect<GeneratedMessageV3, State> onReserve(State s, Reserve c) {
    long now = System.currentTimeMillis();
    running.values().removeIf(lapses -> lapses <= now);
    if (s.lockedUntil() > now) {
      return Effect().reply(c.replyTo(), new Reservation(false, true, s.lockedUntil() - now, s));
    }
    int inFlight = running.size();
    // at most max-concurrent checks; and no more than would, all failing, reach the lock (at least one may run)
    if (inFlight >= policy.maxConcurrent() || (inFlight > 0 && s.failures() + inFlight >= policy.maxFailures())) {
      return Effect().reply(c.replyTo(), new Reservation(false, false, BUSY_RETRY_MS, s));
    }
    running.put(c.attempt(), now + policy.reservationTimeout().toMillis());
    return Effect().reply(c.replyTo(), new Reservation(true, false, 0, s));
  }

  private ReplyEffect<GeneratedMessageV3, State> failed(State s, ActorRef<State> replyTo) {
    long now = System.currentTimeMillis();
    int failures = s.failures() + 1;
    return Effect().persist(LoginFailed.newBuilder().setFailures(failures)
            .setLockedUntil(policy.lockedUntil(failures, now)).setAt(now).build())
        .thenReply(replyTo, st -> st);
  }

  private ReplyEffect<GeneratedMessageV3, State> succeeded(State s, ActorRef<State> replyTo) {
    if (s.failures() == 0 && s.lockedUntil() == 0) return Effect().reply(replyTo, s);
    return Effect().persist(LoginSucceeded.newBuilder().setAt(System.currentTimeMillis()).build())
        .thenReply(replyTo, st -> st);
  }

  private ReplyEffect<GeneratedMessageV3, State> onEndSessions(State s, EndSessions c) {
    // cut-offs only move forward, also when this node's clock is behind the one that set the last
    long at = Math.max(System.currentTimeMillis(), Math.max(s.tokensNotBefore(), s.sessionsNotBefore()) + 1);
    return Effect().persist(SessionsEnded.newBuilder().setTokensNotBefore(at).setSessionsNotBefore(c.sessions() ? at : 0)
            .setKeepSession(c.keepSession()).setReason(c.reason()).setAt(at).build())
        .thenReply(c.replyTo(), st -> st);
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(LoginFailed.class, (s, e) -> s.throttle(e.getFailures(), e.getLockedUntil(), e.getAt()))
        .onEvent(LoginSucceeded.class, (s, e) -> s.throttle(0, 0, s.lastFailureAt()))
        .onEvent(SessionsEnded.class, (s, e) -> e.getSessionsNotBefore() > 0
            ? new State(s.failures(), s.lockedUntil(), s.lastFailureAt(), e.getTokensNotBefore(), e.getKeepSession(),
                e.getSessionsNotBefore(), e.getKeepSession())
            : new State(s.failures(), s.lockedUntil(), s.lastFailureAt(), e.getTokensNotBefore(), e.getKeepSession(),
                s.sessionsNotBefore(), s.sessionsKeep()))
        .build();
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        return LoginGuardSnapshot.newBuilder().setFailures(s.failures()).setLockedUntil(s.lockedUntil())
            .setLastFailureAt(s.lastFailureAt()).setTokensNotBefore(s.tokensNotBefore()).setTokensKeep(s.tokensKeep())
            .setSessionsNotBefore(s.sessionsNotBefore()).setSessionsKeep(s.sessionsKeep()).build();
      }

      @Override
      public State fromJournal(Object from) {
        LoginGuardSnapshot p = (LoginGuardSnapshot) from;
        return new State(p.getFailures(), p.getLockedUntil(), p.getLastFailureAt(), p.getTokensNotBefore(),
            p.getTokensKeep(), p.getSessionsNotBefore(), p.getSessionsKeep());
      }
    };
  }
}
