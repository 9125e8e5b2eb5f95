package arca.service;

import akka.actor.typed.ActorRef;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.ReplyEffect;
import com.google.protobuf.GeneratedMessageV3;

import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Base of an entity of the create/get/update/delete shape: its state says whether it exists, every command answers
 * with a result (the state, or a {@link Failure}), and writes carry request ids. The helpers answer the cases that
 * every such entity answers the same way; each entity still declares its own commands, events, checks and messages.
 *
 * @param <C> the entity's commands
 * @param <S> its state
 * @param <R> the result its commands answer with
 */
public abstract class CrudEntity<C, S extends CrudEntity.Existing, R> extends ServiceEntity<C, S> {

  /** A state that says whether the entity exists (it was created and not deleted since). */
  public interface Existing {
    boolean exists();
  }

  private final String what;
  private final Function<S, R> ok;
  private final Function<Failure, R> failed;

  /**
   * {@code what} names the entity in failures ("role 'admin'"); {@code ok} and {@code failed} make its results.
   */
  protected CrudEntity(PersistenceId id, String journalPluginId, String snapshotPluginId, String what,
                       Function<S, R> ok, Function<Failure, R> failed) {
    super(id, journalPluginId, snapshotPluginId);
    this.what = what;
    this.ok = ok;
    this.failed = failed;
  }

  /** The state, or NOT_FOUND ("no role 'admin'") when the entity does not exist. */
  protected final R found(S s) {
    return s.exists() ? ok.apply(s) : failed.apply(Failure.notFound("no " + what));
  }

  /**
   * A create: a request id applied lately answers with the state; an existing entity answers with the state when
   * {@code ifAbsent}, else ALREADY_EXISTS ("role 'admin' already exists"); otherwise {@code create}.
   */
  protected final ReplyEffect<GeneratedMessageV3, S> creating(S s, String requestId, boolean ifAbsent, ActorRef<R> replyTo,
                                                               Supplier<ReplyEffect<GeneratedMessageV3, S>> create) {
    if (applied(requestId)) return Effect().reply(replyTo, ok.apply(s));
    if (s.exists()) return Effect().reply(replyTo, ifAbsent ? ok.apply(s) : failed.apply(Failure.exists(what + " already exists")));
    return create.get();
  }

  /**
   * An update or a delete: a request id applied lately answers with the state; a missing entity NOT_FOUND; otherwise
   * {@code change}.
   */
  protected final ReplyEffect<GeneratedMessageV3, S> changing(S s, String requestId, ActorRef<R> replyTo,
                                                               Supplier<ReplyEffect<GeneratedMessageV3, S>> change) {
    if (applied(requestId)) return Effect().reply(replyTo, ok.apply(s));
    if (!s.exists()) return Effect().reply(replyTo, found(s));
    return change.get();
  }

  /** Answers with the state, changing nothing. */
  protected final ReplyEffect<GeneratedMessageV3, S> unchanged(S s, ActorRef<R> replyTo) {
    return Effect().reply(replyTo, ok.apply(s));
  }

  /** Answers with the failure, changing nothing. */
  protected final ReplyEffect<GeneratedMessageV3, S> refused(Failure failure, ActorRef<R> replyTo) {
    return Effect().reply(replyTo, failed.apply(failure));
  }

  /** Persists the event, then answers with the new state. */
  protected final ReplyEffect<GeneratedMessageV3, S> persisted(GeneratedMessageV3 event, ActorRef<R> replyTo) {
    return Effect().persist(event).thenReply(replyTo, ok::apply);
  }

  /** Persists the deletion, then answers with the state as it was before it. */
  protected final ReplyEffect<GeneratedMessageV3, S> deleted(S before, GeneratedMessageV3 event, ActorRef<R> replyTo) {
    return Effect().persist(event).thenReply(replyTo, after -> ok.apply(before));
  }
}
