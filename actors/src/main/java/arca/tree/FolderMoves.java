package arca.tree;

import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.persistence.typed.javadsl.EffectFactories;
import akka.persistence.typed.javadsl.ReplyEffect;
import arca.path.RelativePath;
import arca.proto.tree.Child;
import arca.proto.tree.ChildAdopted;
import arca.proto.tree.MoveOutAborted;
import arca.proto.tree.MoveOutCompleted;
import arca.proto.tree.MoveOutStarted;
import arca.proto.tree.NodeType;
import arca.service.Failure;
import arca.tree.FolderEntity.Adopt;
import arca.tree.FolderEntity.AdoptAnswered;
import arca.tree.FolderEntity.Command;
import arca.tree.FolderEntity.MoveOut;
import arca.tree.FolderEntity.Reply;
import com.google.protobuf.GeneratedMessageV3;
import io.grpc.Status;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The command handlers of a folder's two-sided move (see {@link FolderEntity}): the source's side (MoveOut, the
 * adoption it asks for and its answer, resuming pending moves after a restart) and the destination's (Adopt).
 */
final class FolderMoves {
  private final String id;
  private final ActorContext<Command> ctx;
  private final Duration adoptTimeout;
  private final EffectFactories<GeneratedMessageV3, Folder> effect;
  /** Callers waiting for a move to complete (not persisted: after a restart the move completes without them). */
  private final Map<String, ActorRef<Reply>> waiting = new HashMap<>();

  FolderMoves(String id, ActorContext<Command> ctx, EffectFactories<GeneratedMessageV3, Folder> effect) {
    this.id = id;
    this.ctx = ctx;
    this.adoptTimeout = ctx.getSystem().settings().config().getDuration("arca.ask-timeout").dividedBy(2);
    this.effect = effect;
  }

  ReplyEffect<GeneratedMessageV3, Folder> onMoveOut(Folder s, MoveOut c) {
    Child child = s.get(c.name());
    if (child == null) return effect.reply(c.replyTo(), FolderEntity.found(s, c.name()));
    String problem = RelativePath.nameProblem(c.moved().name());
    if (problem != null) return effect.reply(c.replyTo(), Reply.failed(Failure.invalid(problem)));
    if (c.destFolder().equals(id)) {
      return effect.reply(c.replyTo(), Reply.failed(Failure.invalid("a move within one folder is a rename")));
    }
    // the child keeps its dead properties as they are now (a change since the caller read it included)
    Child moved = c.moved().toProto().toBuilder().clearProps().putAllProps(child.getPropsMap()).build();
    MoveOutStarted started = MoveOutStarted.newBuilder().setOpId(UUID.randomUUID().toString())
        .setChild(moved).setOriginal(child).setDestFolder(c.destFolder()).setOverwrite(c.overwrite()).build();
    return effect.persist(started).thenRun(st -> {
      waiting.put(started.getOpId(), c.replyTo());
      adopt(started);
    }).thenNoReply();
  }

  private void adopt(MoveOutStarted move) {
    var dest = ClusterSharding.get(ctx.getSystem()).entityRefFor(FolderEntity.KEY, move.getDestFolder());
    ctx.ask(Reply.class, dest, adoptTimeout,
        r -> new Adopt(move.getOpId(), Entry.of(move.getChild()), move.getOverwrite(), r),
        (reply, error) -> new AdoptAnswered(move.getOpId(), reply, error == null ? null : error.toString()));
  }

  void resumeAll(Folder s) {
    s.pending.values().forEach(this::adopt);
  }

  ReplyEffect<GeneratedMessageV3, Folder> onAdoptAnswered(Folder s, AdoptAnswered c) {
    if (!s.pending.containsKey(c.opId())) return effect.noReply();
    ActorRef<Reply> caller = waiting.remove(c.opId());
    if (c.error() != null) {
      // still pending: the sweeper (or the next start) resends the adoption, which applies once
      if (caller != null) {
        caller.tell(Reply.failed(new Failure(Status.Code.UNAVAILABLE.name(),
            "the move did not complete in time; it completes in the background")));
      }
      return effect.noReply();
    }
    if (c.reply().failure() != null) {
      return effect.persist(MoveOutAborted.newBuilder().setOpId(c.opId()).build()).thenRun(st -> {
        if (caller != null) caller.tell(c.reply());
      }).thenNoReply();
    }
    return effect.persist(MoveOutCompleted.newBuilder().setOpId(c.opId()).build()).thenRun(st -> {
      if (caller != null) caller.tell(c.reply());
    }).thenNoReply();
  }

  ReplyEffect<GeneratedMessageV3, Folder> onAdopt(Folder s, Adopt c) {
    if (s.recentOps.contains(c.opId())) {
      Child now = s.get(c.child().name());
      return effect.reply(c.replyTo(), Reply.ok(now == null ? c.child() : Entry.of(now)));
    }
    Failure refused = FolderEntity.collision(s, c.child().name());
    if (refused != null) return effect.reply(c.replyTo(), Reply.failed(refused));
    Child existing = s.get(c.child().name());
    String replaced = "";
    if (existing != null) {
      boolean files = existing.getType() == NodeType.FILE && !c.child().folder();
      if (!c.overwrite() || !files) {
        return effect.reply(c.replyTo(), Reply.failed(Failure.exists("'" + existing.getName() + "' already exists")));
      }
      replaced = existing.getBlobId();
    }
    String replacedBlob = replaced;
    return effect.persist(ChildAdopted.newBuilder().setOpId(c.opId()).setChild(c.child().toProto())
            .setReplacedBlobId(replaced).build())
        .thenReply(c.replyTo(), st -> Reply.ok(c.child(), replacedBlob));
  }
}
