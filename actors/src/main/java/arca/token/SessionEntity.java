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
import arca.proto.token.AccessTokenRevoked;
import arca.proto.token.RefreshRotated;
import arca.proto.token.SessionRevoked;
import arca.proto.token.SessionSnapshot;
import arca.proto.token.SessionStarted;
import arca.service.CborSerializable;
import arca.service.Entities;
import arca.service.ServiceEntity;
import arca.service.Failure;
import com.google.protobuf.GeneratedMessageV3;

import java.util.Set;

/**
 * One login session, keyed by session id. It holds the hash of the current refresh-token secret; a refresh rotates
 * it, and presenting the previous secret again (a stolen, replayed token) revokes the whole session.
 */
public final class SessionEntity
    extends ServiceEntity<SessionEntity.Command, SessionEntity.State> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "TokenSession");
  /** Revocations are streamed to every gateway (WatchAuthEvents). */
  public static final String AUTH_TAG = "token-auth";

  public sealed interface Command extends CborSerializable permits Start, Rotate, Revoke, RevokeAccessToken {}

  public record Start(String subject, String secretHash, long expiresAt, String clientId, ActorRef<Reply> replyTo)
      implements Command {}

  public record Rotate(String presentedHash, String newHash, long newExpiresAt, ActorRef<Reply> replyTo)
      implements Command {}

  /** Revokes the session when presentedHash is its current or previous secret (or null: unconditional). */
  public record Revoke(String presentedHash, String reason, ActorRef<Reply> replyTo) implements Command {}

  public record RevokeAccessToken(String jti, long expiresAt, ActorRef<Reply> replyTo) implements Command {}

  /** startedAt: when the session began (epoch ms); 0 in replies of older nodes. */
  public record Reply(String subject, String clientId, long expiresAt, Failure failure, long startedAt)
      implements CborSerializable {
    public Reply(String subject, String clientId, long expiresAt, Failure failure) {
      this(subject, clientId, expiresAt, failure, 0);
    }
  }

  public record State(boolean exists, String subject, String secretHash, String previousSecretHash, long expiresAt,
                      String clientId, boolean revoked, long createdAt, int rotations) implements CborSerializable {}

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), storage)).withRole(TokenModule.NAME));
  }

  static Behavior<Command> create(String sid, ServiceStorage storage) {
    return Behaviors.setup(ctx -> new SessionEntity(sid, storage.journalPluginId(), storage.snapshotPluginId()));
  }

  private final String sid;

  SessionEntity(String sid, String journal, String snapshots) {
    super(PersistenceId.of(KEY.name(), sid), journal, snapshots);
    this.sid = sid;
  }

  @Override public State emptyState() { return new State(false, "", "", "", 0, "", false, 0, 0); }
  @Override public RetentionCriteria retentionCriteria() { return RetentionCriteria.snapshotEvery(20, 2); }

  @Override
  public Set<String> tagsFor(GeneratedMessageV3 event) {
    return event instanceof SessionRevoked || event instanceof AccessTokenRevoked ? Set.of(AUTH_TAG) : Set.of();
  }

  private static Reply ok(State s) { return new Reply(s.subject(), s.clientId(), s.expiresAt(), null, s.createdAt()); }
  private static Reply failed(Failure f) { return new Reply(null, null, 0, f); }
  private static final Failure INVALID = Failure.unauthenticated("refresh token is invalid, expired or revoked");

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Start.class, this::onStart)
        .onCommand(Rotate.class, this::onRotate)
        .onCommand(Revoke.class, this::onRevoke)
        .onCommand(RevokeAccessToken.class, (s, c) -> Effect()
            .persist(AccessTokenRevoked.newBuilder().setJti(c.jti()).setExpiresAt(c.expiresAt())
                .setAt(System.currentTimeMillis()).build())
            .thenReply(c.replyTo(), st -> ok(st)))
        .build();
  }

  private ReplyEffect<GeneratedMessageV3, State> onStart(State s, Start c) {
    if (s.exists()) return Effect().reply(c.replyTo(), failed(Failure.exists("session " + sid + " exists")));
    return Effect().persist(SessionStarted.newBuilder().setSubject(c.subject()).setSecretHash(c.secretHash())
            .setExpiresAt(c.expiresAt()).setClientId(c.clientId()).setAt(System.currentTimeMillis()).build())
        .thenReply(c.replyTo(), SessionEntity::ok);
  }

  private ReplyEffect<GeneratedMessageV3, State> onRotate(State s, Rotate c) {
    long now = System.currentTimeMillis();
    if (!s.exists() || s.revoked() || s.expiresAt() <= now) return Effect().reply(c.replyTo(), failed(INVALID));
    if (Secrets.equal(c.presentedHash(), s.secretHash())) {
      return Effect().persist(RefreshRotated.newBuilder().setSecretHash(c.newHash()).setExpiresAt(c.newExpiresAt())
          .setAt(now).build()).thenReply(c.replyTo(), SessionEntity::ok);
    }
    if (Secrets.equal(c.presentedHash(), s.previousSecretHash())) {
      // an already-rotated refresh token came back: it leaked, so the session ends
      return Effect().persist(revoked(s, "refresh token reused", now)).thenReply(c.replyTo(), st -> failed(INVALID));
    }
    return Effect().reply(c.replyTo(), failed(INVALID));
  }

  private ReplyEffect<GeneratedMessageV3, State> onRevoke(State s, Revoke c) {
    boolean proven = c.presentedHash() == null || Secrets.equal(c.presentedHash(), s.secretHash())
        || Secrets.equal(c.presentedHash(), s.previousSecretHash());
    if (!s.exists() || !proven) return Effect().reply(c.replyTo(), failed(INVALID));
    if (s.revoked()) return Effect().reply(c.replyTo(), ok(s));
    return Effect().persist(revoked(s, c.reason(), System.currentTimeMillis())).thenReply(c.replyTo(), SessionEntity::ok);
  }

  private static SessionRevoked revoked(State s, String reason, long now) {
    return SessionRevoked.newBuilder().setReason(reason).setExpiresAt(s.expiresAt()).setAt(now).build();
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(SessionStarted.class, (s, e) -> new State(true, e.getSubject(), e.getSecretHash(), "", e.getExpiresAt(),
            e.getClientId(), false, e.getAt(), 0))
        .onEvent(RefreshRotated.class, (s, e) -> new State(true, s.subject(), e.getSecretHash(), s.secretHash(),
            e.getExpiresAt(), s.clientId(), false, s.createdAt(), s.rotations() + 1))
        .onEvent(SessionRevoked.class, (s, e) -> new State(s.exists(), s.subject(), s.secretHash(),
            s.previousSecretHash(), s.expiresAt(), s.clientId(), true, s.createdAt(), s.rotations()))
        .onEvent(AccessTokenRevoked.class, (s, e) -> s)
        .build();
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        return SessionSnapshot.newBuilder().setExists(s.exists()).setSubject(s.subject()).setSecretHash(s.secretHash())
            .setPreviousSecretHash(s.previousSecretHash()).setExpiresAt(s.expiresAt()).setClientId(s.clientId())
            .setRevoked(s.revoked()).setCreatedAt(s.createdAt()).setRotations(s.rotations()).build();
      }

      @Override
      public State fromJournal(Object from) {
        SessionSnapshot p = (SessionSnapshot) from;
        return new State(p.getExists(), p.getSubject(), p.getSecretHash(), p.getPreviousSecretHash(), p.getExpiresAt(),
            p.getClientId(), p.getRevoked(), p.getCreatedAt(), p.getRotations());
      }
    };
  }
}
