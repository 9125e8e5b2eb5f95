package arca.token;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import arca.persistence.ServiceStorage;
import arca.proto.token.EncryptionKeyAdded;
import arca.proto.token.EncryptionKeysSnapshot;
import com.google.protobuf.GeneratedMessageV3;

import java.util.List;

/**
 * The AES-256 keys that seal access-key secrets (one entity, id {@link #ID}): a {@link KeyRingEntity}, so every node
 * seals and opens with the same key. See {@link AccessKeyCipher} for what this protects.
 */
public final class EncryptionKeysEntity extends KeyRingEntity<EncryptionKeysEntity.Command, EncryptionKeysEntity.Key,
    EncryptionKeysEntity.State, EncryptionKeyAdded> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "EncryptionKeys");
  public static final String ID = "access-keys";

  public sealed interface Command extends Request<State> permits GetKeys, AddKeyIfNone {}

  public record GetKeys(ActorRef<State> replyTo) implements Command {}

  /** {@code key}: base64url of 32 random bytes. */
  public record AddKeyIfNone(String kid, String key, ActorRef<State> replyTo) implements Command, Offer<State> {
    @Override public String material() { return key; }
  }

  public record Key(String kid, String key, long createdAt) implements Entry {
    @Override public String material() { return key; }

    @Override public String toString() { return "Key[" + kid + ", hidden]"; }
  }

  /** Newest key last; the newest seals, all open. */
  public record State(List<Key> keys) implements Ring<Key> {}

  public static void init(ActorSystem<?> system, ServiceStorage storage, MasterKey masterKey) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(storage, masterKey)).withRole(TokenModule.NAME));
  }

  static Behavior<Command> create(ServiceStorage storage, MasterKey masterKey) {
    return Behaviors.setup(ctx -> new EncryptionKeysEntity(storage.journalPluginId(), storage.snapshotPluginId(), masterKey));
  }

  EncryptionKeysEntity(String journal, String snapshots, MasterKey masterKey) {
    super(KEY, ID, EncryptionKeyAdded.class, journal, snapshots, masterKey);
  }

  @Override State ring(List<Key> keys) { return new State(keys); }

  @Override Key entry(String kid, String material, long createdAt) { return new Key(kid, material, createdAt); }

  @Override
  EncryptionKeyAdded event(String kid, long at, String sealed) {
    return EncryptionKeyAdded.newBuilder().setKid(kid).setAt(at).setSealedKey(sealed).build();
  }

  @Override Stored stored(EncryptionKeyAdded e) { return new Stored(e.getKid(), e.getAt(), e.getSealedKey(), e.getKey()); }

  @Override GeneratedMessageV3 snapshot(List<EncryptionKeyAdded> keys) { return EncryptionKeysSnapshot.newBuilder().addAllKeys(keys).build(); }

  @Override List<EncryptionKeyAdded> keys(Object snapshot) { return ((EncryptionKeysSnapshot) snapshot).getKeysList(); }
}
