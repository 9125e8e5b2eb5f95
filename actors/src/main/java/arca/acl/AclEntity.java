package arca.acl;

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
import arca.proto.acl.AclEntry;
import arca.proto.acl.AclGranted;
import arca.proto.acl.AclRevoked;
import arca.proto.acl.AclSnapshot;
import arca.proto.acl.Action;
import arca.service.CborSerializable;
import arca.service.Entities;
import arca.service.Failure;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * The ACL entries of one workspace, keyed by its slug: all of them in memory (a workspace has at most
 * {@value #MAX_ENTRIES}), so that resolving a user's rights anywhere in the workspace is one ask
 * ({@link AclResolution}). Grant and Revoke are idempotent. Field syntax is checked before a command gets here
 * ({@link AclRules}).
 */
public final class AclEntity extends ServiceEntity<AclEntity.Command, AclEntity.State> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "Acl");
  public static final List<String> TAGS = Entities.tags("acl", 1);
  static final int MAX_ENTRIES = 10_000;

  public sealed interface Command extends CborSerializable permits Grant, Revoke, Resolve {}

  public record Grant(String path, String role, Action action, String requestId, ActorRef<Granted> replyTo)
      implements Command {
    public Grant {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  public record Revoke(String path, String role, Action action, String requestId, ActorRef<Revoked> replyTo)
      implements Command {
    public Revoke {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  /** roles: in order, later ones override earlier ones. */
  public record Resolve(String path, List<String> roles, ActorRef<Resolved> replyTo) implements Command {}

  /** entry: the stored entry (the existing one when created is false); null with a failure. */
  public record Granted(Entry entry, boolean created, Failure failure) implements CborSerializable {}

  public record Revoked(boolean removed) implements CborSerializable {}

  public record Resolved(AclResolution.Rights rights, List<AclResolution.NodeRights> below) implements CborSerializable {}

  /** One entry: the node (path in the workspace, "" for its root), the role and the action; the time of its grant. */
  public record Entry(String path, String role, Action action, long createdAt) implements CborSerializable {
    boolean sameAs(String path, String role, Action action) {
      return this.path.equals(path) && this.role.equals(role) && this.action == action;
    }
  }

  static final Comparator<Entry> ORDER = Comparator.comparing(Entry::path).thenComparing(Entry::role)
      .thenComparing(Entry::action);

  /** The entries in path, role, action order. */
  public record State(List<Entry> entries) implements CborSerializable {
    Entry find(String path, String role, Action action) {
      return entries.stream().filter(e -> e.sameAs(path, role, action)).findFirst().orElse(null);
    }
  }

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), storage))
        .withRole(AclModule.NAME));
  }

  static Behavior<Command> create(String workspace, ServiceStorage storage) {
    return Behaviors.setup(ctx -> new AclEntity(workspace, storage.journalPluginId(), storage.snapshotPluginId()));
  }

  private final String workspace;

  AclEntity(String workspace, String journal, String snapshots) {
    super(PersistenceId.of(KEY.name(), workspace), journal, snapshots);
    this.workspace = workspace;
  }

  @Override public State emptyState() { return new State(List.of()); }
  @Override public Set<String> tagsFor(GeneratedMessageV3 event) { return Set.of(Entities.tagFor(TAGS, workspace)); }
  @Override public RetentionCriteria retentionCriteria() { return RetentionCriteria.snapshotEvery(100, 2); }

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Grant.class, this::onGrant)
        .onCommand(Revoke.class, this::onRevoke)
        .onCommand(Resolve.class, (s, c) -> Effect().reply(c.replyTo(), new Resolved(
            AclResolution.resolve(s.entries(), c.path(), c.roles()),
            AclResolution.below(s.entries(), c.path(), c.roles()))))
        .build();
  }

  private ReplyEffect<GeneratedMessageV3, State> onGrant(State s, Grant c) {
    Entry existing = s.find(c.path(), c.role(), c.action());
    // a resent grant that created the entry answers as the first time did
    if (existing != null) return Effect().reply(c.replyTo(), new Granted(existing, applied(c.requestId()), null));
    if (s.entries().size() >= MAX_ENTRIES) {
      return Effect().reply(c.replyTo(), new Granted(null, false, Failure.precondition(
          "workspace '" + workspace + "' has the maximum of " + MAX_ENTRIES + " ACL entries")));
    }
    return Effect().persist(AclGranted.newBuilder().setPath(c.path()).setRole(c.role()).setAction(c.action())
            .setAt(System.currentTimeMillis()).setRequestId(c.requestId()).build())
        .thenReply(c.replyTo(), st -> new Granted(st.find(c.path(), c.role(), c.action()), true, null));
  }

  private ReplyEffect<GeneratedMessageV3, State> onRevoke(State s, Revoke c) {
    if (s.find(c.path(), c.role(), c.action()) == null) {
      return Effect().reply(c.replyTo(), new Revoked(applied(c.requestId())));
    }
    return Effect().persist(AclRevoked.newBuilder().setPath(c.path()).setRole(c.role()).setAction(c.action())
            .setAt(System.currentTimeMillis()).setRequestId(c.requestId()).build())
        .thenReply(c.replyTo(), st -> new Revoked(true));
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(AclGranted.class, (s, e) -> {
          Entry added = new Entry(e.getPath(), e.getRole(), e.getAction(), e.getAt());
          List<Entry> entries = new ArrayList<>(s.entries().size() + 1);
          entries.addAll(s.entries());
          int at = Collections.binarySearch(entries, added, ORDER);
          entries.add(at < 0 ? -at - 1 : at, added);
          return new State(Collections.unmodifiableList(entries));
        })
        .onEvent(AclRevoked.class, (s, e) -> new State(s.entries().stream()
            .filter(x -> !x.sameAs(e.getPath(), e.getRole(), e.getAction())).toList()))
        .build();
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        AclSnapshot.Builder b = AclSnapshot.newBuilder();
        for (Entry e : s.entries()) {
          b.addEntries(AclEntry.newBuilder().setPath(e.path()).setRole(e.role()).setAction(e.action())
              .setCreatedAt(e.createdAt()));
        }
        return b.build();
      }

      @Override
      public State fromJournal(Object from) {
        return new State(((AclSnapshot) from).getEntriesList().stream()
            .map(e -> new Entry(e.getPath(), e.getRole(), e.getAction(), e.getCreatedAt())).toList());
      }
    };
  }
}
