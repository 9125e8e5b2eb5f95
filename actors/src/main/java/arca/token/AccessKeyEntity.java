package arca.token;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.ReplyEffect;
import arca.persistence.ServiceStorage;
import arca.proto.token.AccessKeyCreated;
import arca.proto.token.AccessKeyDeleted;
import arca.service.CborSerializable;
import arca.service.Failure;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;

/**
 * One S3 access key, keyed by its access key id: its owner, label and sealed secret ({@link AccessKeyCipher}). It is
 * created once and deleted once; a deleted id is never live again. The owner's list of keys is
 * {@link UserAccessKeysEntity}: a key is listed before it is created and deleted before it is unlisted, so every live
 * key is in its owner's list (a failure in between leaves at most a listed id without a live key, which deleting
 * removes).
 */
public final class AccessKeyEntity extends ServiceEntity<AccessKeyEntity.Command, AccessKeyEntity.State> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "AccessKey");

  public sealed interface Command extends CborSerializable permits Create, Get, Delete {}

  /** {@code createdAt}: the time the owner's list gave the key, so that both tell the same. */
  public record Create(String login, String label, String cipherKid, String sealedSecret, long createdAt,
                       String userId, ActorRef<Reply> replyTo) implements Command {
    /** userId: the owner's account id; "" from a node that predates ids. */
    public Create {
      if (userId == null) userId = "";
    }
  }

  public record Get(ActorRef<Reply> replyTo) implements Command {}

  /** Deletes the key if it belongs to {@code login}. */
  public record Delete(String login, ActorRef<Deleted> replyTo) implements Command {}

  /** userId: the owner's account id ("" for a key made before ids existed, or from an older node). */
  public record Key(String id, String login, String label, String cipherKid, String sealedSecret, long createdAt,
                    String userId) implements CborSerializable {
    public Key {
      if (userId == null) userId = "";
    }
  }

  /** The live key, or a failure (NOT_FOUND, or ALREADY_EXISTS for a second Create). */
  public record Reply(Key key, Failure failure) implements CborSerializable {}

  /**
   * {@code now}: this command deleted the key; false when it never existed or was deleted before. NOT_FOUND when it
   * exists but belongs to another login.
   */
  public record Deleted(boolean now, Failure failure) implements CborSerializable {}

  /** key null: never created. */
  public record State(Key key, boolean deleted) implements CborSerializable {
    boolean live() { return key != null && !deleted; }
  }

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), storage)).withRole(TokenModule.NAME));
  }

  static Behavior<Command> create(String id, ServiceStorage storage) {
    return Behaviors.setup(ctx -> new AccessKeyEntity(id, storage.journalPluginId(), storage.snapshotPluginId()));
  }

  private final String id;

  AccessKeyEntity(String id, String journal, String snapshots) {
    super(PersistenceId.of(KEY.name(), id), journal, snapshots);
    this.id = id;
  }

  @Override public State emptyState() { return new State(null, false); }

  private Failure notFound() { return Failure.notFound("no access key " + id); }

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Create.class, this::onCreate)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(),
            s.live() ? new Reply(s.key(), null) : new Reply(null, notFound())))
        .onCommand(Delete.class, this::onDelete)
        .build();
  }

  private ReplyEffect<GeneratedMessageV3, State> onCreate(State s, Create c) {
    if (s.key() != null) return Effect().reply(c.replyTo(), new Reply(null, Failure.exists("access key " + id + " exists")));
    return Effect().persist(AccessKeyCreated.newBuilder().setLogin(c.login()).setLabel(c.label())
            .setCipherKid(c.cipherKid()).setSealedSecret(c.sealedSecret()).setAt(c.createdAt()).setUserId(c.userId()).build())
        .thenReply(c.replyTo(), st -> new Reply(st.key(), null));
  }

  private ReplyEffect<GeneratedMessageV3, State> onDelete(State s, Delete c) {
    if (s.key() != null && !s.key().login().equals(c.login())) return Effect().reply(c.replyTo(), new Deleted(false, notFound()));
    if (!s.live()) return Effect().reply(c.replyTo(), new Deleted(false, null));
    return Effect().persist(AccessKeyDeleted.newBuilder().setAt(System.currentTimeMillis()).build())
        .thenReply(c.replyTo(), st -> new Deleted(true, null));
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(AccessKeyCreated.class, (s, e) -> new State(
            new Key(id, e.getLogin(), e.getLabel(), e.getCipherKid(), e.getSealedSecret(), e.getAt(), e.getUserId()), false))
        .onEvent(AccessKeyDeleted.class, (s, e) -> new State(s.key(), true))
        .build();
  }
}
