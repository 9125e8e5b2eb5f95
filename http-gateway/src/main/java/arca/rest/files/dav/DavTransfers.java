package arca.rest.files.dav;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import arca.proto.tree.CopyRequest;
import arca.proto.tree.CreateFolderRequest;
import arca.proto.tree.GetCopyJobRequest;
import arca.proto.tree.MoveRequest;
import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.proto.tree.SetPropsRequest;
import arca.proto.tree.TreeService;
import arca.rest.RequestIds;
import arca.rest.access.Principal;
import arca.rest.files.FileAccess;
import arca.rest.files.NodeAction;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

import static arca.rest.files.dav.DavRequests.condition;
import static arca.rest.files.dav.DavRequests.done;
import static arca.rest.files.dav.DavRequests.requestId;

/**
 * COPY and MOVE within the tree, to a Destination of this server in the same datasource. The source, the
 * destination and (for a folder) everything below both must be the caller's to read, remove or write; a destination
 * that exists is replaced (Overwrite: T) by moving it to the recycle bin first. A folder copy answers once its copy
 * job is done.
 */
final class DavTransfers {
  private final DavAuth auth;
  private final DavResources resources;
  private final DavGuard guard;
  private final FileAccess access;
  private final TreeService tree;

  DavTransfers(DavAuth auth, DavResources resources, DavGuard guard, FileAccess access, TreeService tree) {
    this.auth = auth;
    this.resources = resources;
    this.guard = guard;
    this.access = access;
    this.tree = tree;
  }

  /** What a COPY or MOVE request asks: where to, whether to replace what is there, and how deep. */
  private record Ask(DavPath dest, boolean overwrite, String depth, DavIf condition) {}

  CompletionStage<HttpResponse> copyOrMove(Principal caller, HttpRequest request, DavPath path, boolean move) {
    String verb = move ? "MOVE" : "COPY";
    if (path.isTop() || path.isWorkspaceRoot()) throw DavError.forbidden("a workspace root cannot be " + (move ? "moved" : "copied"));
    Ask ask = ask(request, verb, move);
    DavPath dest = ask.dest();
    NodeAction atSource = move ? NodeAction.REMOVE : NodeAction.READ;
    return auth.permit(caller, verb, dest).thenCompose(x -> resources.target(caller, path, atSource)).thenCompose(src -> {
      Node node = src.node().orElseThrow(() -> DavError.notFound("no resource at '" + path.href(false) + "'"));
      return resources.subtree(caller, path, node, atSource).thenCompose(x -> resources.target(caller, dest, true))
          .thenCompose(to -> landing(caller, dest, node, to, ask.overwrite())).thenCompose(to -> {
            refuseOverlap(path, dest, src, to, node.getType() == NodeType.FOLDER, move);
            if (to.exists() && !ask.overwrite()) throw DavError.preconditionFailed("the destination exists and Overwrite is F");
            return check(caller, ask, path, src, to, move)
                .thenCompose(ok -> to.exists() ? resources.trash(caller, request, to.loc()) : done(null))
                .thenCompose(x -> move ? moveNode(caller, request, src, to) : copyNode(caller, request, src, to, node, ask.depth()))
                .thenApply(x -> HttpResponse.create().withStatus(to.exists() ? StatusCodes.NO_CONTENT : StatusCodes.CREATED));
          });
    });
  }

  /** Reads the Destination, Overwrite and Depth headers (400 when malformed, 502 for a destination elsewhere). */
  private static Ask ask(HttpRequest request, String verb, boolean move) {
    String destinationHeader = request.getHeader("Destination").map(HttpHeader::value)
        .orElseThrow(() -> DavError.badRequest(verb + " needs a Destination header"));
    DavPath dest = DavPath.parseUrl(destinationHeader.trim(), DavRequests.host(request)).orElseThrow(() -> new DavError(
        StatusCodes.BAD_GATEWAY, "bad_gateway", "the destination is not a WebDAV resource of this server: " + destinationHeader));
    if (dest.isTop() || dest.isWorkspaceRoot()) throw DavError.forbidden("the destination cannot be a workspace root or the top level");
    String overwriteHeader = request.getHeader("Overwrite").map(h -> h.value().trim().toUpperCase(Locale.ROOT)).orElse("T");
    if (!overwriteHeader.equals("T") && !overwriteHeader.equals("F")) throw DavError.badRequest("Overwrite must be T or F");
    String depth = DavRequests.depth(request);
    if (!depth.equals("infinity") && !(depth.equals("0") && !move)) {
      throw DavError.badRequest(verb + " of a collection takes Depth: infinity" + (move ? "" : " or 0"));
    }
    return new Ask(dest, overwriteHeader.equals("T"), depth, condition(request));
  }

  /**
   * Refuses a destination in another datasource, or one that would destroy what is being copied or moved: compared
   * where the files live (two workspaces may share folders), the source itself, a folder holding it, or a place
   * inside it.
   */
  private static void refuseOverlap(DavPath path, DavPath dest, DavGuard.Target src, DavGuard.Target to, boolean folder,
                                    boolean move) {
    if (!to.loc().datasource().equals(src.loc().datasource())) {
      throw DavError.forbidden("the workspaces of '" + path.href(false) + "' and '" + dest.href(false)
          + "' keep their files in different datasources");
    }
    String from = src.loc().path();
    String onto = to.loc().path();
    if (onto.equals(from)) throw DavError.forbidden("the source and the destination are the same");
    if (onto.isEmpty() || from.startsWith(onto + "/")) throw DavError.forbidden("the destination holds the source");
    if (folder && onto.startsWith(from + "/")) {
      throw DavError.forbidden("a collection cannot be " + (move ? "moved" : "copied") + " into itself");
    }
  }

  /**
   * The If header and the locks of what changes: the destination with what is below it and its parent collection,
   * and for a MOVE the source with what is below it and its parent.
   */
  private CompletionStage<Void> check(Principal caller, Ask ask, DavPath path, DavGuard.Target src, DavGuard.Target to,
                                      boolean move) {
    return resources.parentCollection(caller, ask.dest()).thenCompose(destParent -> {
      List<DavGuard.Scope> scopes = new ArrayList<>();
      if (move) {
        scopes.add(new DavGuard.Scope(path, src.loc(), true));
        scopes.add(new DavGuard.Scope(path.parent(), null, false));
      }
      scopes.add(new DavGuard.Scope(ask.dest(), to.loc(), true));
      scopes.add(new DavGuard.Scope(destParent.path(), destParent.loc(), false));
      return (move ? resources.target(caller, path.parent(), true) : done(null)).thenCompose(srcParent -> {
        List<DavGuard.Scope> resolved = scopes.stream().map(s -> s.loc() != null ? s
            : new DavGuard.Scope(s.path(), ((DavGuard.Target) srcParent).loc(), false)).toList();
        return guard.check(caller, ask.condition(), src, resolved);
      });
    });
  }

  /**
   * The destination of a COPY or MOVE: a folder lands with everything in it (written below too), and a resource it
   * replaces is removed (with everything below it).
   */
  private CompletionStage<DavGuard.Target> landing(Principal caller, DavPath dest, Node source, DavGuard.Target to, boolean overwrite) {
    CompletionStage<Void> below = resources.subtree(caller, dest, source, NodeAction.WRITE);
    if (!to.exists() || !overwrite) return below.thenApply(x -> to);
    return below.thenCompose(x -> access.resolveSubtree(caller, dest.workspace(), dest.path(), NodeAction.REMOVE)).thenApply(l -> to);
  }

  private CompletionStage<Void> moveNode(Principal caller, HttpRequest request, DavGuard.Target src, DavGuard.Target to) {
    return tree.move(MoveRequest.newBuilder().setDatasource(src.loc().datasource()).setFrom(src.loc().path())
            .setTo(to.loc().path()).setRequestId(requestId(request, caller)).build())
        .thenCompose(n -> resources.releaseUnder(src.loc()));
  }

  private CompletionStage<Void> copyNode(Principal caller, HttpRequest request, DavGuard.Target src, DavGuard.Target to,
                                         Node node, String depth) {
    String requestId = requestId(request, caller);
    if (node.getType() == NodeType.FOLDER && depth.equals("0")) {
      return tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(to.loc().datasource()).setPath(to.loc().path())
              .setRequestId(requestId).build())
          .thenCompose(n -> node.getPropsCount() == 0 ? done(null) : tree.setProps(SetPropsRequest.newBuilder()
              .setDatasource(to.loc().datasource()).setPath(to.loc().path()).putAllSet(node.getPropsMap())
              .setRequestId(RequestIds.derived(requestId, "props")).build()).thenApply(x -> (Void) null));
    }
    return tree.copy(CopyRequest.newBuilder().setDatasource(src.loc().datasource()).setFrom(src.loc().path())
            .setTo(to.loc().path()).setRequestId(requestId).setBy(caller.login()).build())
        .thenCompose(r -> r.getJobId().isEmpty() ? done(null) : awaitCopy(r.getJobId(), 20));
  }

  /** Waits for a folder copy job to complete (a WebDAV COPY answers when the copy exists). */
  private CompletionStage<Void> awaitCopy(String jobId, long delayMs) {
    return tree.getCopyJob(GetCopyJobRequest.newBuilder().setJobId(jobId).build()).thenCompose(job -> {
      if (job.getDone()) return done(null);
      CompletableFuture<Void> later = new CompletableFuture<>();
      CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS)
          .execute(() -> awaitCopy(jobId, Math.min(500, delayMs * 2)).whenComplete((v, e) -> {
            if (e != null) later.completeExceptionally(e);
            else later.complete(null);
          }));
      return later;
    });
  }
}
