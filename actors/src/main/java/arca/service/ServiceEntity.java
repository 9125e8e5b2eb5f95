package arca.service;

import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import com.google.protobuf.GeneratedMessageV3;

/**
 * Base of every entity: events are Protobuf messages, the journal and snapshot store are the owning service's own
 * plugins (its own tables), and a failed journal write restarts the entity with backoff.
 * <p>
 * Writes apply once: an entity remembers the request ids of the events it applied lately ({@link RecentRequests}:
 * the events' {@code request_id} fields, through recovery and snapshots), and its command handlers answer a write
 * whose id {@link #applied} without applying it again. Subclasses give their handlers as {@link #events} and
 * {@link #snapshots}; this class wraps them.
 */
public abstract class ServiceEntity<C, S> extends EventSourcedBehaviorWithEnforcedReplies<C, GeneratedMessageV3, S> {
  private final String journal;
  private final String snapshots;
  private final RecentRequests recent = new RecentRequests();

  protected ServiceEntity(PersistenceId id, String journalPluginId, String snapshotPluginId) {
    super(id, Entities.ON_PERSIST_FAILURE);
    this.journal = journalPluginId;
    this.snapshots = snapshotPluginId;
  }

  @Override
  public String journalPluginId() {
    return journal;
  }

  @Override
  public String snapshotPluginId() {
    return snapshots;
  }

  /** Whether a write carrying {@code requestId} (non-empty) was applied by this entity lately. */
  protected final boolean applied(String requestId) {
    return requestId != null && !requestId.isEmpty() && recent.contains(requestId, System.currentTimeMillis());
  }

  /** The entity's event handler. */
  protected abstract EventHandler<S, GeneratedMessageV3> events();

  /** The entity's snapshot adapter (state to a Protobuf snapshot and back), or null when it takes no snapshots. */
  protected SnapshotAdapter<S> snapshots() {
    return null;
  }

  @Override
  public final EventHandler<S, GeneratedMessageV3> eventHandler() {
    EventHandler<S, GeneratedMessageV3> inner = events();
    return (state, event) -> {
      recent.record(event, System.currentTimeMillis());
      return inner.apply(state, event);
    };
  }

  @Override
  public final SnapshotAdapter<S> snapshotAdapter() {
    SnapshotAdapter<S> inner = snapshots();
    if (inner == null) return super.snapshotAdapter();
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(S state) {
        return recent.addTo(inner.toJournal(state), System.currentTimeMillis());
      }

      @Override
      public S fromJournal(Object from) {
        recent.restoreFrom(from, System.currentTimeMillis());
        return inner.fromJournal(from);
      }
    };
  }
}
