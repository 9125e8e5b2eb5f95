package arca.tree;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.TimerScheduler;
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
import arca.persistence.ServiceStorage;
import arca.proto.tree.CopyFinished;
import arca.proto.tree.CopyFolderDone;
import arca.proto.tree.CopyJobSnapshot;
import arca.proto.tree.CopyStarted;
import arca.proto.tree.FolderPair;
import arca.service.CborSerializable;
import arca.grpc.Clients;
import arca.service.Entities;
import arca.service.ServiceEntity;
import com.google.protobuf.GeneratedMessageV3;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One folder copy, keyed by its job id: the folders still to fill, filled one at a time by {@link FolderCopier}.
 * Each filled folder is persisted with the subfolders it added, so after a crash the job resumes at the folder it
 * was filling (redone: filling is repeatable) and completes. The tree service's sweeper wakes jobs whose node died.
 */
public final class CopyJobEntity extends ServiceEntity<CopyJobEntity.Command, CopyJobEntity.State> {
  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "CopyJob");
  private static final Duration RETRY = Duration.ofSeconds(5);

  public sealed interface Command extends CborSerializable permits Start, Get, Resume, Filled, Failed {}

  /** {@code by}: the login that asked for the copy (it owns the job); absent ("") from callers of older builds. */
  public record Start(String datasource, String source, String copy, String by, ActorRef<Progress> replyTo) implements Command {
    public Start {
      if (by == null) by = "";
    }
  }

  public record Get(ActorRef<Progress> replyTo) implements Command {}

  public record Resume(ActorRef<Progress> replyTo) implements Command {}

  record Filled(String source, String copy, List<String> subSources, List<String> subCopies, long files) implements Command {}

  record Failed(String error) implements Command {}

  /** {@code by}: the job's owner ("" when it was started by an older build). */
  public record Progress(boolean exists, boolean done, long foldersDone, long foldersPending, long filesCopied, String by)
      implements CborSerializable {
    public Progress {
      if (by == null) by = "";
    }
  }

  public record State(boolean started, String datasource, List<FolderPair> pending, long foldersDone, long filesCopied,
                      String by) {
    Progress progress() {
      return new Progress(started, started && pending.isEmpty(), foldersDone, pending.size(), filesCopied, by);
    }
  }

  public static void init(ActorSystem<?> system, ServiceStorage storage, Clients clients) {
    FolderCopier copier = new FolderCopier(system, clients);
    ClusterSharding.get(system).init(Entity.of(KEY, ctx -> Behaviors.<Command>setup(actor -> Behaviors.withTimers(timers ->
        new CopyJobEntity(ctx.getEntityId(), actor, timers, copier, storage)))).withRole(TreeModule.NAME));
  }

  private final String id;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final FolderCopier copier;
  /** A folder is being filled now (not persisted: a restarted job fills its first pending folder again). */
  private boolean filling;

  private CopyJobEntity(String id, ActorContext<Command> ctx, TimerScheduler<Command> timers, FolderCopier copier,
                        ServiceStorage storage) {
    super(PersistenceId.of(KEY.name(), id), storage.journalPluginId(), storage.snapshotPluginId());
    this.id = id;
    this.ctx = ctx;
    this.timers = timers;
    this.copier = copier;
  }

  @Override public State emptyState() { return new State(false, "", List.of(), 0, 0, ""); }
  @Override public RetentionCriteria retentionCriteria() { return RetentionCriteria.snapshotEvery(100, 2); }

  /** Start and finish are tagged: the sweeper's table of unfinished work is built from them. */
  @Override
  public Set<String> tagsFor(GeneratedMessageV3 event) {
    return event instanceof CopyStarted || event instanceof CopyFinished ? Set.of(Entities.tagFor(FolderEntity.TAGS, id)) : Set.of();
  }

  @Override
  public CommandHandlerWithReply<Command, GeneratedMessageV3, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Start.class, this::onStart)
        .onCommand(Get.class, (s, c) -> Effect().reply(c.replyTo(), s.progress()))
        .onCommand(Resume.class, (s, c) -> {
          next(s);
          return Effect().reply(c.replyTo(), s.progress());
        })
        .onCommand(Filled.class, this::onFilled)
        .onCommand(Failed.class, (s, c) -> {
          filling = false;
          ctx.getLog().warn("copy job {}: filling a folder failed ({}); retrying in {}", id, c.error(), RETRY);
          timers.startSingleTimer(new Resume(ctx.getSystem().ignoreRef()), RETRY);
          return Effect().noReply();
        })
        .build();
  }

  private ReplyEffect<GeneratedMessageV3, State> onStart(State s, Start c) {
    if (s.started()) return Effect().reply(c.replyTo(), s.progress());
    CopyStarted started = CopyStarted.newBuilder().setDatasource(c.datasource())
        .setRoot(FolderPair.newBuilder().setSource(c.source()).setCopy(c.copy())).setBy(c.by()).build();
    return Effect().persist(started).thenRun(this::next).thenReply(c.replyTo(), State::progress);
  }

  private ReplyEffect<GeneratedMessageV3, State> onFilled(State s, Filled c) {
    filling = false;
    if (s.pending().isEmpty() || !s.pending().get(0).getSource().equals(c.source())) return Effect().noReply();
    CopyFolderDone.Builder done = CopyFolderDone.newBuilder().setPair(s.pending().get(0)).setFiles(c.files());
    for (int i = 0; i < c.subSources().size(); i++) {
      done.addSubfolders(FolderPair.newBuilder().setSource(c.subSources().get(i)).setCopy(c.subCopies().get(i)));
    }
    List<GeneratedMessageV3> events = new ArrayList<>(List.of(done.build()));
    if (s.pending().size() == 1 && c.subSources().isEmpty()) events.add(CopyFinished.getDefaultInstance());
    return Effect().persist(events).thenRun(this::next).thenNoReply();
  }

  /** Fills the first pending folder, unless one is being filled or nothing is left. */
  private void next(State s) {
    if (filling || !s.started() || s.pending().isEmpty()) return;
    filling = true;
    FolderPair pair = s.pending().get(0);
    ctx.pipeToSelf(copier.fill(s.datasource(), pair), (filled, error) -> error != null ? new Failed(error.toString())
        : new Filled(pair.getSource(), pair.getCopy(), filled.subfolders().stream().map(FolderPair::getSource).toList(),
            filled.subfolders().stream().map(FolderPair::getCopy).toList(), filled.files()));
  }

  @Override
  protected EventHandler<State, GeneratedMessageV3> events() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(CopyStarted.class, (s, e) -> new State(true, e.getDatasource(), List.of(e.getRoot()), 0, 0, e.getBy()))
        .onEvent(CopyFolderDone.class, (s, e) -> {
          List<FolderPair> pending = new ArrayList<>(s.pending().subList(1, s.pending().size()));
          pending.addAll(e.getSubfoldersList());
          return new State(true, s.datasource(), List.copyOf(pending), s.foldersDone() + 1, s.filesCopied() + e.getFiles(), s.by());
        })
        .onEvent(CopyFinished.class, (s, e) -> s)
        .build();
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::next).build();
  }

  @Override
  protected SnapshotAdapter<State> snapshots() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State s) {
        return CopyJobSnapshot.newBuilder().setStarted(s.started()).setDatasource(s.datasource()).addAllPending(s.pending())
            .setFoldersDone(s.foldersDone()).setFilesCopied(s.filesCopied()).setBy(s.by()).build();
      }

      @Override
      public State fromJournal(Object from) {
        CopyJobSnapshot p = (CopyJobSnapshot) from;
        return new State(p.getStarted(), p.getDatasource(), List.copyOf(p.getPendingList()), p.getFoldersDone(), p.getFilesCopied(),
            p.getBy());
      }
    };
  }
}
