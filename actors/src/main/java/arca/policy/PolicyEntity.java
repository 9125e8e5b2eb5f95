package arca.policy;

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
import arca.proto.policy.Effect;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroupCreated;
import arca.proto.policy.PolicyGroupDeleted;
import arca.proto.policy.PolicyGroupSnapshot;
import arca.proto.policy.PolicyGroupUpdated;
import arca.proto.policy.PolicyList;
import arca.service.CborSerializable;
import arca.service.CrudEntity;
import arca.service.Entities;
import arca.service.Failure;
import com.google.protobuf.GeneratedMessageV3;

import java.util.List;
import java.util.Set;

/** One policy group, keyed by its id: its label, description, protection and policies (replaced as a whole). */
public final class PolicyEntity extends CrudEntity<PolicyEntity.Command, PolicyEntity.State, PolicyEntity.Result> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "PolicyGroup");
  public static final List<String> TAGS = Entities.tags("policy", 1);

  public sealed interface Command extends CborSerializable permits Create, Get, Update, Delete {}

  /**
   * ifAbsent (EnsurePolicyGroup): an existing group is returned unchanged instead of refused, and a deleted one is
   * not created again (FAILED_PRECONDITION).
   */
  public record Create(String label, String description, boolean protectedGroup, List<Rule> policies,
                       boolean ifAbsent, String requestId, ActorRef<Result> replyTo) implements Command {
    public Create {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  public record Get(ActorRef<Result> replyTo) implements Command {}

  /** Null fields stay as they are; {@code policies}, when given, replaces all of them. */
  public record Update(String label, String description, List<Rule> policies, String requestId,
                       ActorRef<Result> replyTo) implements Command {
    public Update {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  public record Delete(String requestId, ActorRef<Result> replyTo) implements Command {
    public Delete {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  public record Result(State group, Failure failure) implements CborSerializable {
    static Result ok(State s) { return new Result(s, null); }
    static Result failed(Failure f) { return new Result(null, f); }
  }

  /** One policy of the group (validated by {@link PolicyRules}). */
  public record Rule(String id, String description, List<String> subjects, List<String> resources,
                     List<String> actions, boolean deny) {
    static Rule of(Policy p) {
      return new Rule(p.getId(), p.getDescription(), List.copyOf(p.getSubjectsList()),
          List.copyOf(p.getResourcesList()), List.copyOf(p.getActionsList()), p.getEffect() == Effect.EFFECT_DENY);
    }

    static List<Rule> of(List<Policy> policies) {
      return policies.stream().map(Rule::of).toList();
    }

    Policy toProto() {
      return Policy.newBuilder().setId(id).setDescription(description).addAllSubjects(subjects)
          .addAllResources(resources).addAllActions(actions)
          .setEffect(deny ? Effect.EFFECT_DENY : Effect.EFFECT_ALLOW).build();
    }

    static List<Policy> toProto(List<Rule> rules) {
      return rules.stream().map(Rule::toProto).toList();
    }
  }

  public record State(boolean exists, String id, String label, String description, boolean protectedGroup,
                      List<Rule> policies, long createdAt, long updatedAt, long version)
      implements CborSerializable, Existing {}

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), storage)).withRole(PolicyModule.NAME));
  }

  static Behavior<Command> create(String id, ServiceStorage storage) {
    return Behaviors.setup(ctx -> new PolicyEntity(id, storage.journalPluginId(), storage.snapshotPluginId()));
  }

  private final String id;

  PolicyEntity(String id, String journal, String snapshots) {
    super(PersistenceId.of(KEY.name(), id), journal, snapshots, "policy group '" + id + "'", Result::ok, Result::failed);
    this.id = id;
  }

  @Override public State emptyState() { return new State(false, id, "", "", false, List.of(), 0, 0, 0); }
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
    return creating(s, c.requestId(), c.ifAbsent(), c.replyTo(), () -> {
      if (c.ifAbsent() && s.version() > 0) {
        // a deleted group stays deleted: ensuring (first-start data, on every start) does not bring it back
        return refused(Failure.precondition("policy group '" + id + "' was deleted; only creating it again brings it"
            + " back"), c.replyTo());
      }
      return persisted(PolicyGroupCreated.newBuilder().setId(id).setLabel(c.label())
          .setDescription(c.description()).setProtected(c.protectedGroup())
          .addAllPolicies(Rule.toProto(c.policies())).setAt(System.currentTimeMillis()).setRequestId(c.requestId())
          .build(), c.replyTo());
    });
  }

  private ReplyEffect<GeneratedMessageV3, State> onUpdate(State s, Update c) {
    return changing(s, c.requestId(), c.replyTo(), () -> {
      if (s.protectedGroup()) return refused(builtIn("changed"), c.replyTo());
      if (c.label() == null && c.description() == null && c.policies() == null) return unchanged(s, c.replyTo());
      PolicyGroupUpdated.Builder u = PolicyGroupUpdated.newBuilder().setAt(System.currentTimeMillis())
          .setRequestId(c.requestId());
      if (c.label() != null) u.setLabel(c.label());
      if (c.description() != null) u.setDescription(c.description());
      if (c.policies() != null) u.setPolicies(PolicyList.newBuilder().addAllPolicies(Rule.toProto(c.policies())));
      return persisted(u.build(), c.replyTo());
    });
  }

  private ReplyEffect<GeneratedMessageV3, State> onDelete(State s, Delete c) {
    return changing(s, c.requestId(), c.replyTo(), () -> s.protectedGroup()
        ? refused(builtIn("deleted"), c.replyTo())
        : deleted(s, PolicyGroupDeleted.newBuilder().setAt(System.currentTimeMillis()).setRequestId(c.requestId())
            .build(), c.replyTo()));
  }

  private Failure builtIn(String what) {
    return Failure.precondition("policy group '" + id + "' is built in (protected) and cannot be " + what);
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(PolicyGroupCreated.class, (s, e) -> new State(true, id, e.getLabel(), e.getDescription(),
            e.getProtected(), Rule.of(e.getPoliciesList()), e.getAt(), e.getAt(), s.version() + 1))
        .onEvent(PolicyGroupUpdated.class, (s, e) -> new State(true, id, e.hasLabel() ? e.getLabel() : s.label(),
            e.hasDescription() ? e.getDescription() : s.description(), s.protectedGroup(),
            e.hasPolicies() ? Rule.of(e.getPolicies().getPoliciesList()) : s.policies(), s.createdAt(), e.getAt(),
            s.version() + 1))
        .onEvent(PolicyGroupDeleted.class, (s, e) -> new State(false, id, "", "", false, List.of(), 0, e.getAt(),
            s.version() + 1))
        .build();
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        return PolicyGroupSnapshot.newBuilder().setExists(s.exists()).setId(s.id()).setLabel(s.label())
            .setDescription(s.description()).setProtected(s.protectedGroup()).addAllPolicies(Rule.toProto(s.policies()))
            .setCreatedAt(s.createdAt()).setUpdatedAt(s.updatedAt()).setVersion(s.version()).build();
      }

      @Override
      public State fromJournal(Object from) {
        PolicyGroupSnapshot p = (PolicyGroupSnapshot) from;
        return new State(p.getExists(), p.getId(), p.getLabel(), p.getDescription(), p.getProtected(),
            Rule.of(p.getPoliciesList()), p.getCreatedAt(), p.getUpdatedAt(), p.getVersion());
      }
    };
  }
}
