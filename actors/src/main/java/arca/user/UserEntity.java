package arca.user;

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
import arca.proto.user.PasswordChanged;
import arca.proto.user.UserCreated;
import arca.proto.user.UserDeleted;
import arca.proto.user.UserSnapshot;
import arca.proto.user.UserUpdated;
import arca.service.CborSerializable;
import arca.service.CrudEntity;
import arca.service.Entities;
import arca.service.Failure;
import com.google.protobuf.GeneratedMessageV3;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** One user, keyed by login. Persisted events are the Protobuf messages of user.proto. */
public final class UserEntity extends CrudEntity<UserEntity.Command, UserEntity.State, UserEntity.Result> {

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "User");
  public static final List<String> TAGS = Entities.tags("user", 4);

  // ---- commands (validated by the gRPC service before they get here) ----
  public sealed interface Command extends CborSerializable permits Create, Get, Update, Delete {}

  /**
   * requestId: a resent create with the same id returns the user it created (see CreateUserRequest). It was added
   * after the first release: a Create from a node that predates it carries none, which reads as "" (no id).
   */
  public record Create(String passwordHash, String displayName, String email, List<String> roles, String groupPath,
                       String requestId, String id, ActorRef<Result> replyTo) implements Command {
    /** id: the new account's id; "" from a node that predates ids (the account then counts as an older one). */
    public Create {
      if (requestId == null) requestId = "";
      if (id == null) id = "";
    }

    /** A create without an id, as older nodes send it. */
    public Create(String passwordHash, String displayName, String email, List<String> roles, String groupPath,
                  String requestId, ActorRef<Result> replyTo) {
      this(passwordHash, displayName, email, roles, groupPath, requestId, "", replyTo);
    }
  }

  public record Get(ActorRef<Result> replyTo) implements Command {}

  /** Null fields are left unchanged; roles == null leaves roles unchanged. */
  public record Update(String displayName, String email, List<String> roles, String groupPath, String passwordHash,
                       String requestId, ActorRef<Result> replyTo) implements Command {
    public Update {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  public record Delete(String requestId, ActorRef<Result> replyTo) implements Command {
    public Delete {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  public record Result(State user, Failure failure) implements CborSerializable {
    static Result ok(State s) { return new Result(s, null); }
    static Result failed(Failure f) { return new Result(null, f); }
  }

  // ---- state ----
  public record State(boolean exists, String login, String passwordHash, String displayName, String email,
                      List<String> roles, String groupPath, long createdAt, long updatedAt, long version,
                      String createRequestId, String id)
      implements CborSerializable, Existing {
    /** createRequestId and id came after the first release: a State from an older node reads them as "". */
    public State {
      if (createRequestId == null) createRequestId = "";
      if (id == null) id = "";
    }

    /** A state without an id (an account created before ids existed). */
    public State(boolean exists, String login, String passwordHash, String displayName, String email,
                 List<String> roles, String groupPath, long createdAt, long updatedAt, long version,
                 String createRequestId) {
      this(exists, login, passwordHash, displayName, email, roles, groupPath, createdAt, updatedAt, version,
          createRequestId, "");
    }

    static State empty(String login) {
      return new State(false, login, "", "", "", List.of(), "/", 0, 0, 0, "", "");
    }

    /**
     * The account's immutable id: the one assigned at creation, or for an account created before ids existed one
     * derived from its login and creation time (so a later account with the same login still has another id).
     */
    public String accountId() {
      return !id.isEmpty() || !exists ? id : legacyId(login, createdAt);
    }

    /** The id of an account created before ids existed (the read model derives it the same way). */
    static String legacyId(String login, long createdAt) {
      return UUID.nameUUIDFromBytes(("arca-user:" + login + ":" + createdAt).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The name of the personal folder: the id for accounts created with one, the login for older accounts. */
    public String home() {
      return id.isEmpty() ? login : id;
    }
  }

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), storage))
        .withRole(UserModule.NAME));
  }

  static Behavior<Command> create(String login, ServiceStorage storage) {
    return Behaviors.setup(ctx -> new UserEntity(login, storage.journalPluginId(), storage.snapshotPluginId()));
  }

  private final String login;

  UserEntity(String login, String journal, String snapshots) {
    super(PersistenceId.of(KEY.name(), login), journal, snapshots, "user '" + login + "'", Result::ok, Result::failed);
    this.login = login;
  }

  @Override public State emptyState() { return State.empty(login); }
  @Override public Set<String> tagsFor(GeneratedMessageV3 event) { return Set.of(Entities.tagFor(TAGS, login)); }
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

  /** As {@link #creating}, but an existing login is taken whatever ifAbsent, unless this very request created it. */
  private ReplyEffect<GeneratedMessageV3, State> onCreate(State s, Create c) {
    if (applied(c.requestId())) return unchanged(s, c.replyTo());
    if (s.exists()) {
      if (!c.requestId().isEmpty() && c.requestId().equals(s.createRequestId())) return unchanged(s, c.replyTo());
      return refused(Failure.exists("login '" + login + "' is already taken"), c.replyTo());
    }
    return persisted(UserCreated.newBuilder().setLogin(login).setPasswordHash(c.passwordHash())
        .setDisplayName(c.displayName()).setEmail(c.email()).addAllRoles(c.roles()).setGroupPath(c.groupPath())
        .setAt(System.currentTimeMillis()).setRequestId(c.requestId()).setId(c.id()).build(), c.replyTo());
  }

  private ReplyEffect<GeneratedMessageV3, State> onUpdate(State s, Update c) {
    return changing(s, c.requestId(), c.replyTo(), () -> {
      long now = System.currentTimeMillis();
      List<GeneratedMessageV3> events = new ArrayList<>(2);
      UserUpdated.Builder u = UserUpdated.newBuilder().setAt(now).setRequestId(c.requestId());
      if (c.displayName() != null) u.setDisplayName(c.displayName());
      if (c.email() != null) u.setEmail(c.email());
      if (c.groupPath() != null) u.setGroupPath(c.groupPath());
      if (c.roles() != null) u.setReplaceRoles(true).addAllRoles(c.roles());
      if (u.hasDisplayName() || u.hasEmail() || u.hasGroupPath() || u.getReplaceRoles()) events.add(u.build());
      if (c.passwordHash() != null) events.add(PasswordChanged.newBuilder().setPasswordHash(c.passwordHash()).setAt(now)
          .setRequestId(c.requestId()).build());
      if (events.isEmpty()) return unchanged(s, c.replyTo());
      return Effect().persist(events).thenReply(c.replyTo(), Result::ok);
    });
  }

  private ReplyEffect<GeneratedMessageV3, State> onDelete(State s, Delete c) {
    return changing(s, c.requestId(), c.replyTo(), () -> deleted(s,
        UserDeleted.newBuilder().setAt(System.currentTimeMillis()).setRequestId(c.requestId()).build(), c.replyTo()));
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(UserCreated.class, (s, e) -> new State(true, login, e.getPasswordHash(), e.getDisplayName(),
            e.getEmail(), List.copyOf(e.getRolesList()), e.getGroupPath(), e.getAt(), e.getAt(), s.version() + 1,
            e.getRequestId(), e.getId()))
        .onEvent(UserUpdated.class, (s, e) -> new State(true, login, s.passwordHash(),
            e.hasDisplayName() ? e.getDisplayName() : s.displayName(),
            e.hasEmail() ? e.getEmail() : s.email(),
            e.getReplaceRoles() ? List.copyOf(e.getRolesList()) : s.roles(),
            e.hasGroupPath() ? e.getGroupPath() : s.groupPath(), s.createdAt(), e.getAt(), s.version() + 1,
            s.createRequestId(), s.id()))
        .onEvent(PasswordChanged.class, (s, e) -> new State(true, login, e.getPasswordHash(), s.displayName(),
            s.email(), s.roles(), s.groupPath(), s.createdAt(), e.getAt(), s.version() + 1, s.createRequestId(), s.id()))
        .onEvent(UserDeleted.class, (s, e) -> new State(false, login, "", "", "", List.of(), "/", 0, e.getAt(),
            s.version() + 1, "", ""))
        .build();
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        return UserSnapshot.newBuilder().setExists(s.exists()).setLogin(s.login()).setPasswordHash(s.passwordHash())
            .setDisplayName(s.displayName()).setEmail(s.email()).addAllRoles(s.roles()).setGroupPath(s.groupPath())
            .setCreatedAt(s.createdAt()).setUpdatedAt(s.updatedAt()).setVersion(s.version())
            .setCreateRequestId(s.createRequestId()).setId(s.id()).build();
      }

      @Override
      public State fromJournal(Object from) {
        UserSnapshot p = (UserSnapshot) from;
        return new State(p.getExists(), p.getLogin(), p.getPasswordHash(), p.getDisplayName(), p.getEmail(),
            List.copyOf(p.getRolesList()), p.getGroupPath(), p.getCreatedAt(), p.getUpdatedAt(), p.getVersion(),
            p.getCreateRequestId(), p.getId());
      }
    };
  }
}
