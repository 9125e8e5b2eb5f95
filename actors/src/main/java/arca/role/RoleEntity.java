package arca.role;

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
import arca.proto.role.RoleCreated;
import arca.proto.role.RoleDeleted;
import arca.proto.role.RoleSnapshot;
import arca.proto.role.RoleUpdated;
import arca.service.CborSerializable;
import arca.service.CrudEntity;
import arca.service.Entities;
import arca.service.Failure;
import com.google.protobuf.GeneratedMessageV3;

import java.util.List;
import java.util.Set;

/** One role, keyed by its id. */
public final class RoleEntity extends CrudEntity<RoleEntity.Command, RoleEntity.State, RoleEntity.Result> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "Role");
  public static final List<String> TAGS = Entities.tags("role", 1);

  public sealed interface Command extends CborSerializable permits Create, Get, Update, Delete {}

  /** ifAbsent: an existing role is returned instead of refused (EnsureRole). */
  public record Create(String label, String description, boolean protectedRole, boolean ifAbsent, String requestId,
                       ActorRef<Result> replyTo) implements Command {
    public Create {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  public record Get(ActorRef<Result> replyTo) implements Command {}

  public record Update(String label, String description, String requestId, ActorRef<Result> replyTo) implements Command {
    public Update {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  public record Delete(String requestId, ActorRef<Result> replyTo) implements Command {
    public Delete {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  public record Result(State role, Failure failure) implements CborSerializable {
    static Result ok(State s) { return new Result(s, null); }
    static Result failed(Failure f) { return new Result(null, f); }
  }

  public record State(boolean exists, String id, String label, String description, boolean protectedRole,
                      long createdAt, long updatedAt, long version) implements CborSerializable, Existing {}

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), storage)).withRole(RoleModule.NAME));
  }

  static Behavior<Command> create(String id, ServiceStorage storage) {
    return Behaviors.setup(ctx -> new RoleEntity(id, storage.journalPluginId(), storage.snapshotPluginId()));
  }

  private final String id;

  RoleEntity(String id, String journal, String snapshots) {
    super(PersistenceId.of(KEY.name(), id), journal, snapshots, "role '" + id + "'", Result::ok, Result::failed);
    this.id = id;
  }

  @Override public State emptyState() { return new State(false, id, "", "", false, 0, 0, 0); }
  @Override public Set<String> tagsFor(GeneratedMessageV3 event) { return Set.of(Entities.tagFor(TAGS, id)); }
  @Override public RetentionCriteria retentionCriteria() { return RetentionCriteria.snapshotEvery(50, 2); }

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Create.class, this::onCreate)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), found(s)))
        .onCommand(Update.class, this::onUpdate)
        .onCommand(Delete.class, this::onDelete)
        .build();
  }

  private ReplyEffect<GeneratedMessageV3, State> onCreate(State s, Create c) {
    return creating(s, c.requestId(), c.ifAbsent(), c.replyTo(), () -> persisted(RoleCreated.newBuilder().setId(id)
        .setLabel(c.label()).setDescription(c.description()).setProtected(c.protectedRole())
        .setAt(System.currentTimeMillis()).setRequestId(c.requestId()).build(), c.replyTo()));
  }

  private ReplyEffect<GeneratedMessageV3, State> onUpdate(State s, Update c) {
    return changing(s, c.requestId(), c.replyTo(), () -> {
      if (c.label() == null && c.description() == null) return unchanged(s, c.replyTo());
      RoleUpdated.Builder u = RoleUpdated.newBuilder().setAt(System.currentTimeMillis()).setRequestId(c.requestId());
      if (c.label() != null) u.setLabel(c.label());
      if (c.description() != null) u.setDescription(c.description());
      return persisted(u.build(), c.replyTo());
    });
  }

  private ReplyEffect<GeneratedMessageV3, State> onDelete(State s, Delete c) {
    return changing(s, c.requestId(), c.replyTo(), () -> s.protectedRole()
        ? refused(Failure.precondition("role '" + id + "' is built in and cannot be deleted"), c.replyTo())
        : deleted(s, RoleDeleted.newBuilder().setAt(System.currentTimeMillis()).setRequestId(c.requestId()).build(),
            c.replyTo()));
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(RoleCreated.class, (s, e) -> new State(true, id, e.getLabel(), e.getDescription(), e.getProtected(),
            e.getAt(), e.getAt(), s.version() + 1))
        .onEvent(RoleUpdated.class, (s, e) -> new State(true, id, e.hasLabel() ? e.getLabel() : s.label(),
            e.hasDescription() ? e.getDescription() : s.description(), s.protectedRole(), s.createdAt(), e.getAt(),
            s.version() + 1))
        .onEvent(RoleDeleted.class, (s, e) -> new State(false, id, "", "", false, 0, e.getAt(), s.version() + 1))
        .build();
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        return RoleSnapshot.newBuilder().setExists(s.exists()).setId(s.id()).setLabel(s.label())
            .setDescription(s.description()).setProtected(s.protectedRole()).setCreatedAt(s.createdAt())
            .setUpdatedAt(s.updatedAt()).setVersion(s.version()).build();
      }

      @Override
      public State fromJournal(Object from) {
        RoleSnapshot p = (RoleSnapshot) from;
        return new State(p.getExists(), p.getId(), p.getLabel(), p.getDescription(), p.getProtected(),
            p.getCreatedAt(), p.getUpdatedAt(), p.getVersion());
      }
    };
  }
}
