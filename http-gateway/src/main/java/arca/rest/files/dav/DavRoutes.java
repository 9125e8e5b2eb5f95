package arca.rest.files.dav;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.model.HttpMethods;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.RequestEntityAcceptances;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.Rejection;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import arca.proto.lock.LockService;
import arca.proto.lock.LockServiceClient;
import arca.proto.token.TokenService;
import arca.proto.token.TokenServiceClient;
import arca.proto.tree.TreeService;
import arca.proto.user.UserService;
import arca.proto.user.UserServiceClient;
import arca.rest.auth.Authenticator;
import arca.rest.files.Blobs;
import arca.rest.files.Face;
import arca.rest.files.FileAccess;
import arca.rest.files.FilesContext;
import arca.rest.files.locks.LockRoutes;
import arca.rest.module.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import static akka.http.javadsl.server.Directives.*;

/**
 * arca.rest.files.dav: the WebDAV gateway under {@code /dav/} (RFC 4918, class 1 and 2), a face of the files wing
 * over the tree, the objects and the lock service (whose locks {@link LockRoutes} lists). {@code /dav/} lists the
 * caller's workspaces; {@code /dav/<workspace>/<path>} is the same tree as {@code /a/nodes} and {@code /io}, with
 * the same ACLs and policies ({@link DavAuth}). {@link DavHandler} hands each request to its method group; this class
 * wires the services and turns every failure into a WebDAV answer ({@link DavError}). Bodies stream without the
 * server's size limit, uploads and copies without its request timeout.
 */
public final class DavRoutes implements Face {
  /** WebDAV's methods: PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK. */
  public static final List<HttpMethod> METHODS = List.of(
      method("PROPFIND", true, true), method("PROPPATCH", false, true), method("MKCOL", false, true),
      method("COPY", false, true), method("MOVE", false, true), method("LOCK", false, false), method("UNLOCK", false, true));

  private static final Logger log = LoggerFactory.getLogger(DavRoutes.class);

  @Override public String name() { return "dav"; }
  @Override public String prefix() { return "dav"; }
  @Override public List<HttpMethod> extraMethods() { return METHODS; }

  /** None for the OpenAPI description: the face speaks WebDAV (RFC 4918), specified elsewhere. */
  @Override
  public List<Endpoint> endpoints() {
    return List.of();
  }

  private static HttpMethod method(String name, boolean safe, boolean idempotent) {
    return HttpMethods.custom(name, safe, idempotent, RequestEntityAcceptances.Tolerated, true);
  }

  @Override
  public Route route(FilesContext files) {
    UserService users = files.client(UserService.class, "user", UserServiceClient::create);
    TokenService tokens = files.client(TokenService.class, "token", TokenServiceClient::create);
    LockService locks = files.client(LockService.class, "lock", LockServiceClient::create);
    return routes(files.system(), files.auth(), users, tokens, files.access(), files.tree(), files.blobs(), locks,
        files.clock());
  }

  /** The routes over any implementation of the services (the generated clients in production, fakes in tests). */
  public static Route routes(ActorSystem<?> system, Authenticator auth, UserService users, TokenService tokens,
                             FileAccess access, TreeService tree, Blobs blobs, LockService locks, Clock clock) {
    DavHandler handler = new DavHandler(system, new DavAuth(auth, users, tokens, clock), access, tree, blobs, locks, clock);
    return handleExceptions(exceptions(), () -> handleRejections(rejections(), () ->
        withoutSizeLimit(() -> extractRequest(request -> untimed(request, () ->
            completeWithFuture(safely(() -> handler.handle(request))))))));
  }

  private static CompletionStage<HttpResponse> safely(Supplier<CompletionStage<HttpResponse>> call) {
    CompletionStage<HttpResponse> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return stage.exceptionally(DavRoutes::answer);
  }

  /** The WebDAV answer to a failure; a server error is logged. */
  private static HttpResponse answer(Throwable e) {
    DavError d = DavError.of(e);
    if (d.status.intValue() >= 500) log.error("WebDAV request failed", e);
    return d.response();
  }

  /**
   * PUT (an upload), COPY (a folder copy) and MOVE answer when done, however long that takes; the idle timeout stays.
   */
  private static Route untimed(HttpRequest request, Supplier<Route> inner) {
    String method = request.method().value();
    return method.equals("PUT") || method.equals("COPY") || method.equals("MOVE") ? withoutRequestTimeout(inner) : inner.get();
  }

  private static ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder().matchAny(e -> complete(answer(e))).build();
  }

  /** Every path under /dav is answered by the handler; a rejection here is a request Akka could not take. */
  private static RejectionHandler rejections() {
    return RejectionHandler.newBuilder()
        .handleAll(Rejection.class, rs -> complete(DavError.badRequest("the request could not be handled: " + rs).response()))
        .build();
  }
}
