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
import arca.proto.token.SigningKeyAdded;
import arca.proto.token.SigningKeysSnapshot;
import arca.service.CborSerializable;
import arca.service.Entities;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The JWT signing keys of the cluster (one entity, id {@link #ID}). The first node that needs a key generates one
 * and offers it; the entity keeps the first offer, so every node signs with the same key.
 *
 * <p>The private keys are kept sealed with the {@link MasterKey} in the journal and snapshots (in memory and in
 * replies, where the nodes' issuers need them, they are plain). Keys an older build wrote in plain are read, and the
 * first command after such a recovery seals them again ({@link #resealing}), snapshots, and deletes the plain events.
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

  private final MasterKey masterKey;
  /** The kids whose material was last read in plain (written by an older build): sealed again by the next command. */
  private final Set<String> plain = new HashSet<>();

  public static void init(ActorSystem<?> system, ServiceStorage storage, MasterKey masterKey) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(storage, masterKey)).withRole(TokenModule.NAME));
  }

  static Behavior<Command> create(ServiceStorage storage, MasterKey masterKey) {
    return Behaviors.setup(ctx -> new SigningKeysEntity(storage.journalPluginId(), storage.snapshotPluginId(), masterKey));
  }

  SigningKeysEntity(String journal, String snapshots, MasterKey masterKey) {
    super(PersistenceId.of(KEY.name(), ID), journal, snapshots);
    this.masterKey = masterKey;
  }

  @Override public State emptyState() { return new State(List.of()); }

  /**
   * A snapshot after every event, deleting the events before it: the key material an older build wrote in plain
   * leaves the journal once sealed again. (The JDBC journal keeps the last deleted row: {@link #resealing} makes it a
   * sealed one.)
   */
  @Override public RetentionCriteria retentionCriteria() { return RetentionCriteria.snapshotEvery(1, 1).withDeleteEventsOnSnapshot(); }

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(c -> !plain.isEmpty(), this::resealing)
        .onCommand(GetKeys.class, (s, c) -> Effect().reply(c.replyTo(), s))
        .onCommand(AddKeyIfNone.class, (s, c) -> !s.keys().isEmpty()
            ? Effect().reply(c.replyTo(), s)
            : Effect().persist(added(new Key(c.kid(), c.privateJwk(), System.currentTimeMillis())))
                .thenReply(c.replyTo(), st -> st))
        .build();
  }

  /** Every key sealed again, the newest twice (the row the journal keeps after deleting the plain events); then the command. */
  private ReplyEffect<GeneratedMessageV3, State> resealing(State s, Command c) {
    List<GeneratedMessageV3> sealed = new ArrayList<>(s.keys().stream().map(this::added).toList());
    sealed.add(added(s.keys().get(s.keys().size() - 1)));
    return Effect().persist(sealed).thenReply(replyTo(c), st -> st);
  }

  private static ActorRef<State> replyTo(Command c) {
    return c instanceof GetKeys g ? g.replyTo() : ((AddKeyIfNone) c).replyTo();
  }

  private SigningKeyAdded added(Key k) {
    return SigningKeyAdded.newBuilder().setKid(k.kid()).setAt(k.createdAt())
        .setSealedPrivateJwk(masterKey.seal(k.privateJwk(), context(k.kid()))).build();
  }

  private Key key(SigningKeyAdded e) {
    if (e.getSealedPrivateJwk().isEmpty()) {
      plain.add(e.getKid());
      return new Key(e.getKid(), e.getPrivateJwk(), e.getAt());
    }
    plain.remove(e.getKid());
    return new Key(e.getKid(), masterKey.open(e.getSealedPrivateJwk(), context(e.getKid())), e.getAt());
  }

  private static String context(String kid) {
    return KEY.name() + "/" + kid;
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(SigningKeyAdded.class, (s, e) -> {
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
        SigningKeysSnapshot.Builder b = SigningKeysSnapshot.newBuilder();
        s.keys().forEach(k -> b.addKeys(added(k)));
        return b.build();
      }

      @Override
      public State fromJournal(Object from) {
        plain.clear();
        return new State(((SigningKeysSnapshot) from).getKeysList().stream().map(k -> key(k)).toList());
      }
    };
  }
}
