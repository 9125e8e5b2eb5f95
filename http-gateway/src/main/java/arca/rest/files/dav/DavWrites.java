package arca.rest.files.dav;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.Materializer;
import arca.proto.objects.Blob;
import arca.proto.tree.CreateFolderRequest;
import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.proto.tree.PutFileRequest;
import arca.proto.tree.TreeService;
import arca.rest.ApiError;
import arca.rest.access.Principal;
import arca.rest.files.Blobs;
import arca.rest.files.Conditions;
import arca.rest.files.FilePuts;
import arca.rest.files.NodeAction;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import static arca.rest.files.dav.DavRequests.ALLOW;
import static arca.rest.files.dav.DavRequests.body;
import static arca.rest.files.dav.DavRequests.condition;
import static arca.rest.files.dav.DavRequests.done;
import static arca.rest.files.dav.DavRequests.notAllowed;
import static arca.rest.files.dav.DavRequests.requestId;
import static arca.rest.files.dav.DavRequests.wrap;

/**
 * MKCOL, PUT and DELETE: a change passes the If header and the locks ({@link DavGuard}) of what it changes and of
 * the parent collection whose members it adds or removes. A PUT streams its body to the objects service, then records
 * the file in the tree; a DELETE moves to the recycle bin. COPY and MOVE are in {@link DavTransfers}.
 */
final class DavWrites {
  private static final String PRECONDITIONS = "a precondition (If-Match, If-None-Match) does not hold";

  private final DavResources resources;
  private final DavGuard guard;
  private final TreeService tree;
  private final Blobs blobs;
  private final Materializer materializer;

  DavWrites(DavResources resources, DavGuard guard, TreeService tree, Blobs blobs, Materializer materializer) {
    this.resources = resources;
    this.guard = guard;
    this.tree = tree;
    this.blobs = blobs;
    this.materializer = materializer;
  }

  // ------------------------------------------------------------------------------------------------ MKCOL

  CompletionStage<HttpResponse> mkcol(Principal caller, HttpRequest request, DavPath path) {
    if (path.isTop() || path.isWorkspaceRoot()) throw notAllowed("'" + path.href(true) + "' exists", "OPTIONS, PROPFIND");
    DavIf condition = condition(request);
    return body(request, materializer).thenCompose(body -> {
      if (!body.isEmpty()) {
        throw new DavError(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "MKCOL takes no body");
      }
      return resources.target(caller, path, true).thenCompose(t -> {
        if (t.exists()) throw notAllowed("'" + path.href(t.isFolder()) + "' exists already", ALLOW);
        return resources.parentCollection(caller, path).thenCompose(parent -> guard.check(caller, condition, t,
                List.of(new DavGuard.Scope(parent.path(), parent.loc(), false))))
            .thenCompose(ok -> tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(t.loc().datasource())
                .setPath(t.loc().path()).setRequestId(requestId(request, caller)).build()))
            .thenApply(n -> HttpResponse.create().withStatus(StatusCodes.CREATED));
      });
    });
  }

  // ------------------------------------------------------------------------------------------------ PUT

  CompletionStage<HttpResponse> put(Principal caller, HttpRequest request, DavPath path) {
    if (path.isTop() || path.isWorkspaceRoot()) throw notAllowed("'" + path.href(true) + "' is a collection", "OPTIONS, PROPFIND");
    DavIf condition = condition(request);
    return resources.target(caller, path, true).thenCompose(t -> {
      if (t.isFolder()) throw notAllowed("'" + path.href(true) + "' is a collection", "OPTIONS, PROPFIND, DELETE, MOVE, COPY, LOCK, UNLOCK, PROPPATCH");
      Optional<String> ifMatch = request.getHeader("If-Match").map(h -> h.value().trim());
      boolean ifNoneMatch = request.getHeader("If-None-Match").map(h -> h.value().trim().equals("*")).orElse(false);
      if (ifNoneMatch && t.exists() || ifMatch.isPresent() && (t.node().isEmpty() || !Conditions.matches(ifMatch.get(), t.node().get().getEtag()))) {
        throw DavError.preconditionFailed(PRECONDITIONS);
      }
      CompletionStage<Optional<DavGuard.Target>> parent = t.exists() ? done(Optional.empty())
          : resources.parentCollection(caller, path).thenApply(Optional::of);
      return parent.thenCompose(p -> {
        List<DavGuard.Scope> scopes = new ArrayList<>();
        scopes.add(new DavGuard.Scope(path, t.loc(), false));
        p.ifPresent(pt -> scopes.add(new DavGuard.Scope(pt.path(), pt.loc(), false)));
        return guard.check(caller, condition, t, scopes);
      }).thenCompose(ok -> upload(request, t))
          .thenCompose(blob -> record(caller, request, t, blob, ifMatch, ifNoneMatch))
          .thenApply(node -> HttpResponse.create().withStatus(t.exists() ? StatusCodes.NO_CONTENT : StatusCodes.CREATED)
              .addHeader(RawHeader.create("ETag", DavResources.etag(node))));
    });
  }

  /** Streams a PUT's body to the objects service (its declared length checked). */
  private CompletionStage<Blob> upload(HttpRequest request, DavGuard.Target t) {
    Long declared = request.entity().getContentLengthOption().isPresent() ? request.entity().getContentLengthOption().getAsLong() : null;
    return blobs.upload(t.loc().datasource(), request.entity().getDataBytes(), new Blobs.Expected(declared, null, null));
  }

  /** Records an uploaded blob as the file at the target, under the PUT's conditions. */
  private CompletionStage<Node> record(Principal caller, HttpRequest request, DavGuard.Target t, Blob blob,
                                       Optional<String> ifMatch, boolean ifNoneMatch) {
    PutFileRequest.Builder put = PutFileRequest.newBuilder().setDatasource(t.loc().datasource()).setPath(t.loc().path())
        .setBlobId(blob.getBlobId()).setSize(blob.getSize()).setEtag(blob.getMd5Hex()).setSha256(blob.getSha256Hex())
        .setContentType(storedType(request)).setRequestId(requestId(request, caller)).setIfNoneMatch(ifNoneMatch);
    // the condition held against this etag (If-Match may list several, or be *): the put applies only while it stays
    if (ifMatch.isPresent()) t.node().ifPresent(n -> put.setIfMatch(n.getEtag()));
    return FilePuts.record(tree, blobs, put.build()).exceptionally(e -> {
      if ((ifMatch.isPresent() || ifNoneMatch) && ApiError.of(e).code.equals("failed_precondition")) {
        throw DavError.preconditionFailed(PRECONDITIONS);
      }
      throw wrap(e);
    });
  }

  private static String storedType(HttpRequest request) {
    ContentType type = request.entity().getContentType();
    return type.equals(ContentTypes.NO_CONTENT_TYPE) ? "" : type.toString();
  }

  // ------------------------------------------------------------------------------------------------ DELETE

  CompletionStage<HttpResponse> delete(Principal caller, HttpRequest request, DavPath path) {
    if (path.isTop() || path.isWorkspaceRoot()) throw DavError.forbidden("a workspace root cannot be deleted");
    if (DavRequests.rawPath(request).contains("#")) throw DavError.badRequest("a URL with a fragment names no resource");
    DavIf condition = condition(request);
    return resources.target(caller, path, NodeAction.REMOVE).thenCompose(t -> {
      Node node = t.node().orElseThrow(() -> DavError.notFound("no resource at '" + path.href(false) + "'"));
      String depth = DavRequests.depth(request);
      if (node.getType() == NodeType.FOLDER && !depth.equals("infinity")) throw DavError.badRequest("DELETE of a collection is Depth: infinity");
      Optional<String> ifMatch = request.getHeader("If-Match").map(h -> h.value().trim());
      if (ifMatch.isPresent() && (node.getType() != NodeType.FILE || !Conditions.matches(ifMatch.get(), node.getEtag()))) {
        throw DavError.preconditionFailed("If-Match does not hold");
      }
      return resources.subtree(caller, path, node, NodeAction.REMOVE).thenCompose(x -> resources.target(caller, path.parent(), true))
          .thenCompose(parent -> guard.check(caller, condition, t, List.of(
              new DavGuard.Scope(path, t.loc(), true), new DavGuard.Scope(parent.path(), parent.loc(), false))))
          .thenCompose(ok -> resources.trash(caller, request, t.loc()))
          .thenApply(x -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
    });
  }
}
