package arca.rest.files.io;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.Rejection;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import akka.stream.Materializer;
import arca.rest.module.Endpoint;
import arca.rest.files.Face;
import arca.rest.files.FilesContext;
import arca.proto.token.TokenService;
import arca.proto.token.TokenServiceClient;
import arca.proto.tree.TreeService;
import arca.rest.auth.Authenticator;
import arca.rest.files.Blobs;
import arca.rest.files.FileAccess;

import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import static akka.http.javadsl.server.Directives.*;

/**
 * arca.rest.files.io: the S3-compatible bytes gateway under {@code /io/}, path style, one bucket {@code io} whose keys are
 * {@code <workspace>/<path>}. This class reads the request ({@link S3Call}), authenticates it ({@link S3Auth}) and
 * hands it to the objects, listing or multipart part. Every answer, errors and rejections included, is S3's: an XML
 * error document with S3's code and status, never the proxy's JSON. Bodies stream without the server's size limit,
 * and uploads run without its request timeout (an upload takes as long as it takes; the idle timeout still applies).
 */
public final class S3Routes implements Face {
  /** Bucket subresources the gateway does not implement (answered NotImplemented, not as a listing). */
  private static final Set<String> UNSUPPORTED = Set.of("acl", "policy", "cors", "lifecycle", "tagging",
      "website", "logging", "notification", "replication", "encryption", "object-lock", "uploads", "versions",
      "requestPayment", "accelerate", "analytics", "inventory", "metrics", "ownershipControls", "publicAccessBlock",
      "intelligent-tiering", "retention", "legal-hold", "torrent", "restore", "select", "attributes");

  @Override public String name() { return "io"; }
  @Override public String prefix() { return "io"; }

  /** None for the OpenAPI description: the face speaks S3, specified elsewhere. */
  @Override
  public List<Endpoint> endpoints() {
    return List.of();
  }

  @Override
  public Route route(FilesContext files) {
    TokenService tokens = files.client(TokenService.class, "token", TokenServiceClient::create);
    return routes(files.system(), files.auth(), tokens, files.access(), files.tree(), files.blobs(), files.clock());
  }

  /** The routes over any implementation of the services (the generated clients in production, fakes in tests). */
  public static Route routes(ActorSystem<?> system, Authenticator auth, TokenService tokens, FileAccess access,
                             TreeService tree, Blobs blobs, Clock clock) {
    Materializer materializer = Materializer.matFromSystem(system);
    S3Auth s3Auth = new S3Auth(auth, new AccessKeyCache(tokens, clock, auth.cache()::notBefore), clock);
    S3Objects objects = new S3Objects(access, tree, blobs, materializer, s3Auth::permit);
    Parts parts = new Parts(objects, new S3Listing(access, tree), new S3Multipart(access, tree, blobs, objects, materializer));
    return extractRequest(request -> {
      String requestId = UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase();
      return respondWithHeader(RawHeader.create("x-amz-request-id", requestId), () ->
          handleExceptions(exceptions(request, requestId), () ->
              handleRejections(rejections(request, requestId), () ->
                  withoutSizeLimit(() -> uploadsUntimed(request, () -> extractRequest(req -> {
                    S3Call call = S3Call.of(req);
                    return completeWithFuture(s3Auth.authenticate(req, call)
                        .thenCompose(caller -> parts.dispatch(caller, req, call)));
                  }))))));
    });
  }

  /**
   * PUT and POST answer once the whole body is in (and a multipart complete once the parts are composed): they run
   * without the server's request timeout. Other requests keep it; a download's bytes flow after its answer began.
   */
  private static Route uploadsUntimed(HttpRequest request, Supplier<Route> inner) {
    String method = request.method().value();
    return method.equals("PUT") || method.equals("POST") ? withoutRequestTimeout(inner) : inner.get();
  }

  /** The parts a request may go to, and which one it goes to. */
  private record Parts(S3Objects objects, S3Listing listing, S3Multipart multipart) {

    CompletionStage<HttpResponse> dispatch(S3Auth.Caller caller, HttpRequest request, S3Call call) {
      String method = call.method();
      if (call.key() == null) return bucket(caller, request, call);
      S3Key key = S3Key.parse(call.key());
      if (call.has("uploads")) {
        if (method.equals("POST")) return multipart.create(caller.principal(), request, key);
        throw notAllowed(method);
      }
      if (call.has("uploadId")) {
        String uploadId = call.param("uploadId").orElse("");
        return switch (method) {
          case "PUT" -> {
            if (S3Body.header(request, "x-amz-copy-source").isPresent()) {
              throw new S3Exception("NotImplemented", "UploadPartCopy is not implemented");
            }
            yield multipart.uploadPart(caller, request, key, uploadId, call.param("partNumber").orElse(""));
          }
          case "GET" -> multipart.listParts(caller.principal(), call, key, uploadId);
          case "POST" -> multipart.complete(caller, request, key, uploadId);
          case "DELETE" -> multipart.abort(caller.principal(), key, uploadId);
          default -> throw notAllowed(method);
        };
      }
      unsupported(call);
      return switch (method) {
        case "GET" -> objects.get(caller.principal(), request, key, false);
        case "HEAD" -> objects.get(caller.principal(), request, key, true);
        case "PUT" -> S3Body.header(request, "x-amz-copy-source")
            .map(source -> objects.copy(caller, request, key, source))
            .orElseGet(() -> objects.put(caller, request, key));
        case "DELETE" -> objects.delete(caller.principal(), key);
        default -> throw notAllowed(method);
      };
    }

    private CompletionStage<HttpResponse> bucket(S3Auth.Caller caller, HttpRequest request, S3Call call) {
      switch (call.method()) {
        case "HEAD", "PUT" -> {
          return done(S3Responses.empty(200));
        }
        case "GET" -> {
          if (call.has("location")) return done(S3Responses.xml(S3Xml.locationConstraint(null)));
          // the bucket is not versioned: S3 answers an empty configuration (clients such as rclone ask)
          if (call.has("versioning")) return done(S3Responses.xml(S3Xml.versioningUnset()));
          unsupported(call);
          CompletionStage<String> page = call.param("list-type").filter(t -> t.equals("2")).isPresent()
              ? listing.v2(caller.principal(), call) : listing.v1(caller.principal(), call);
          return page.thenApply(S3Responses::xml);
        }
        case "POST" -> {
          if (call.has("delete")) return objects.deleteMany(caller, request);
          throw notAllowed("POST");
        }
        default -> throw notAllowed(call.method());
      }
    }

    private static void unsupported(S3Call call) {
      for (String p : call.params().keySet()) {
        if (UNSUPPORTED.contains(p)) throw new S3Exception("NotImplemented", "The '" + p + "' subresource is not implemented");
      }
    }
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  private static S3Exception notAllowed(String method) {
    return new S3Exception("MethodNotAllowed", "The specified method is not allowed against this resource: " + method);
  }

  private static ExceptionHandler exceptions(HttpRequest request, String requestId) {
    return ExceptionHandler.newBuilder()
        .matchAny(e -> complete(S3Responses.error(S3Failures.of(e), resource(request), requestId)))
        .build();
  }

  /** Rejections cannot name a missing route here (every path under /io is answered); whatever comes is a bad request. */
  private static RejectionHandler rejections(HttpRequest request, String requestId) {
    return RejectionHandler.newBuilder()
        .handleAll(Rejection.class, rs -> complete(S3Responses.error(
            new S3Exception("InvalidRequest", "The request could not be handled: " + rs), resource(request), requestId)))
        .build();
  }

  private static String resource(HttpRequest request) {
    try {
      return S3Call.of(request).resource();
    } catch (S3Exception e) {
      return request.getUri().path();
    }
  }
}
