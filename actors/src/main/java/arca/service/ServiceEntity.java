package arca.service;

import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import com.google.protobuf.GeneratedMessageV3;

/**
 * Base of every entity: events are Protobuf messages, the journal and snapshot store are the owning service's own
 * plugins (its own tables), and a failed journal write restarts the entity with backoff.
 */
public abstract class ServiceEntity<C, S> extends EventSourcedBehaviorWithEnforcedReplies<C, GeneratedMessageV3, S> {
  private final String journal;
  private final String snapshots;

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
}
