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
import arca.proto.token.SigningKeyAdded;
import arca.proto.token.SigningKeysSnapshot;
import arca.service.CborSerializable;
import arca.service.Entities;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;

import java.util.ArrayList;
import java.util.List;

/**
 * The JWT signing keys of the cluster (one entity, id {@link #ID}). The first node that needs a key generates one
 * and offers it; the entity keeps the first offer, so every node signs with the same key.
 */
public final class SigningKeysEntity extends ServiceEntity<SigningKeysEntity.Command, SigningKeysEntity.State> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "SigningKeys");
  public static final String ID = "jwt";

  public sealed interface Command extends CborSerializable permits GetKeys, AddKeyIfNone {}

  public record GetKeys(ActorRef<State> replyTo) implements Command {}

  public record AddKeyIfNone(String kid, String privateJwk, ActorRef<State> replyTo) implements Command {}

  public record Key(String kid, String privateJwk, long createdAt) implements CborSerializable {}

  /** Newest key last; the newest signs, all verify. */
  public record State(List<Key> keys) implements CborSerializable {}

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(storage)).withRole(TokenModule.NAME));
  }

  static Behavior<Command> create(ServiceStorage storage) {
    return Behaviors.setup(ctx -> new SigningKeysEntity(storage.journalPluginId(), storage.snapshotPluginId()));
  }


  SigningKeysEntity(String journal, String snapshots) {
    super(PersistenceId.of(KEY.name(), ID), journal, snapshots);
  }

  @Override public State emptyState() { return new State(List.of()); }

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(GetKeys.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .onCommand(AddKeyIfNone.class, (s, c) -> !s.keys().isEmpty()
            ? Effect().reply(c.replyTo(), s)
            : Effect().persist(SigningKeyAdded.newBuilder().setKid(c.kid()).setPrivateJwk(c.privateJwk())
                .setAt(System.currentTimeMillis()).build()).thenReply(c.replyTo(), st -> st))
        .build();
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(SigningKeyAdded.class, (s, e) -> {
          List<Key> keys = new ArrayList<>(s.keys());
          keys.add(new Key(e.getKid(), e.getPrivateJwk(), e.getAt()));
          return new State(List.copyOf(keys));
        })
        .build();
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        SigningKeysSnapshot.Builder b = SigningKeysSnapshot.newBuilder();
        s.keys().forEach(k -> b.addKeys(SigningKeyAdded.newBuilder().setKid(k.kid()).setPrivateJwk(k.privateJwk()).setAt(k.createdAt())));
        return b.build();
      }

      @Override
      public State fromJournal(Object from) {
        return new State(((SigningKeysSnapshot) from).getKeysList().stream()
            .map(k -> new Key(k.getKid(), k.getPrivateJwk(), k.getAt())).toList());
      }
    };
  }
}
