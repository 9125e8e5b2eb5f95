package arca.workspace;

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
import arca.proto.workspace.Scope;
import arca.proto.workspace.WorkspaceCreated;
import arca.proto.workspace.WorkspaceDeleted;
import arca.proto.workspace.WorkspaceRoot;
import arca.proto.workspace.WorkspaceSnapshot;
import arca.proto.workspace.WorkspaceUpdated;
import arca.service.CborSerializable;
import arca.service.CrudEntity;
import arca.service.Entities;
import arca.service.Failure;
import com.google.protobuf.GeneratedMessageV3;

import java.util.List;
import java.util.Set;

/**
 * One workspace, keyed by its slug. It owns the one rule that needs its state: a personal workspace's root must
 * contain {@code {login}} (otherwise every user would share one "My Files" folder), also when the root changes.
 * Field syntax is checked before a command gets here ({@link WorkspaceRules}).
 */
public final class WorkspaceEntity
    extends CrudEntity<WorkspaceEntity.Command, WorkspaceEntity.State, WorkspaceEntity.Result> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "Workspace");
  public static final List<String> TAGS = Entities.tags("workspace", 1);

  public sealed interface Command extends CborSerializable permits Create, Get, Update, Delete {}

  /**
   * builtIn: cannot be deleted. ifAbsent: an existing workspace is returned instead of refused (EnsureBuiltins).
   * createdBy: the creating admin's login ("" for built-ins).
   */
  public record Create(String label, String description, Scope scope, Root root, boolean builtIn, boolean ifAbsent,
                       String requestId, String createdBy, ActorRef<Result> replyTo) implements Command {
    public Create {
      if (requestId == null) requestId = ""; // from a node that predates request ids
      if (createdBy == null) createdBy = ""; // from a node that predates createdBy
    }
  }

  public record Get(ActorRef<Result> replyTo) implements Command {}

  /** null fields are left unchanged. updatedBy: the changing admin's login. */
  public record Update(String label, String description, Root root, String requestId, String updatedBy,
                       ActorRef<Result> replyTo) implements Command {
    public Update {
      if (requestId == null) requestId = ""; // from a node that predates request ids
      if (updatedBy == null) updatedBy = ""; // from a node that predates updatedBy
    }
  }

  public record Delete(String requestId, ActorRef<Result> replyTo) implements Command {
    public Delete {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  public record Result(State workspace, Failure failure) implements CborSerializable {
    static Result ok(State s) { return new Result(s, null); }
    static Result failed(Failure f) { return new Result(null, f); }
  }

  /** A datasource name and a relative path inside it, possibly with {@code {login}}. */
  public record Root(String datasource, String path) {
    static final Root NONE = new Root("", "");

    static Root of(WorkspaceRoot r) { return new Root(r.getDatasource(), r.getPath()); }

    WorkspaceRoot toProto() { return WorkspaceRoot.newBuilder().setDatasource(datasource).setPath(path).build(); }
  }

  public record State(boolean exists, String slug, String label, String description, Scope scope, Root root,
                      boolean builtIn, long createdAt, long updatedAt, long version, String createdBy,
                      String updatedBy) implements CborSerializable, Existing {
    public State {
      if (createdBy == null) createdBy = ""; // from a node that predates createdBy
      if (updatedBy == null) updatedBy = ""; // from a node that predates updatedBy
    }
  }

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), storage))
        .withRole(WorkspaceModule.NAME));
  }

  static Behavior<Command> create(String slug, ServiceStorage storage) {
    return Behaviors.setup(ctx -> new WorkspaceEntity(slug, storage.journalPluginId(), storage.snapshotPluginId()));
  }

  private final String slug;

  WorkspaceEntity(String slug, String journal, String snapshots) {
    super(PersistenceId.of(KEY.name(), slug), journal, snapshots, "workspace '" + slug + "'", Result::ok, Result::failed);
    this.slug = slug;
  }

  @Override
  public State emptyState() {
    return new State(false, slug, "", "", Scope.SCOPE_UNSPECIFIED, Root.NONE, false, 0, 0, 0, "", "");
  }

  @Override public Set<String> tagsFor(GeneratedMessageV3 event) { return Set.of(Entities.tagFor(TAGS, slug)); }
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

  private static Failure rootMisfit(Scope scope, Root root) {
    if (scope == Scope.SCOPE_PERSONAL && !root.path().contains(WorkspaceRules.LOGIN)) {
      return Failure.invalid("the root path of a personal workspace must contain " + WorkspaceRules.LOGIN);
    }
    return null;
  }

  private ReplyEffect<GeneratedMessageV3, State> onCreate(State s, Create c) {
    return creating(s, c.requestId(), c.ifAbsent(), c.replyTo(), () -> {
      Failure misfit = rootMisfit(c.scope(), c.root());
      if (misfit != null) return refused(misfit, c.replyTo());
      return persisted(WorkspaceCreated.newBuilder().setSlug(slug).setLabel(c.label())
          .setDescription(c.description()).setScope(c.scope()).setRoot(c.root().toProto()).setBuiltIn(c.builtIn())
          .setAt(System.currentTimeMillis()).setRequestId(c.requestId()).setCreatedBy(c.createdBy()).build(), c.replyTo());
    });
  }

  private ReplyEffect<GeneratedMessageV3, State> onUpdate(State s, Update c) {
    return changing(s, c.requestId(), c.replyTo(), () -> {
      if (c.label() == null && c.description() == null && c.root() == null) return unchanged(s, c.replyTo());
      Failure misfit = c.root() == null ? null : rootMisfit(s.scope(), c.root());
      if (misfit != null) return refused(misfit, c.replyTo());
      WorkspaceUpdated.Builder u = WorkspaceUpdated.newBuilder().setAt(System.currentTimeMillis())
          .setRequestId(c.requestId()).setUpdatedBy(c.updatedBy());
      if (c.label() != null) u.setLabel(c.label());
      if (c.description() != null) u.setDescription(c.description());
      if (c.root() != null) u.setRoot(c.root().toProto());
      return persisted(u.build(), c.replyTo());
    });
  }

  private ReplyEffect<GeneratedMessageV3, State> onDelete(State s, Delete c) {
    return changing(s, c.requestId(), c.replyTo(), () -> s.builtIn()
        ? refused(Failure.precondition("workspace '" + slug + "' is built in and cannot be deleted"), c.replyTo())
        : deleted(s, WorkspaceDeleted.newBuilder().setAt(System.currentTimeMillis()).setRequestId(c.requestId()).build(),
            c.replyTo()));
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(WorkspaceCreated.class, (s, e) -> new State(true, slug, e.getLabel(), e.getDescription(), e.getScope(),
            Root.of(e.getRoot()), e.getBuiltIn(), e.getAt(), e.getAt(), s.version() + 1, e.getCreatedBy(), ""))
        .onEvent(WorkspaceUpdated.class, (s, e) -> new State(true, slug, e.hasLabel() ? e.getLabel() : s.label(),
            e.hasDescription() ? e.getDescription() : s.description(), s.scope(),
            e.hasRoot() ? Root.of(e.getRoot()) : s.root(), s.builtIn(), s.createdAt(), e.getAt(), s.version() + 1,
            s.createdBy(), e.getUpdatedBy()))
        .onEvent(WorkspaceDeleted.class, (s, e) -> new State(false, slug, "", "", Scope.SCOPE_UNSPECIFIED, Root.NONE,
            false, 0, e.getAt(), s.version() + 1, "", ""))
        .build();
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        return WorkspaceSnapshot.newBuilder().setExists(s.exists()).setSlug(s.slug()).setLabel(s.label())
            .setDescription(s.description()).setScope(s.scope()).setRoot(s.root().toProto()).setBuiltIn(s.builtIn())
            .setCreatedAt(s.createdAt()).setUpdatedAt(s.updatedAt()).setVersion(s.version()).setCreatedBy(s.createdBy())
            .setUpdatedBy(s.updatedBy()).build();
      }

      @Override
      public State fromJournal(Object from) {
        WorkspaceSnapshot p = (WorkspaceSnapshot) from;
        return new State(p.getExists(), p.getSlug(), p.getLabel(), p.getDescription(), p.getScope(),
            Root.of(p.getRoot()), p.getBuiltIn(), p.getCreatedAt(), p.getUpdatedAt(), p.getVersion(), p.getCreatedBy(),
            p.getUpdatedBy());
      }
    };
  }
}
