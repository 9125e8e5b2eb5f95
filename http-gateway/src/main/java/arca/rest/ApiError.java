package arca.rest;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.concurrent.CompletionException;

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
    while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApiError e) return e;
    if (t instanceof StatusRuntimeException sre) return of(sre.getStatus());
    if (t instanceof akka.grpc.GrpcServiceException gse) return of(gse.getStatus());
    if (t instanceof java.util.concurrent.TimeoutException) {
      return new ApiError(StatusCodes.SERVICE_UNAVAILABLE, "unavailable", "a service did not answer in time; retry");
    }
    return new ApiError(StatusCodes.INTERNAL_SERVER_ERROR, "internal", "internal error");
  }

  public static ApiError of(Status s) {
    String message = s.getDescription() == null ? s.getCode().name().toLowerCase() : s.getDescription();
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
