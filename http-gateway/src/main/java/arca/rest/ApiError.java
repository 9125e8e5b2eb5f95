package arca.rest;

import akka.grpc.GrpcServiceException;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.scaladsl.model.EntityStreamException;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.http.scaladsl.model.IllegalRequestException;
import akka.stream.AbruptStageTerminationException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/** A client-visible error: HTTP status plus a JSON body {"error": code, "message": text}. */
public final class ApiError extends RuntimeException {
  public final StatusCode status;
  public final String code;

  public ApiError(StatusCode status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  public static ApiError badRequest(String message) { return new ApiError(StatusCodes.BAD_REQUEST, "bad_request", message); }
  public static ApiError forbidden(String message) { return new ApiError(StatusCodes.FORBIDDEN, "forbidden", message); }
  public static ApiError notFound(String message) { return new ApiError(StatusCodes.NOT_FOUND, "not_found", message); }
  public static ApiError conflict(String message) { return new ApiError(StatusCodes.CONFLICT, "conflict", message); }

  /** The one mapping from a failure (a gRPC status from a service, or our own) to an HTTP error. */
  public static ApiError of(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApiError e) return e;
    ApiError body = bodyFault(t);
    if (body != null) return body;
    if (t instanceof StatusRuntimeException sre) return of(sre.getStatus());
    if (t instanceof GrpcServiceException gse) return of(gse.getStatus());
    if (t instanceof TimeoutException) {
      return new ApiError(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "a service did not answer in time; retry");
    }
    return new ApiError(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "internal error");
  }

  /**
   * A request body the client broke, found anywhere in the failure's causes (a stream that failed on it may wrap it):
   * larger than allowed (413), cut before its declared length or malformed (400). Null when the failure is not one.
   */
  public static ApiError bodyFault(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof EntityStreamSizeException e) {
        return new ApiError(StatusCodes.PAYLOAD_TOO_LARGE, "payload_too_large",
            "the request body is larger than " + e.limit() + " bytes");
      }
      if (t instanceof EntityStreamException e) {
        // a body Akka HTTP had taken whole (strict) reports its size this way
        if (e.info().summary().startsWith("Request too large")) {
          return new ApiError(StatusCodes.PAYLOAD_TOO_LARGE, "payload_too_large", e.info().summary() + ": " + e.info().detail());
        }
        return new ApiError(StatusCodes.BAD_REQUEST, "bad_request",
            "the request body is malformed or ended before its declared length (" + e.info().summary() + ")");
      }
      if (t instanceof AbruptStageTerminationException) {
        // the connection's streams ended under the request: the client closed it before the request was handled
        return new ApiError(StatusCodes.BAD_REQUEST, "bad_request", "the connection closed before the request was handled");
      }
      if (t instanceof IllegalRequestException e) {
        return new ApiError(e.status().intValue() >= 500 ? StatusCodes.BAD_REQUEST : e.status(), "bad_request", e.info().summary());
      }
    }
    return null;
  }

  /** A quoted path in a service's message: the services name nodes by their path in the datasource. */
  private static final Pattern QUOTED_PATH = Pattern.compile("'([^'/{}:]*/)+([^'/{}:]*)'");

  /**
   * A service's message as a client may see it: the services name nodes by where they are stored (the datasource
   * path, e.g. {@code 'personal/bob/docs/x'}), which the client never sent and must not learn; each such path is
   * cut to its last segment, the name the client did send ({@code 'x'}).
   */
  public static String withoutStoragePaths(String message) {
    return message.indexOf('/') < 0 ? message : QUOTED_PATH.matcher(message).replaceAll("'$2'");
  }

  public static ApiError of(Status s) {
    String message = s.getDescription() == null ? s.getCode().name().toLowerCase() : withoutStoragePaths(s.getDescription());
    return switch (s.getCode()) {
      case INVALID_ARGUMENT, OUT_OF_RANGE -> new ApiError(StatusCodes.BAD_REQUEST, "bad_request", message);
      case NOT_FOUND -> new ApiError(StatusCodes.NOT_FOUND, "not_found", message);
      case ALREADY_EXISTS, ABORTED -> new ApiError(StatusCodes.CONFLICT, "conflict", message);
      case FAILED_PRECONDITION -> new ApiError(StatusCodes.CONFLICT, "failed_precondition", message);
      case PERMISSION_DENIED -> new ApiError(StatusCodes.FORBIDDEN, "forbidden", message);
      case UNAUTHENTICATED -> new ApiError(StatusCodes.UNAUTHORIZED, "unauthorized", message);
      case RESOURCE_EXHAUSTED -> new ApiError(StatusCodes.TOO_MANY_REQUESTS, "too_many_requests", message);
      case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED ->
          new ApiError(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "a service is unavailable; retry");
      default -> new ApiError(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "internal error");
    };
  }
}
