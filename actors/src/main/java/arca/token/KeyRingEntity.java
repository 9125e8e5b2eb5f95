package arca.token;

import akka.actor.typed.ActorRef;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import arca.service.CborSerializable;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The behaviour of a key ring of the cluster, one entity per ring ({@link SigningKeysEntity}, {@link
 * EncryptionKeysEntity}): the first node that needs a key generates one and offers it; the entity keeps the first
 * offer, so every node uses the same key. Each ring keeps its own commands, state and events (their classes, field
 * names and persistence id are what other nodes and older builds read); this class is what they share.
 *
 * <p>The key material is kept sealed with the {@link MasterKey} in the journal and snapshots (in memory and in
 * replies, where the nodes need it, it is plain), under the context {@code <entity type>/<kid>}. Keys an older build
 * wrote in plain are read, and the first command after such a recovery seals them again ({@link #resealing}),
 * snapshots, and deletes the plain events.
 *
 * @param <C> the ring's commands
 * @param <K> a key of the ring
 * @param <S> the ring's state
 * @param <E> the event that adds a key (also the element of the ring's snapshot)
 */
abstract class KeyRingEntity<C extends KeyRingEntity.Request<S>, K extends KeyRingEntity.Entry,
    S extends KeyRingEntity.Ring<K>, E extends GeneratedMessageV3> extends ServiceEntity<C, S> {

  /** A command of a ring: every one answers with the ring. */
  interface Request<S> extends CborSerializable {
    ActorRef<S> replyTo();
  }

  /** The offer of a key, kept when the ring has none. */
  interface Offer<S> extends Request<S> {
    String kid();

    String material();
  }

  /** A key: its id, its material (plain) and when it was made. */
  interface Entry extends CborSerializable {
    String kid();

    String material();

    long createdAt();
  }

  /** The keys of a ring, newest last. */
  interface Ring<K> extends CborSerializable {
    List<K> keys();
  }

  /** A key as an event holds it: its material sealed, or (written by an older build) plain. */
  record Stored(String kid, long at, String sealed, String plain) {}

  private final String type;
  private final Class<E> eventClass;
  private final MasterKey masterKey;
  /** The kids whose material was last read in plain (written by an older build): sealed again by the next command. */
  private final Set<String> plain = new HashSet<>();

  KeyRingEntity(EntityTypeKey<C> key, String id, Class<E> eventClass, String journal, String snapshots,
                MasterKey masterKey) {
    super(PersistenceId.of(key.name(), id), journal, snapshots);
    this.type = key.name();
    this.eventClass = eventClass;
    this.masterKey = masterKey;
  }

  /** The ring's state of these keys. */
  abstract S ring(List<K> keys);

  /** The ring's key. */
  abstract K entry(String kid, String material, long createdAt);

  /** The event adding a key whose material is sealed. */
  abstract E event(String kid, long at, String sealed);

  /** What an event holds. */
  abstract Stored stored(E event);

  /** The ring's snapshot of these events. */
  abstract GeneratedMessageV3 snapshot(List<E> keys);

  /** The events a snapshot holds. */
  abstract List<E> keys(Object snapshot);

  @Override public S emptyState() { return ring(List.of()); }

  /**
   * A snapshot after every event, deleting the events before it: the key material an older build wrote in plain
   * leaves the journal once sealed again. (The JDBC journal keeps the last deleted row: {@link #resealing} makes it a
   * sealed one.)
   */
  @Override public RetentionCriteria retentionCriteria() { return RetentionCriteria.snapshotEvery(1, 1).withDeleteEventsOnSnapshot(); }

  @Override
  public CommandHandlerWithReply<C, GeneratedMessageV3, S> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(c -> !plain.isEmpty(), this::resealing)
        .onAnyCommand((s, c) -> c instanceof Offer<?> offer && s.keys().isEmpty()
            ? Effect().persist(added(entry(offer.kid(), offer.material(), System.currentTimeMillis())))
                .thenReply(c.replyTo(), st -> st)
            : Effect().reply(c.replyTo(), s));
  }

  /** Every key sealed again, the newest twice (the row the journal keeps after deleting the plain events); then the command. */
  private ReplyEffect<GeneratedMessageV3, S> resealing(S s, C c) {
    List<GeneratedMessageV3> sealed = new ArrayList<>(s.keys().stream().map(this::added).toList());
    sealed.add(added(s.keys().get(s.keys().size() - 1)));
    return Effect().persist(sealed).thenReply(c.replyTo(), st -> st);
  }

  private E added(K k) {
    return event(k.kid(), k.createdAt(), masterKey.seal(k.material(), context(k.kid())));
  }

  private K key(E event) {
    Stored e = stored(event);
    if (e.sealed().isEmpty()) {
      plain.add(e.kid());
      return entry(e.kid(), e.plain(), e.at());
    }
    plain.remove(e.kid());
    return entry(e.kid(), masterKey.open(e.sealed(), context(e.kid())), e.at());
  }

  private String context(String kid) {
    return type + "/" + kid;
  }

  @Override
  protected EventHandler<S, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(eventClass, (s, e) -> {
          K added = key(e);
          List<K> keys = new ArrayList<>(s.keys().stream().filter(k -> !k.kid().equals(added.kid())).toList());
          keys.add(added);
          return ring(List.copyOf(keys));
        })
        .build();
  }

  @Override
  protected SnapshotAdapter<S> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(S s) {
        return snapshot(s.keys().stream().map(KeyRingEntity.this::added).toList());
      }

      @Override
      public S fromJournal(Object from) {
        plain.clear();
        return ring(keys(from).stream().map(KeyRingEntity.this::key).toList());
      }
    };
  }
}
