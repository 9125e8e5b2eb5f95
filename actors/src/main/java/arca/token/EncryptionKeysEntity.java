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
import arca.proto.token.EncryptionKeyAdded;
import arca.proto.token.EncryptionKeysSnapshot;
import arca.service.CborSerializable;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The AES-256 keys that seal access-key secrets (one entity, id {@link #ID}), kept like {@link SigningKeysEntity}
 * keeps the JWT keys: the first node that needs a key generates one and offers it, the entity keeps the first offer,
 * so every node seals and opens with the same key. See {@link AccessKeyCipher} for what this protects. The keys
 * themselves are sealed with the {@link MasterKey} in the journal and snapshots, and keys an older build wrote in
 * plain are sealed again by the first command after recovery, as in {@link SigningKeysEntity}.
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

  private final MasterKey masterKey;
  /** The kids whose key was last read in plain (written by an older build): sealed again by the next command. */
  private final Set<String> plain = new HashSet<>();

  public static void init(ActorSystem<?> system, ServiceStorage storage, MasterKey masterKey) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(storage, masterKey)).withRole(TokenModule.NAME));
  }

  static Behavior<Command> create(ServiceStorage storage, MasterKey masterKey) {
    return Behaviors.setup(ctx -> new EncryptionKeysEntity(storage.journalPluginId(), storage.snapshotPluginId(), masterKey));
  }

  EncryptionKeysEntity(String journal, String snapshots, MasterKey masterKey) {
    super(PersistenceId.of(KEY.name(), ID), journal, snapshots);
    this.masterKey = masterKey;
  }

  @Override public State emptyState() { return new State(List.of()); }

  /** As {@link SigningKeysEntity#retentionCriteria}: plain keys of older builds leave the journal once sealed again. */
  @Override public RetentionCriteria retentionCriteria() { return RetentionCriteria.snapshotEvery(1, 1).withDeleteEventsOnSnapshot(); }

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(c -> !plain.isEmpty(), this::resealing)
        .onCommand(GetKeys.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .onCommand(AddKeyIfNone.class, (s, c) -> !s.keys().isEmpty()
            ? Effect().reply(c.replyTo(), s)
            : Effect().persist(added(new Key(c.kid(), c.key(), System.currentTimeMillis())))
                .thenReply(c.replyTo(), st -> st))
        .build();
  }

  /** Every key sealed again, the newest twice (the row the journal keeps after deleting the plain events); then the command. */
  private ReplyEffect<GeneratedMessageV3, State> resealing(State s, Command c) {
    List<GeneratedMessageV3> sealed = new ArrayList<>(s.keys().stream().map(this::added).toList());
    sealed.add(added(s.keys().get(s.keys().size() - 1)));
    return Effect().persist(sealed).thenReply(c instanceof GetKeys g ? g.replyTo() : ((AddKeyIfNone) c).replyTo(), st -> st);
  }

  private EncryptionKeyAdded added(Key k) {
    return EncryptionKeyAdded.newBuilder().setKid(k.kid()).setAt(k.createdAt())
        .setSealedKey(masterKey.seal(k.key(), KEY.name() + "/" + k.kid())).build();
  }

  private Key key(EncryptionKeyAdded e) {
    if (e.getSealedKey().isEmpty()) {
      plain.add(e.getKid());
      return new Key(e.getKid(), e.getKey(), e.getAt());
    }
    plain.remove(e.getKid());
    return new Key(e.getKid(), masterKey.open(e.getSealedKey(), KEY.name() + "/" + e.getKid()), e.getAt());
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(EncryptionKeyAdded.class, (s, e) -> {
          Key added = key(e);
          List<Key> keys = new ArrayList<>(s.keys().stream().filter(k -> !k.kid().equals(added.kid())).toList());
          keys.add(added);
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
        s.keys().forEach(k -> b.addKeys(added(k)));
        return b.build();
      }

      @Override
      public State fromJournal(Object from) {
        plain.clear();
        return new State(((EncryptionKeysSnapshot) from).getKeysList().stream().map(k -> key(k)).toList());
      }
    };
  }
}
