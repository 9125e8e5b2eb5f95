package arca.token;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import arca.persistence.ServiceStorage;
import arca.proto.token.SigningKeyAdded;
import arca.proto.token.SigningKeysSnapshot;
import com.google.protobuf.GeneratedMessageV3;

import java.util.List;

/**
 * The JWT signing keys of the cluster (one entity, id {@link #ID}): a {@link KeyRingEntity} of private JWKs, so every
 * node signs with the same key.
 */
public final class SigningKeysEntity extends KeyRingEntity<SigningKeysEntity.Command, SigningKeysEntity.Key,
    SigningKeysEntity.State, SigningKeyAdded> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "SigningKeys");
  public static final String ID = "jwt";

  public sealed interface Command extends Request<State> permits GetKeys, AddKeyIfNone {}

  public record GetKeys(ActorRef<State> replyTo) implements Command {}

  public record AddKeyIfNone(String kid, String privateJwk, ActorRef<State> replyTo) implements Command, Offer<State> {
    @Override public String material() { return privateJwk; }
  }

  public record Key(String kid, String privateJwk, long createdAt) implements Entry {
    @Override public String material() { return privateJwk; }
  }

  /** Newest key last; the newest signs, all verify. */
  public record State(List<Key> keys) implements Ring<Key> {}

  public static void init(ActorSystem<?> system, ServiceStorage storage, MasterKey masterKey) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(storage, masterKey)).withRole(TokenModule.NAME));
  }

  static Behavior<Command> create(ServiceStorage storage, MasterKey masterKey) {
    return Behaviors.setup(ctx -> new SigningKeysEntity(storage.journalPluginId(), storage.snapshotPluginId(), masterKey));
  }

  SigningKeysEntity(String journal, String snapshots, MasterKey masterKey) {
    super(KEY, ID, SigningKeyAdded.class, journal, snapshots, masterKey);
  }

  @Override State ring(List<Key> keys) { return new State(keys); }

  @Override Key entry(String kid, String material, long createdAt) { return new Key(kid, material, createdAt); }

  @Override
  SigningKeyAdded event(String kid, long at, String sealed) {
    return SigningKeyAdded.newBuilder().setKid(kid).setAt(at).setSealedPrivateJwk(sealed).build();
  }

  @Override Stored stored(SigningKeyAdded e) { return new Stored(e.getKid(), e.getAt(), e.getSealedPrivateJwk(), e.getPrivateJwk()); }

  @Override GeneratedMessageV3 snapshot(List<SigningKeyAdded> keys) { return SigningKeysSnapshot.newBuilder().addAllKeys(keys).build(); }

  @Override List<SigningKeyAdded> keys(Object snapshot) { return ((SigningKeysSnapshot) snapshot).getKeysList(); }
}
