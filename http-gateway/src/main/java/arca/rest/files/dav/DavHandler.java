package arca.rest.files.dav;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.stream.Materializer;
import arca.proto.lock.LockService;
import arca.proto.tree.TreeService;
import arca.rest.files.Blobs;
import arca.rest.files.FileAccess;

import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import static arca.rest.files.dav.DavRequests.ALLOW;
import static arca.rest.files.dav.DavRequests.done;
import static arca.rest.files.dav.DavRequests.notAllowed;

/**
 * The WebDAV methods over the tree, the objects and the lock service. Each request is authenticated and passes the
 * policies ({@link DavAuth}), then goes to its method group: {@link DavReads} (GET, HEAD; OPTIONS needs no caller),
 * {@link DavProperties} (PROPFIND, PROPPATCH), {@link DavWrites} (PUT, MKCOL, DELETE), {@link DavTransfers} (COPY,
 * MOVE) or {@link DavLocking} (LOCK, UNLOCK). They share the resolution of paths ({@link DavResources}) and the
 * checks of the If header and the locks on a change ({@link DavGuard}).
 */
final class DavHandler {
  private final DavAuth auth;
  private final DavReads reads;
  private final DavProperties properties;
  private final DavWrites writes;
  private final DavTransfers transfers;
  private final DavLocking locking;

  DavHandler(ActorSystem<?> system, DavAuth auth, FileAccess access, TreeService tree, Blobs blobs, LockService locks, Clock clock) {
    Materializer materializer = Materializer.matFromSystem(system);
    DavResources resources = new DavResources(access, tree, locks);
    DavGuard guard = new DavGuard(locks, (caller, path) -> resources.target(caller, path, false).thenApply(Optional::of));
    this.auth = auth;
    this.reads = new DavReads(resources, blobs, materializer);
    this.properties = new DavProperties(resources, guard, access, tree, materializer, clock);
    this.writes = new DavWrites(resources, guard, tree, blobs, materializer);
    this.transfers = new DavTransfers(auth, resources, guard, access, tree);
    this.locking = new DavLocking(resources, guard, access, tree, blobs, locks, materializer, clock);
  }

  CompletionStage<HttpResponse> handle(HttpRequest request) {
    String method = request.method().value();
    DavPath path = DavPath.parse(DavRequests.rawPath(request));
    if (method.equals("OPTIONS")) return done(DavReads.options());
    return auth.authenticate(request, path).thenCompose(caller -> switch (method) {
      case "GET" -> reads.get(caller, request, path, false);
      case "HEAD" -> reads.get(caller, request, path, true);
      case "PROPFIND" -> properties.propfind(caller, request, path);
      case "PROPPATCH" -> properties.proppatch(caller, request, path);
      case "MKCOL" -> writes.mkcol(caller, request, path);
      case "PUT" -> writes.put(caller, request, path);
      case "DELETE" -> writes.delete(caller, request, path);
      case "COPY" -> transfers.copyOrMove(caller, request, path, false);
      case "MOVE" -> transfers.copyOrMove(caller, request, path, true);
      case "LOCK" -> locking.lock(caller, request, path);
      case "UNLOCK" -> locking.unlock(caller, request, path);
      default -> throw notAllowed(method + " is not a WebDAV method here", ALLOW);
    });
  }
}
