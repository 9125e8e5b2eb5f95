package arca.tree;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.Entity;
import akka.cluster.sharding.typed.javadsl.EntityTypeKey;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.RecoveryCompleted;
import akka.persistence.typed.SnapshotAdapter;
import akka.persistence.typed.javadsl.CommandHandlerWithReply;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.ReplyEffect;
import akka.persistence.typed.javadsl.RetentionCriteria;
import akka.persistence.typed.javadsl.SignalHandler;
import arca.path.RelativePath;
import arca.persistence.ServiceStorage;
import arca.proto.tree.Child;
import arca.proto.tree.ChildAdopted;
import arca.proto.tree.ChildPropsChanged;
import arca.proto.tree.ChildPut;
import arca.proto.tree.ChildRemoved;
import arca.proto.tree.ChildRenamed;
import arca.proto.tree.FolderSnapshot;
import arca.proto.tree.MoveOutAborted;
import arca.proto.tree.MoveOutCompleted;
import arca.proto.tree.MoveOutStarted;
import arca.proto.tree.NodeType;
import arca.service.CborSerializable;
import arca.service.Entities;
import arca.service.Failure;
import arca.service.GrpcErrors;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/**
 * One folder of a datasource's index, keyed {@code <datasource>/<uuid>}; the root is {@code <datasource>/root} and the
 * recycle bin {@code <datasource>/trash}. It owns its children: name uniqueness (in NFC), file metadata and
 * versions, dead properties (WebDAV, see {@link Props}), listing. A folder with no events is an empty folder, so
 * creating a subfolder is one event in its parent. A child's dead properties are part of its record, so they go
 * wherever it goes (renames, moves, the recycle bin) and stay through new content.
 *
 * <p>A move to another folder is two-sided and crash-safe: this folder persists {@code MoveOutStarted} (the child
 * leaves its listing), asks the destination to adopt the child under an operation id (the destination applies an
 * operation id once), then persists {@code MoveOutCompleted}, or {@code MoveOutAborted} (the child comes back) if
 * the destination refused. A move left pending by a crash resumes when the folder starts again (the tree
 * service's sweeper wakes such folders), so a child is never lost nor in two places at once.
 */
public final class FolderEntity extends ServiceEntity<FolderEntity.Command, Folder> {
  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "Folder");
  public static final List<String> TAGS = Entities.tags("tree", 4);
  public static final String ROOT = "root";
  public static final String TRASH = "trash";

  public sealed interface Command extends CborSerializable
      permits Get, ListChildren, EnsureFolder, PutFile, Rename, Remove, MoveOut, Adopt, Resume, AdoptAnswered,
      SetProps {}

  public record Get(String name, ActorRef<Reply> replyTo) implements Command {}

  /** sort: 0 name, 1 mtime, 2 size; trashPrefix non-null lists recycle-bin entries by original path. */
  public record ListParams(int offset, int limit, int sort, boolean descending, boolean foldersFirst, String cursor,
                           String prefix, String startAfter, String trashPrefix) implements CborSerializable {}

  public record ListChildren(ListParams params, ActorRef<PageReply> replyTo) implements Command {}

  /**
   * The child folder {@code name}, created (with a new uuid) if missing. requestId: marks a folder this creates (see
   * {@link Entry#requestId}); props: the dead properties of a folder this creates (a copy's: the source's); an
   * existing folder keeps its own.
   */
  public record EnsureFolder(String name, String requestId, Map<String, String> props, ActorRef<Reply> replyTo)
      implements Command {
    public EnsureFolder {
      if (requestId == null) requestId = ""; // from a node that predates request ids
      if (props == null) props = Map.of(); // from a node that predates dead properties
    }
  }

  /**
   * A file's new content; ifMatch: only over this etag; ifNoneMatch: only when no file is there. Dead properties: a
   * new version keeps the ones of the version it replaces, a new file gets the entry's, unless propsFromFile (a
   * copy): then the entry's replace them.
   */
  public record PutFile(Entry file, String ifMatch, boolean ifNoneMatch, boolean propsFromFile, ActorRef<Reply> replyTo)
      implements Command {}

  /** Changes the dead properties of child {@code name}: removes the names in {@code remove}, then puts {@code set}. */
  public record SetProps(String name, Map<String, String> set, List<String> remove, String requestId,
                         ActorRef<Reply> replyTo) implements Command {
    public SetProps {
      if (set == null) set = Map.of();
      if (remove == null) remove = List.of();
      if (requestId == null) requestId = "";
    }
  }

  public record Rename(String from, String to, boolean overwrite, String requestId, ActorRef<Reply> replyTo)
      implements Command {
    public Rename {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  /**
   * Removes a child for good (files only unless anyType); replies with the removed entry. requestId: a removal sent
   * again after it applied answers ok (with no entry) instead of NOT_FOUND.
   */
  public record Remove(String name, String ifMatch, boolean anyType, String requestId, ActorRef<Reply> replyTo)
      implements Command {
    public Remove {
      if (requestId == null) requestId = ""; // from a node that predates request ids
    }
  }

  /** Moves child {@code name} into folder entity {@code destFolder} as {@code moved} (its new name, trash info). */
  public record MoveOut(String name, String destFolder, Entry moved, boolean overwrite, ActorRef<Reply> replyTo)
      implements Command {}

  public record Adopt(String opId, Entry child, boolean overwrite, ActorRef<Reply> replyTo) implements Command {}

  /** Wakes the folder so that it resumes its pending moves (sent by the sweeper). */
  public record Resume(ActorRef<Reply> replyTo) implements Command {}

  record AdoptAnswered(String opId, Reply reply, String error) implements Command {}

  public record Reply(Entry entry, String replacedBlobId, Failure failure) implements CborSerializable {
    static Reply ok(Entry e) { return new Reply(e, "", null); }
    static Reply ok(Entry e, String replaced) { return new Reply(e, replaced == null ? "" : replaced, null); }
    static Reply failed(Failure f) { return new Reply(null, "", f); }
  }

  public record PageReply(List<Entry> children, long total, String nextCursor) implements CborSerializable {}

  public static void init(ActorSystem<?> system, ServiceStorage storage) {
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> create(ctx.getEntityId(), storage)).withRole(TreeModule.NAME));
  }

  public static String id(String datasource, String uuid) {
    return datasource + "/" + uuid;
  }

  static Behavior<Command> create(String id, ServiceStorage storage) {
    return Behaviors.setup(ctx -> new FolderEntity(id, ctx, storage.journalPluginId(), storage.snapshotPluginId()));
  }

  private final String id;
  private final FolderMoves moves;

  FolderEntity(String id, ActorContext<Command> ctx, String journal, String snapshots) {
    super(PersistenceId.of(KEY.name(), id), journal, snapshots);
    this.id = id;
    this.moves = new FolderMoves(id, ctx, Effect());
  }

  @Override public Folder emptyState() { return new Folder(); }
  @Override public RetentionCriteria retentionCriteria() { return RetentionCriteria.snapshotEvery(1000, 2); }

  /** Only the move events are tagged: the sweeper's table of pending moves is built from them. */
  @Override
  public Set<String> tagsFor(GeneratedMessageV3 event) {
    return event instanceof MoveOutStarted || event instanceof MoveOutCompleted || event instanceof MoveOutAborted
        ? Set.of(Entities.tagFor(TAGS, id)) : Set.of();
  }

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, Folder> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), found(s, c.name())))
        .onCommand(ListChildren.class, (s, c) -> {
          Folder.Page page = s.page(c.params());
          return Effect().reply(c.replyTo(), new PageReply(page.children().stream().map(Entry::of).toList(),
              page.total(), page.nextCursor()));
        })
        .onCommand(EnsureFolder.class, this::onEnsureFolder)
        .onCommand(PutFile.class, this::onPutFile)
        .onCommand(Rename.class, this::onRename)
        .onCommand(Remove.class, this::onRemove)
        .onCommand(MoveOut.class, moves::onMoveOut)
        .onCommand(SetProps.class, this::onSetProps)
        .onCommand(Adopt.class, moves::onAdopt)
        .onCommand(Resume.class, (s, c) -> {
          moves.resumeAll(s);
          return Effect().reply(c.replyTo(), Reply.ok(null));
        })
        .onCommand(AdoptAnswered.class, moves::onAdoptAnswered)
        .build();
  }

  static Reply found(Folder s, String name) {
    Child c = s.get(name);
    return c == null ? Reply.failed(Failure.notFound("'" + GrpcErrors.printable(name) + "' not found")) : Reply.ok(Entry.of(c));
  }

  /** Null when {@code name} may be created here, else why not (an existing child differing only in composition). */
  static Failure collision(Folder s, String name) {
    String problem = RelativePath.nameProblem(name);
    if (problem != null) return Failure.invalid(problem);
    Child existing = s.get(name);
    if (existing != null && !existing.getName().equals(name)) {
      return Failure.invalid("'" + GrpcErrors.printable(name) + "' collides with the existing '" + existing.getName()
          + "' (the same name once Unicode-normalised)");
    }
    return null;
  }

  private ReplyEffect<GeneratedMessageV3, Folder> onEnsureFolder(Folder s, EnsureFolder c) {
    Child existing = s.get(c.name());
    if (existing != null) {
      return Effect().reply(c.replyTo(), existing.getType() == NodeType.FOLDER ? Reply.ok(Entry.of(existing))
          : Reply.failed(Failure.exists("'" + existing.getName() + "' is a file, not a folder")));
    }
    Failure refused = collision(s, c.name());
    if (refused != null) return Effect().reply(c.replyTo(), Reply.failed(refused));
    Entry folder = Entry.folder(UUID.randomUUID().toString(), c.name(), System.currentTimeMillis()).byRequest(c.requestId())
        .withProps(c.props());
    return Effect().persist(ChildPut.newBuilder().setChild(folder.toProto()).build())
        .thenReply(c.replyTo(), st -> Reply.ok(folder));
  }

  private ReplyEffect<GeneratedMessageV3, Folder> onPutFile(Folder s, PutFile c) {
    Failure refused = collision(s, c.file().name());
    if (refused != null) return Effect().reply(c.replyTo(), Reply.failed(refused));
    Child existing = s.get(c.file().name());
    if (existing != null && !c.file().blobId().isEmpty() && existing.getBlobId().equals(c.file().blobId())) {
      // this very put, sent again (every upload has its own blob): it applied once; answer as it did
      return Effect().reply(c.replyTo(), Reply.ok(Entry.of(existing), ""));
    }
    if (existing != null && existing.getType() == NodeType.FOLDER) {
      return Effect().reply(c.replyTo(), Reply.failed(Failure.exists("'" + existing.getName() + "' is a folder")));
    }
    if (c.ifNoneMatch() && existing != null) {
      return Effect().reply(c.replyTo(), Reply.failed(Failure.precondition("'" + existing.getName() + "' exists")));
    }
    if (c.ifMatch() != null && (existing == null || !etagMatches(c.ifMatch(), existing.getEtag()))) {
      return Effect().reply(c.replyTo(), Reply.failed(Failure.precondition("the current version does not match If-Match")));
    }
    Entry f = c.file();
    Entry stored = new Entry(existing == null ? UUID.randomUUID().toString() : existing.getUuid(), f.name(), false,
        f.size(), f.etag(), f.mtime(), existing == null ? 1 : existing.getVersion() + 1, f.blobId(), f.sha256(),
        f.contentType(), null, 0, null, f.requestId(),
        existing == null || c.propsFromFile() ? f.props() : existing.getPropsMap());
    String replaced = existing == null ? "" : existing.getBlobId();
    return Effect().persist(ChildPut.newBuilder().setChild(stored.toProto()).build())
        .thenReply(c.replyTo(), st -> Reply.ok(stored, replaced));
  }

  static boolean etagMatches(String condition, String etag) {
    String want = condition.trim();
    if (want.equals("*")) return true;
    for (String one : want.split(",")) {
      if (one.trim().replaceFirst("^W/", "").replace("\"", "").equals(etag)) return true;
    }
    return false;
  }

  private ReplyEffect<GeneratedMessageV3, Folder> onRename(Folder s, Rename c) {
    Child from = s.get(c.from());
    if (from == null) return Effect().reply(c.replyTo(), found(s, c.from()));
    if (RelativePath.nfc(c.from()).equals(RelativePath.nfc(c.to()))) {
      if (from.getName().equals(c.to())) return Effect().reply(c.replyTo(), Reply.ok(Entry.of(from)));
      // only the composition changes: the same node under its new spelling
      return Effect().persist(ChildRenamed.newBuilder().setFrom(c.from())
              .setChild(from.toBuilder().setName(c.to()).setRequestId(c.requestId())).build())
          .thenReply(c.replyTo(), st -> Reply.ok(Entry.of(st.get(c.to()))));
    }
    Failure refused = collision(s, c.to());
    if (refused != null) return Effect().reply(c.replyTo(), Reply.failed(refused));
    Child target = s.get(c.to());
    String replaced = "";
    if (target != null) {
      boolean files = target.getType() == NodeType.FILE && from.getType() == NodeType.FILE;
      if (!c.overwrite() || !files) {
        return Effect().reply(c.replyTo(), Reply.failed(Failure.exists("'" + target.getName() + "' already exists")));
      }
      replaced = target.getBlobId();
    }
    String replacedBlob = replaced;
    Child renamed = from.toBuilder().setName(c.to()).setRequestId(c.requestId()).build();
    List<GeneratedMessageV3> events = target == null
        ? List.of(ChildRenamed.newBuilder().setFrom(c.from()).setChild(renamed).build())
        : List.of(ChildRemoved.newBuilder().setName(c.to()).build(),
            ChildRenamed.newBuilder().setFrom(c.from()).setChild(renamed).build());
    return Effect().persist(events).thenReply(c.replyTo(), st -> Reply.ok(Entry.of(st.get(c.to())), replacedBlob));
  }

  private ReplyEffect<GeneratedMessageV3, Folder> onRemove(Folder s, Remove c) {
    Child child = s.get(c.name());
    if (child == null) {
      return Effect().reply(c.replyTo(), applied(c.requestId()) ? Reply.ok(null) : found(s, c.name()));
    }
    if (!c.anyType() && child.getType() == NodeType.FOLDER) {
      return Effect().reply(c.replyTo(), Reply.failed(Failure.precondition("'" + child.getName() + "' is a folder")));
    }
    if (c.ifMatch() != null && !etagMatches(c.ifMatch(), child.getEtag())) {
      return Effect().reply(c.replyTo(), Reply.failed(Failure.precondition("the current version does not match If-Match")));
    }
    return Effect().persist(ChildRemoved.newBuilder().setName(child.getName()).setRequestId(c.requestId()).build())
        .thenReply(c.replyTo(), st -> Reply.ok(Entry.of(child)));
  }

  private ReplyEffect<GeneratedMessageV3, Folder> onSetProps(Folder s, SetProps c) {
    Child child = s.get(c.name());
    if (child == null) return Effect().reply(c.replyTo(), found(s, c.name()));
    if (applied(c.requestId())) return Effect().reply(c.replyTo(), Reply.ok(Entry.of(child)));
    Failure refused = Props.changeProblem(c.set(), c.remove());
    if (refused != null) return Effect().reply(c.replyTo(), Reply.failed(refused));
    Map<String, String> current = child.getPropsMap();
    Map<String, String> next = Props.changed(current, c.remove(), c.set());
    if (next.equals(current)) return Effect().reply(c.replyTo(), Reply.ok(Entry.of(child)));
    refused = Props.nodeProblem(next);
    if (refused != null) return Effect().reply(c.replyTo(), Reply.failed(refused));
    // the event holds only what changes: names there now and not set again, values that differ
    ChildPropsChanged.Builder e = ChildPropsChanged.newBuilder().setName(child.getName()).setRequestId(c.requestId());
    for (String name : new TreeSet<>(c.remove())) {
      if (current.containsKey(name) && !c.set().containsKey(name)) e.addRemoved(name);
    }
    new TreeMap<>(c.set()).forEach((name, value) -> {
      if (!value.equals(current.get(name))) e.putSet(name, value);
    });
    return Effect().persist(e.build()).thenReply(c.replyTo(), st -> Reply.ok(Entry.of(st.get(child.getName()))));
  }

  @Override
  protected EventHandler<Folder, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(ChildPut.class, Folder::apply)
        .onEvent(ChildRemoved.class, Folder::apply)
        .onEvent(ChildRenamed.class, Folder::apply)
        .onEvent(ChildPropsChanged.class, Folder::apply)
        .onEvent(MoveOutStarted.class, Folder::apply)
        .onEvent(MoveOutCompleted.class, (s, e) -> s.completed(e.getOpId()))
        .onEvent(MoveOutAborted.class, (s, e) -> s.aborted(e.getOpId()))
        .onEvent(ChildAdopted.class, Folder::apply)
        .build();
  }

  @Override
  public SignalHandler<Folder> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), moves::resumeAll)
        .build();
  }

  @Override
  protected SnapshotAdapter<Folder> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(Folder s) {
        return s.snapshot();
      }

      @Override
      public Folder fromJournal(Object from) {
        return Folder.of((FolderSnapshot) from);
      }
    };
  }
}
