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
import arca.proto.token.AccessKeyListed;
import arca.proto.token.AccessKeyUnlisted;
import arca.proto.token.UserAccessKeysSnapshot;
import arca.service.CborSerializable;
import arca.service.Failure;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;

import java.util.ArrayList;
import java.util.List;

/**
 * The access keys of one login, keyed by login: ids, labels and creation times, oldest first, at most
 * {@link #MAX_KEYS}. The list is an entity rather than a read model so that a client sees its new key in the list at
 * once; it also makes the limit exact. The secrets live, sealed, in {@link AccessKeyEntity} only.
 */
public final class UserAccessKeysEntity extends ServiceEntity<UserAccessKeysEntity.Command, UserAccessKeysEntity.State> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "UserAccessKeys");
  public static final int MAX_KEYS = 10;

  public sealed interface Command extends CborSerializable permits Add, GetKeys, Remove {}

  /** Lists a new key; FAILED_PRECONDITION when the login already has {@link #MAX_KEYS}. Listing it again is a no-op. */
  public record Add(String id, String label, long createdAt, ActorRef<Added> replyTo) implements Command {}

  public record GetKeys(ActorRef<State> replyTo) implements Command {}

  /** requestId: a resent removal that already applied answers as the first one did. */
  public record Remove(String id, String requestId, ActorRef<Removed> replyTo) implements Command {
    public Remove {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  public record Added(Failure failure) implements CborSerializable {}

  /** {@code now}: this command took the key off the list; false when it was not listed. */
  public record Removed(boolean now) implements CborSerializable {}

  public record Listed(String id, String label, long createdAt) implements CborSerializable {}

  public record State(List<Listed> keys) implements CborSerializable {
    boolean has(String id) { return keys.stream().anyMatch(k -> k.id().equals(id)); }
  }

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), storage)).withRole(TokenModule.NAME));
  }

  static Behavior<Command> create(String login, ServiceStorage storage) {
    return Behaviors.setup(ctx -> new UserAccessKeysEntity(login, storage.journalPluginId(), storage.snapshotPluginId()));
  }

  UserAccessKeysEntity(String login, String journal, String snapshots) {
    super(PersistenceId.of(KEY.name(), login), journal, snapshots);
  }

  @Override public State emptyState() { return new State(List.of()); }
  @Override public RetentionCriteria retentionCriteria() { return RetentionCriteria.snapshotEvery(20, 2); }

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Add.class, this::onAdd)
        .onCommand(GetKeys.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .onCommand(Remove.class, (s, c) -> !s.has(c.id())
            ? Effect().reply(c.replyTo(), new Removed(applied(c.requestId())))
            : Effect().persist(AccessKeyUnlisted.newBuilder().setAccessKeyId(c.id()).setAt(System.currentTimeMillis())
                    .setRequestId(c.requestId()).build())
                .thenReply(c.replyTo(), st -> new Removed(true)))
        .build();
  }

  private ReplyEffect<GeneratedMessageV3, State> onAdd(State s, Add c) {
    if (s.has(c.id())) return Effect().reply(c.replyTo(), new Added(null));
    if (s.keys().size() >= MAX_KEYS) {
      return Effect().reply(c.replyTo(), new Added(Failure.precondition(
          "a user holds at most " + MAX_KEYS + " access keys; delete one first")));
    }
    return Effect().persist(AccessKeyListed.newBuilder().setAccessKeyId(c.id()).setLabel(c.label()).setAt(c.createdAt()).build())
        .thenReply(c.replyTo(), st -> new Added(null));
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(AccessKeyListed.class, (s, e) -> {
          List<Listed> keys = new ArrayList<>(s.keys());
          keys.add(listed(e));
          return new State(List.copyOf(keys));
        })
        .onEvent(AccessKeyUnlisted.class, (s, e) -> new State(
            s.keys().stream().filter(k -> !k.id().equals(e.getAccessKeyId())).toList()))
        .build();
  }

  private static Listed listed(AccessKeyListed e) {
    return new Listed(e.getAccessKeyId(), e.getLabel(), e.getAt());
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        UserAccessKeysSnapshot.Builder b = UserAccessKeysSnapshot.newBuilder();
        s.keys().forEach(k -> b.addKeys(AccessKeyListed.newBuilder().setAccessKeyId(k.id()).setLabel(k.label())
            .setAt(k.createdAt())));
        return b.build();
      }

      @Override
      public State fromJournal(Object from) {
        return new State(((UserAccessKeysSnapshot) from).getKeysList().stream().map(UserAccessKeysEntity::listed).toList());
      }
    };
  }
}
