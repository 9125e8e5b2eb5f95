package arca.lock;

import arca.service.GrpcErrors;

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
import arca.proto.lock.DavLock;
import arca.proto.lock.LockGranted;
import arca.proto.lock.LockRefreshed;
import arca.proto.lock.LockSnapshot;
import arca.proto.lock.LocksReleased;
import arca.service.CborSerializable;
import arca.service.Failure;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;
import io.grpc.Status;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The WebDAV locks of one datasource, keyed by its name: all of them in memory (at most {@value #MAX_LOCKS} live
 * ones), so that a conflict check or the locks covering a path are one ask.
 * <p>
 * A lock is live until its {@code expiresAt}: an expired one is skipped by every command at once, and dropped from
 * the state by the next event, whatever it is (each event carries its time {@code at}; applying it first drops the
 * locks expired by then, so a replay rebuilds the same state without looking at the clock). Field syntax is checked
 * before a command gets here ({@link LockRules}).
 */
public final class LockEntity extends ServiceEntity<LockEntity.Command, LockEntity.State> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "DavLocks");
  static final int MAX_LOCKS = 10_000;
  /** The live locks one login may hold in a datasource: no user can take the datasource's whole budget. */
  static final int MAX_LOCKS_PER_LOGIN = 1_000;

  public sealed interface Command extends CborSerializable permits Lock, Refresh, Unlock, Covering, ReleaseUnder {}

  /** Takes a lock with the caller's token; the same token with the same parameters again returns the lock it took. */
  public record Lock(String path, boolean exclusive, boolean infinite, String ownerXml, String login,
                     long timeoutSeconds, String rootHref, String token, ActorRef<Result> replyTo) implements Command {
    public Lock {
      if (path == null) path = "";
      if (ownerXml == null) ownerXml = "";
      if (login == null) login = "";
      if (rootHref == null) rootHref = "";
      if (token == null) token = "";
    }
  }

  public record Refresh(String token, String login, long timeoutSeconds, ActorRef<Result> replyTo) implements Command {
    public Refresh {
      if (token == null) token = "";
      if (login == null) login = "";
    }
  }

  /** Answers the released lock. {@code force}: whoever took it (null from callers of older builds: false). */
  public record Unlock(String token, String login, Boolean force, ActorRef<Result> replyTo) implements Command {
    public Unlock {
      if (token == null) token = "";
      if (login == null) login = "";
      if (force == null) force = false;
    }
  }

  /** The live locks on {@code path}, on its ancestors with depth infinity, and with {@code descendants} below it. */
  public record Covering(String path, boolean descendants, ActorRef<Locks> replyTo) implements Command {
    public Covering {
      if (path == null) path = "";
    }
  }

  /** Drops every lock on {@code path} and below it ("" : all of them). */
  public record ReleaseUnder(String path, ActorRef<Released> replyTo) implements Command {
    public ReleaseUnder {
      if (path == null) path = "";
    }
  }

  /** lock: the lock taken, refreshed or released; null with a failure. */
  public record Result(Held lock, Failure failure) implements CborSerializable {
    static Result ok(Held lock) { return new Result(lock, null); }
    static Result failed(Failure f) { return new Result(null, f); }
  }

  /** In path order (then oldest first). */
  public record Locks(List<Held> locks) implements CborSerializable {
    public Locks {
      if (locks == null) locks = List.of();
    }
  }

  /** The tokens of the live locks dropped. */
  public record Released(List<String> tokens) implements CborSerializable {
    public Released {
      if (tokens == null) tokens = List.of();
    }
  }

  /** One lock (the datasource is the entity's). */
  public record Held(String token, String path, boolean exclusive, boolean infinite, String ownerXml, String login,
                     long timeoutSeconds, long expiresAt, String rootHref, long createdAt) implements CborSerializable {
    public Held {
      if (token == null) token = "";
      if (path == null) path = "";
      if (ownerXml == null) ownerXml = "";
      if (login == null) login = "";
      if (rootHref == null) rootHref = "";
    }

    boolean liveAt(long now) {
      return expiresAt > now;
    }

    /** Whether this lock applies to a request for {@code p} (with depth infinity: {@code infinite}). */
    boolean overlaps(String p, boolean deep) {
      return path.equals(p) || infinite && below(p, path) || deep && below(path, p);
    }

    boolean sameRequest(Lock c) {
      return path.equals(c.path()) && exclusive == c.exclusive() && infinite == c.infinite()
          && ownerXml.equals(c.ownerXml()) && login.equals(c.login()) && timeoutSeconds == c.timeoutSeconds()
          && rootHref.equals(c.rootHref());
    }

    static Held of(DavLock l) {
      return new Held(l.getToken(), l.getPath(), l.getExclusive(), l.getInfinite(), l.getOwnerXml(), l.getLogin(),
          l.getTimeoutSeconds(), l.getExpiresAt(), l.getRootHref(), l.getCreatedAt());
    }

    DavLock toProto(String datasource) {
      return DavLock.newBuilder().setToken(token).setDatasource(datasource).setPath(path).setExclusive(exclusive)
          .setInfinite(infinite).setOwnerXml(ownerXml).setLogin(login).setTimeoutSeconds(timeoutSeconds)
          .setExpiresAt(expiresAt).setRootHref(rootHref).setCreatedAt(createdAt).build();
    }
  }

  static final Comparator<Held> ORDER = Comparator.comparing(Held::path).thenComparingLong(Held::createdAt)
      .thenComparing(Held::token);

  /** The locks in the order they were granted; expired ones until the next event drops them. */
  public record State(List<Held> locks) implements CborSerializable {
    public State {
      if (locks == null) locks = List.of();
    }

    Held live(String token, long now) {
      for (Held h : locks) if (h.token().equals(token) && h.liveAt(now)) return h;
      return null;
    }

    List<Held> liveLocks(long now) {
      return locks.stream().filter(h -> h.liveAt(now)).toList();
    }

    /** Without the locks expired at {@code at}. */
    State expiredDropped(long at) {
      return locks.stream().allMatch(h -> h.liveAt(at)) ? this : new State(liveLocks(at));
    }
  }

  /** Whether {@code p} is strictly below {@code ancestor}, segment-wise ("a/b" is below "a", "ab" is not). */
  static boolean below(String p, String ancestor) {
    if (ancestor.isEmpty()) return !p.isEmpty();
    return p.length() > ancestor.length() && p.startsWith(ancestor) && p.charAt(ancestor.length()) == '/';
  }

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), storage)).withRole(LockModule.NAME));
  }

  static Behavior<Command> create(String datasource, ServiceStorage storage) {
    return Behaviors.setup(ctx -> new LockEntity(datasource, storage.journalPluginId(), storage.snapshotPluginId()));
  }

  private final String datasource;
  private final LongSupplier clock;
  private final int maxLocks;
  private final int maxPerLogin;

  LockEntity(String datasource, String journal, String snapshots) {
    this(datasource, journal, snapshots, System::currentTimeMillis, MAX_LOCKS, MAX_LOCKS_PER_LOGIN);
  }

  /** clock: epoch millis (tests move it); maxLocks, maxPerLogin: the live locks a datasource, and one login in it, may hold. */
  LockEntity(String datasource, String journal, String snapshots, LongSupplier clock, int maxLocks, int maxPerLogin) {
    super(PersistenceId.of(KEY.name(), datasource), journal, snapshots);
    this.datasource = datasource;
    this.clock = clock;
    this.maxLocks = maxLocks;
    this.maxPerLogin = maxPerLogin;
  }

  @Override public State emptyState() { return new State(List.of()); }
  // a lock is short-lived and one datasource sees many: snapshots often, so that recovery replays little
  @Override public RetentionCriteria retentionCriteria() { return RetentionCriteria.snapshotEvery(100, 2); }

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Lock.class, this::onLock)
        .onCommand(Refresh.class, this::onRefresh)
        .onCommand(Unlock.class, this::onUnlock)
        .onCommand(Covering.class, this::onCovering)
        .onCommand(ReleaseUnder.class, this::onReleaseUnder)
        .build();
  }

  private ReplyEffect<GeneratedMessageV3, State> onLock(State s, Lock c) {
    long now = clock.getAsLong();
    Held same = s.live(c.token(), now);
    if (same != null) {
      // a resent request answers the lock it took; the token of another lock is not the caller's to reuse
      return Effect().reply(c.replyTo(), same.sameRequest(c) ? Result.ok(same) : Result.failed(Failure.exists(
          "lock token " + c.token() + " is already in use with other parameters")));
    }
    int live = 0;
    int mine = 0;
    for (Held h : s.locks()) {
      if (!h.liveAt(now)) continue;
      live++;
      if (h.login().equals(c.login())) mine++;
      if ((c.exclusive() || h.exclusive()) && h.overlaps(c.path(), c.infinite())) {
        return Effect().reply(c.replyTo(), Result.failed(Failure.precondition(where(c.path()) + " is locked: "
            + describe(h) + " on " + where(h.path()))));
      }
    }
    if (live >= maxLocks) {
      return Effect().reply(c.replyTo(), Result.failed(new Failure(Status.Code.RESOURCE_EXHAUSTED.name(),
          "datasource '" + datasource + "' holds the maximum of " + maxLocks + " locks")));
    }
    if (mine >= maxPerLogin) {
      return Effect().reply(c.replyTo(), Result.failed(new Failure(Status.Code.RESOURCE_EXHAUSTED.name(),
          "'" + c.login() + "' holds the maximum of " + maxPerLogin + " locks in datasource '" + datasource + "'")));
    }
    Held lock = new Held(c.token(), c.path(), c.exclusive(), c.infinite(), c.ownerXml(), c.login(),
        c.timeoutSeconds(), expiry(now, c.timeoutSeconds()), c.rootHref(), now);
    return Effect().persist(LockGranted.newBuilder().setLock(lock.toProto(datasource)).setAt(now).build())
        .thenReply(c.replyTo(), st -> Result.ok(lock));
  }

  private static String describe(Held h) {
    return (h.exclusive() ? "an exclusive" : "a shared") + (h.infinite() ? " depth-infinity" : " depth-0") + " lock";
  }

  private static String where(String path) {
    return path.isEmpty() ? "the datasource root" : "'" + GrpcErrors.printable(path) + "'";
  }

  private static long expiry(long now, long timeoutSeconds) {
    return now + timeoutSeconds * 1000;
  }

  /** The live lock of {@code token} if {@code login} holds it, else why not. */
  private Result owned(State s, String token, String login, long now) {
    Held h = s.live(token, now);
    if (h == null) return Result.failed(Failure.notFound("no lock " + GrpcErrors.printable(token) + " (unknown or expired)"));
    if (!h.login().equals(login)) {
      return Result.failed(new Failure(Status.Code.PERMISSION_DENIED.name(), "lock " + token + " is another user's"));
    }
    return Result.ok(h);
  }

  private ReplyEffect<GeneratedMessageV3, State> onRefresh(State s, Refresh c) {
    long now = clock.getAsLong();
    Result found = owned(s, c.token(), c.login(), now);
    if (found.failure() != null) return Effect().reply(c.replyTo(), found);
    long expiresAt = expiry(now, c.timeoutSeconds());
    return Effect().persist(LockRefreshed.newBuilder().setToken(c.token()).setTimeoutSeconds(c.timeoutSeconds())
            .setExpiresAt(expiresAt).setAt(now).build())
        .thenReply(c.replyTo(), st -> Result.ok(st.live(c.token(), now)));
  }

  private ReplyEffect<GeneratedMessageV3, State> onUnlock(State s, Unlock c) {
    long now = clock.getAsLong();
    Held held = s.live(c.token(), now);
    Result found = c.force() && held != null ? Result.ok(held) : owned(s, c.token(), c.login(), now);
    if (found.failure() != null) return Effect().reply(c.replyTo(), found);
    return Effect().persist(LocksReleased.newBuilder().addTokens(c.token()).setAt(now).build())
        .thenReply(c.replyTo(), st -> found);
  }

  private ReplyEffect<GeneratedMessageV3, State> onCovering(State s, Covering c) {
    long now = clock.getAsLong();
    List<Held> out = new ArrayList<>();
    for (Held h : s.locks()) {
      if (!h.liveAt(now)) continue;
      if (h.path().equals(c.path()) || h.infinite() && below(c.path(), h.path())
          || c.descendants() && below(h.path(), c.path())) {
        out.add(h);
      }
    }
    out.sort(ORDER);
    return Effect().reply(c.replyTo(), new Locks(out));
  }

  private ReplyEffect<GeneratedMessageV3, State> onReleaseUnder(State s, ReleaseUnder c) {
    long now = clock.getAsLong();
    List<String> tokens = new ArrayList<>();
    for (Held h : s.locks()) {
      if (h.liveAt(now) && (h.path().equals(c.path()) || below(h.path(), c.path()))) tokens.add(h.token());
    }
    if (tokens.isEmpty()) return Effect().reply(c.replyTo(), new Released(List.of()));
    return Effect().persist(LocksReleased.newBuilder().addAllTokens(tokens).setAt(now).build())
        .thenReply(c.replyTo(), st -> new Released(tokens));
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(LockGranted.class, (s, e) -> {
          Held lock = Held.of(e.getLock());
          List<Held> locks = new ArrayList<>(s.expiredDropped(e.getAt()).locks());
          locks.removeIf(h -> h.token().equals(lock.token()));
          locks.add(lock);
          return new State(List.copyOf(locks));
        })
        .onEvent(LockRefreshed.class, (s, e) -> new State(s.expiredDropped(e.getAt()).locks().stream()
            .map(h -> !h.token().equals(e.getToken()) ? h : new Held(h.token(), h.path(), h.exclusive(), h.infinite(),
                h.ownerXml(), h.login(), e.getTimeoutSeconds(), e.getExpiresAt(), h.rootHref(), h.createdAt()))
            .toList()))
        .onEvent(LocksReleased.class, (s, e) -> {
          Set<String> released = new HashSet<>(e.getTokensList());
          return new State(s.expiredDropped(e.getAt()).locks().stream()
              .filter(h -> !released.contains(h.token())).toList());
        })
        .build();
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        return LockSnapshot.newBuilder().addAllLocks(s.locks().stream().map(h -> h.toProto(datasource)).toList()).build();
      }

      @Override
      public State fromJournal(Object from) {
        return new State(((LockSnapshot) from).getLocksList().stream().map(Held::of).toList());
      }
    };
  }
}
