package arca.rest.files.dav;

import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import arca.proto.lock.DavLock;
import arca.proto.lock.LockRequest;
import arca.proto.lock.LockService;
import arca.proto.lock.RefreshRequest;
import arca.proto.lock.UnlockRequest;
import arca.proto.objects.Blob;
import arca.proto.tree.Node;
import arca.proto.tree.PutFileRequest;
import arca.proto.tree.TreeService;
import arca.rest.ApiError;
import arca.rest.RequestIds;
import arca.rest.access.Principal;
import arca.rest.files.Blobs;
import arca.rest.files.FileAccess;
import arca.rest.files.FilePuts;
import arca.rest.files.dav.DavXmlParser.LockInfo;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static arca.rest.files.dav.DavRequests.body;
import static arca.rest.files.dav.DavRequests.condition;
import static arca.rest.files.dav.DavRequests.done;
import static arca.rest.files.dav.DavRequests.notAllowed;
import static arca.rest.files.dav.DavRequests.requestId;
import static arca.rest.files.dav.DavRequests.wrap;

/**
 * LOCK and UNLOCK over the lock service: write locks, exclusive or shared, of depth 0 or infinity, with a timeout of
 * a day at most. A LOCK on an unmapped URL creates an empty file there; a LOCK without a body refreshes a lock whose
 * token the If header submits. The owner of a lock releases it, and so does whoever manages its workspace.
 */
final class DavLocking {
  /** The lock timeout granted when the client asks none (or one not understood), in seconds. */
  static final long DEFAULT_TIMEOUT = 3600;
  /** The longest lock timeout granted, in seconds. */
  static final long MAX_TIMEOUT = 86_400;

  private final DavResources resources;
  private final DavGuard guard;
  private final FileAccess access;
  private final TreeService tree;
  private final Blobs blobs;
  private final LockService locks;
  private final Materializer materializer;
  private final Clock clock;

  DavLocking(DavResources resources, DavGuard guard, FileAccess access, TreeService tree, Blobs blobs, LockService locks,
             Materializer materializer, Clock clock) {
    this.resources = resources;
    this.guard = guard;
    this.access = access;
    this.tree = tree;
    this.blobs = blobs;
    this.locks = locks;
    this.materializer = materializer;
    this.clock = clock;
  }

  // ------------------------------------------------------------------------------------------------ LOCK

  CompletionStage<HttpResponse> lock(Principal caller, HttpRequest request, DavPath path) {
    if (path.isTop()) throw notAllowed("the top level cannot be locked", "OPTIONS, PROPFIND");
    long timeout = timeout(request.getHeader("Timeout").map(HttpHeader::value));
    DavIf condition = condition(request);
    return body(request, materializer).thenCompose(body -> resources.target(caller, path, true).thenCompose(t -> {
      if (body.isEmpty()) return refresh(caller, condition, t, timeout);
      LockInfo info = DavXmlParser.lockInfo(body);
      String depth = DavRequests.depth(request);
      if (!depth.equals("0") && !depth.equals("infinity")) throw DavError.badRequest("LOCK takes Depth: 0 or infinity");
      if (info.ownerXml().length() > 4096) throw DavError.badRequest("the lock owner is longer than 4096 characters");
      // a lock on an unmapped URL creates a member of the parent: the parent's locks apply to that
      CompletionStage<List<DavGuard.Scope>> scopes = t.exists() ? done(List.of())
          : resources.parentCollection(caller, path).thenApply(p -> List.of(new DavGuard.Scope(p.path(), p.loc(), false)));
      return scopes.thenCompose(sc -> condition.present() || !sc.isEmpty() ? guard.check(caller, condition, t, sc) : done(null))
          .thenCompose(x -> take(caller, path, t, info, depth.equals("infinity"), timeout))
          .thenCompose(granted -> made(caller, request, t, granted))
          .thenApply(granted -> lockAnswer(t.exists() ? StatusCodes.OK : StatusCodes.CREATED, granted)
              .addHeader(RawHeader.create("Lock-Token", "<" + granted.getToken() + ">")));
    }));
  }

  /** Asks the lock service for a new lock (423 with no-conflicting-lock when one in the way is held). */
  private CompletionStage<DavLock> take(Principal caller, DavPath path, DavGuard.Target t, LockInfo info, boolean infinite,
                                        long timeout) {
    String token = "urn:uuid:" + UUID.randomUUID();
    return locks.lock(LockRequest.newBuilder()
            .setDatasource(t.loc().datasource()).setPath(t.loc().path()).setExclusive(info.exclusive())
            .setInfinite(infinite).setOwnerXml(info.ownerXml()).setLogin(caller.login())
            .setTimeoutSeconds(timeout).setRootHref(path.href(t.isFolder())).setToken(token).build())
        .exceptionally(e -> {
          if (ApiError.of(e).code.equals("failed_precondition")) {
            throw new DavError(StatusCodes.LOCKED, "locked", ApiError.of(e).getMessage(), "<D:no-conflicting-lock/>", List.of());
          }
          throw wrap(e);
        });
  }

  /** The lock granted once its resource exists: made empty when unmapped; the lock goes when that fails. */
  private CompletionStage<DavLock> made(Principal caller, HttpRequest request, DavGuard.Target t, DavLock granted) {
    CompletionStage<Node> made = t.exists() ? done(t.node().get()) : createEmpty(caller, request, t);
    return made.handle((n, e) -> e).thenCompose(e -> {
      if (e == null) return done(granted);
      return locks.unlock(UnlockRequest.newBuilder().setDatasource(granted.getDatasource())
              .setToken(granted.getToken()).setLogin(caller.login()).build())
          .handle((u, ue) -> (Void) null).thenCompose(x -> CompletableFuture.<DavLock>failedFuture(e));
    });
  }

  /** LOCK on an unmapped URL creates an empty file there (RFC 4918 section 7.3). */
  private CompletionStage<Node> createEmpty(Principal caller, HttpRequest request, DavGuard.Target t) {
    return blobs.upload(t.loc().datasource(), Source.empty(), new Blobs.Expected(0L, null, null)).thenCompose((Blob blob) ->
        FilePuts.record(tree, blobs, PutFileRequest.newBuilder().setDatasource(t.loc().datasource()).setPath(t.loc().path())
            .setBlobId(blob.getBlobId()).setSize(0).setEtag(blob.getMd5Hex()).setSha256(blob.getSha256Hex())
            .setIfNoneMatch(true).setRequestId(RequestIds.derived(requestId(request, caller), "lock-null")).build()));
  }

  /** A LOCK without a body refreshes the locks whose tokens the If header submits (on this resource). */
  private CompletionStage<HttpResponse> refresh(Principal caller, DavIf condition, DavGuard.Target t, long timeout) {
    if (!condition.present()) throw DavError.badRequest("a LOCK without a body refreshes a lock: submit its token in an If header");
    if (!t.exists()) throw DavError.notFound("no resource at '" + t.path().href(false) + "'");
    return guard.check(caller, condition, t, List.of()).thenCompose(ok -> guard.covering(t.loc(), false)).thenCompose(found -> {
      Set<String> submitted = condition.submitted();
      Optional<DavLock> mine = found.stream().filter(l -> submitted.contains(l.getToken())).findFirst();
      if (mine.isEmpty()) {
        throw DavError.withPrecondition(StatusCodes.PRECONDITION_FAILED, "precondition_failed",
            "no lock of this resource has its token in the If header", "lock-token-matches-request-uri");
      }
      return locks.refresh(RefreshRequest.newBuilder().setDatasource(t.loc().datasource()).setToken(mine.get().getToken())
              .setLogin(caller.login()).setTimeoutSeconds(timeout).build())
          .thenApply(l -> lockAnswer(StatusCodes.OK, l));
    });
  }

  private HttpResponse lockAnswer(StatusCode status, DavLock lock) {
    String xml = DavXmlWriter.lockDiscovery(lock, clock.millis());
    return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(DavXmlWriter.XML, xml.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The lock timeout a Timeout header asks (the first value understood), within 1..{@link #MAX_TIMEOUT} seconds: a day
   * at most, Infinite included, so that a forgotten lock does not hold for long.
   */
  static long timeout(Optional<String> header) {
    if (header.isEmpty()) return DEFAULT_TIMEOUT;
    for (String part : header.get().split(",")) {
      String p = part.trim();
      if (p.equalsIgnoreCase("Infinite")) return MAX_TIMEOUT;
      if (p.regionMatches(true, 0, "Second-", 0, 7)) {
        try {
          return Math.max(1, Math.min(MAX_TIMEOUT, Long.parseLong(p.substring(7))));
        } catch (NumberFormatException e) {
          return DEFAULT_TIMEOUT;
        }
      }
    }
    return DEFAULT_TIMEOUT;
  }

  // ------------------------------------------------------------------------------------------------ UNLOCK

  CompletionStage<HttpResponse> unlock(Principal caller, HttpRequest request, DavPath path) {
    if (path.isTop()) throw notAllowed("the top level holds no locks", "OPTIONS, PROPFIND");
    String header = request.getHeader("Lock-Token").map(h -> h.value().trim())
        .orElseThrow(() -> DavError.badRequest("UNLOCK needs a Lock-Token header"));
    if (!header.startsWith("<") || !header.endsWith(">")) throw DavError.badRequest("the Lock-Token header is <token>");
    String token = header.substring(1, header.length() - 1);
    return resources.target(caller, path, true).thenCompose(t -> guard.covering(t.loc(), false).thenCompose(found -> {
      DavLock lock = found.stream().filter(l -> l.getToken().equals(token)).findFirst()
          .orElseThrow(() -> DavError.withPrecondition(StatusCodes.CONFLICT, "conflict", "no lock with this token applies to '"
              + path.href(t.isFolder()) + "'", "lock-token-matches-request-uri"));
      // another user's lock: released when the caller manages the workspace (admins; a user in their own space) and
      // the lock lies in it
      CompletionStage<Boolean> force = lock.getLogin().equals(caller.login()) ? done(false)
          : access.managedRoot(caller, t.loc().workspace())
              .thenApply(root -> root.isPresent() && FileAccess.within(root.get().path(), lock.getPath()));
      return force.thenCompose(f -> locks.unlock(UnlockRequest.newBuilder().setDatasource(t.loc().datasource())
          .setToken(token).setLogin(caller.login()).setForce(f).build()));
    })).thenApply(r -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }
}
