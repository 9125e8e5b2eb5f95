package arca.rest.files.dav;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpRequest;
import arca.proto.lock.LockService;
import arca.proto.lock.ReleaseUnderRequest;
import arca.proto.tree.CreateFolderRequest;
import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.proto.tree.StatRequest;
import arca.proto.tree.TrashRequest;
import arca.proto.tree.TreeService;
import arca.rest.ApiError;
import arca.rest.RequestIds;
import arca.rest.access.Principal;
import arca.rest.files.FileAccess;
import arca.rest.files.Location;
import arca.rest.files.NodeAction;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import static arca.rest.files.dav.DavRequests.done;
import static arca.rest.files.dav.DavRequests.requestId;
import static arca.rest.files.dav.DavRequests.wrap;

/**
 * The resources WebDAV paths name: where a path lives for the caller and what is there (resolved with the caller's
 * ACLs, {@link FileAccess}: read for reads, write for changes, remove for a DELETE or a MOVE's source), the checks
 * on what lies below or above a changed resource, its removal to the recycle bin, and how a node shows in headers
 * and properties (ETag, Last-Modified, Content-Type).
 */
final class DavResources {
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

  private final FileAccess access;
  private final TreeService tree;
  private final LockService locks;

  DavResources(FileAccess access, TreeService tree, LockService locks) {
    this.access = access;
    this.tree = tree;
    this.locks = locks;
  }

  /** Where a path lives for the caller and what is there; the top level has no location. */
  CompletionStage<DavGuard.Target> target(Principal caller, DavPath path, boolean write) {
    return target(caller, path, write ? NodeAction.WRITE : NodeAction.READ);
  }

  /** As above, for a node action ({@link NodeAction}: a DELETE or a MOVE's source removes, a COPY's reads). */
  CompletionStage<DavGuard.Target> target(Principal caller, DavPath path, NodeAction action) {
    if (path.isTop()) return done(new DavGuard.Target(path, null, Optional.empty()));
    CompletionStage<Location> loc = switch (action) {
      case READ -> access.resolve(caller, path.workspace(), path.path());
      case WRITE -> access.resolveForWrite(caller, path.workspace(), path.path());
      case REMOVE -> access.resolveForRemoval(caller, path.workspace(), path.path());
    };
    return loc.thenCompose(l -> stat(l).thenCompose(n -> n.isPresent() || !path.isWorkspaceRoot()
        ? done(new DavGuard.Target(path, l, n)) : root(path, l)));
  }

  /**
   * A workspace whose root folder was never written to (a new shared workspace) is an empty collection, not a missing
   * one: its root folder is made on first use, so that clients can list it and create in it.
   */
  private CompletionStage<DavGuard.Target> root(DavPath path, Location l) {
    return tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(l.datasource()).setPath(l.path())
            .setRequestId(RequestIds.fresh()).build())
        .thenApply(n -> new DavGuard.Target(path, l, Optional.of(n)));
  }

  private CompletionStage<Optional<Node>> stat(Location l) {
    return tree.stat(StatRequest.newBuilder().setDatasource(l.datasource()).setPath(l.path()).build())
        .thenApply(Optional::of)
        .exceptionally(e -> {
          if (ApiError.of(e).status.intValue() == 404) return Optional.empty();
          throw wrap(e);
        });
  }

  /** A change needs an existing parent collection (409 Conflict otherwise, RFC 4918 9.3.1, 9.7.1). */
  CompletionStage<DavGuard.Target> parentCollection(Principal caller, DavPath path) {
    return target(caller, path.parent(), true).thenApply(p -> {
      if (!p.isFolder()) throw DavError.conflict("the parent collection of '" + path.href(false) + "' does not exist");
      return p;
    });
  }

  /**
   * A folder's copy (read), move or delete (remove), or a folder landing at a destination (write), takes everything
   * below it: no node there may be one an ACL or a policy keeps from the caller (403).
   */
  CompletionStage<Void> subtree(Principal caller, DavPath path, Node node, NodeAction... actions) {
    if (node.getType() != NodeType.FOLDER) return done(null);
    return access.resolveSubtree(caller, path.workspace(), path.path(), actions).thenApply(l -> (Void) null);
  }

  /** Moves a resource to the recycle bin and drops the locks on it and below. */
  CompletionStage<Void> trash(Principal caller, HttpRequest request, Location loc) {
    return tree.trash(TrashRequest.newBuilder().setDatasource(loc.datasource()).setPath(loc.path()).setBy(caller.login())
            .setRequestId(RequestIds.derived(requestId(request, caller), "trash:" + loc.path())).build())
        .thenCompose(n -> releaseUnder(loc));
  }

  /** Drops the locks on a location and below (it was moved away or removed). */
  CompletionStage<Void> releaseUnder(Location loc) {
    return locks.releaseUnder(ReleaseUnderRequest.newBuilder().setDatasource(loc.datasource()).setPath(loc.path()).build())
        .thenApply(r -> (Void) null);
  }

  static String etag(Node n) {
    return "\"" + n.getEtag() + "\"";
  }

  /** A time as an HTTP date (Last-Modified, getlastmodified). */
  static String httpDate(long epochMillis) {
    return HTTP_DATE.format(Instant.ofEpochMilli(epochMillis));
  }

  static ContentType contentType(Node n) {
    if (!n.getContentType().isEmpty()) {
      try {
        return ContentTypes.parse(n.getContentType());
      } catch (RuntimeException ignored) {
        // stored as sent: fall through
      }
    }
    return ContentTypes.APPLICATION_OCTET_STREAM;
  }
}
