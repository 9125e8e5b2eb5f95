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
import arca.persistence.ServiceStorage;
import arca.proto.token.EncryptionKeyAdded;
import arca.proto.token.EncryptionKeysSnapshot;
import arca.service.CborSerializable;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;

import java.util.ArrayList;
import java.util.List;

/**
 * The AES-256 keys that seal access-key secrets (one entity, id {@link #ID}), kept like {@link SigningKeysEntity}
 * keeps the JWT keys: the first node that needs a key generates one and offers it, the entity keeps the first offer,
 * so every node seals and opens with the same key. See {@link AccessKeyCipher} for what this protects.
 */
public final class EncryptionKeysEntity extends ServiceEntity<EncryptionKeysEntity.Command, EncryptionKeysEntity.State> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "EncryptionKeys");
  public static final String ID = "access-keys";

  public sealed interface Command extends CborSerializable permits GetKeys, AddKeyIfNone {}

  public record GetKeys(ActorRef<State> replyTo) implements Command {}

  /** {@code key}: base64url of 32 random bytes. */
  public record AddKeyIfNone(String kid, String key, ActorRef<State> replyTo) implements Command {}

  public record Key(String kid, String key, long createdAt) implements CborSerializable {
    @Override public String toString() { return "Key[" + kid + ", hidden]"; }
  }

  /** Newest key last; the newest seals, all open. */
  public record State(List<Key> keys) implements CborSerializable {}

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(storage)).withRole(TokenModule.NAME));
  }

  static Behavior<Command> create(ServiceStorage storage) {
    return Behaviors.setup(ctx -> new EncryptionKeysEntity(storage.journalPluginId(), storage.snapshotPluginId()));
  }

  EncryptionKeysEntity(String journal, String snapshots) {
    super(PersistenceId.of(KEY.name(), ID), journal, snapshots);
  }

  @Override public State emptyState() { return new State(List.of()); }

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(GetKeys.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .onCommand(AddKeyIfNone.class, (s, c) -> !s.keys().isEmpty()
            ? Effect().reply(c.replyTo(), s)
            : Effect().persist(EncryptionKeyAdded.newBuilder().setKid(c.kid()).setKey(c.key())
                .setAt(System.currentTimeMillis()).build()).thenReply(c.replyTo(), st -> st))
        .build();
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(EncryptionKeyAdded.class, (s, e) -> {
          List<Key> keys = new ArrayList<>(s.keys());
          keys.add(new Key(e.getKid(), e.getKey(), e.getAt()));
          return new State(List.copyOf(keys));
        })
        .build();
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        EncryptionKeysSnapshot.Builder b = EncryptionKeysSnapshot.newBuilder();
        s.keys().forEach(k -> b.addKeys(EncryptionKeyAdded.newBuilder().setKid(k.kid()).setKey(k.key()).setAt(k.createdAt())));
        return b.build();
      }

      @Override
      public State fromJournal(Object from) {
        return new State(((EncryptionKeysSnapshot) from).getKeysList().stream()
            .map(k -> new Key(k.getKid(), k.getKey(), k.getAt())).toList());
      }
    };
  }
}
