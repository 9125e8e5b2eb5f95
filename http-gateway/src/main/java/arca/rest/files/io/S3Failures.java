package arca.rest.files.io;

import akka.grpc.GrpcServiceException;
import arca.path.RelativePath;
import arca.rest.ApiError;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The one mapping from a failure (a gRPC status from a service, an {@link ApiError} from the shared file layer, a
 * body stream failure, or an {@link S3Exception} already) to the S3 error a client gets. Nothing here answers 500
 * for bad input: only failures nobody classified become InternalError, and those are logged.
 */
final class S3Failures {
  private static final Logger log = LoggerFactory.getLogger(S3Failures.class);

  private S3Failures() {}

  /** The failure without the wrappers futures put around it. */
  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) t = t.getCause();
    return t;
  }

  /** The gRPC status code of a failure, or null when it is not a service's answer. */
  static Status.Code grpcCode(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StatusRuntimeException s) return s.getStatus().getCode();
    if (t instanceof GrpcServiceException g) return g.getStatus().getCode();
    return null;
  }

  static boolean is(Throwable failure, Status.Code code) {
    return grpcCode(failure) == code;
  }

  static S3Exception of(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof S3Exception s) return s;
    if (t instanceof ApiError e) return fromApi(e);
    ApiError body = ApiError.bodyFault(t);
    if (body != null) {
      return body.status.intValue() == 413
          ? new S3Exception("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size")
          : new S3Exception("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.");
    }
    if (t instanceof TimeoutException) return unavailable();
    Status status = t instanceof StatusRuntimeException s ? s.getStatus()
        : t instanceof GrpcServiceException g ? g.getStatus() : null;
    if (status != null) return fromStatus(status, t);
    log.error("/io request failed", t);
    return new S3Exception("InternalError", "We encountered an internal error. Please try again.");
  }

  private static S3Exception fromApi(ApiError e) {
    int status = e.status.intValue();
    if (e.code.equals(RelativePath.INVALID_PATH)) return new S3Exception("InvalidObjectName", e.getMessage());
    if (status == 404) return new S3Exception("NoSuchKey", "The specified key does not exist.");
    if (status == 403) return new S3Exception("AccessDenied", e.getMessage());
    if (status == 503) return unavailable();
    if (status >= 400 && status < 500) return new S3Exception("InvalidArgument", e.getMessage());
    log.error("/io request failed", e);
    return new S3Exception("InternalError", "We encountered an internal error. Please try again.");
  }

  private static S3Exception fromStatus(Status s, Throwable t) {
    String message = s.getDescription() == null ? s.getCode().name() : ApiError.withoutStoragePaths(s.getDescription());
    return switch (s.getCode()) {
      case NOT_FOUND -> new S3Exception("NoSuchKey", "The specified key does not exist.");
      case INVALID_ARGUMENT -> invalid(message);
      case OUT_OF_RANGE -> new S3Exception("InvalidRange", "The requested range is not satisfiable");
      case ALREADY_EXISTS, FAILED_PRECONDITION -> new S3Exception("InvalidRequest", message);
      case PERMISSION_DENIED, UNAUTHENTICATED -> new S3Exception("AccessDenied", "Access Denied");
      case RESOURCE_EXHAUSTED -> new S3Exception("SlowDown", "Please reduce your request rate.");
      case UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED, ABORTED -> unavailable();
      default -> {
        log.error("/io request failed", t);
        yield new S3Exception("InternalError", "We encountered an internal error. Please try again.");
      }
    };
  }

  /** The objects service names the check an upload failed; S3 has a code for each. */
  private static S3Exception invalid(String message) {
    if (message.startsWith("md5 mismatch")) {
      return new S3Exception("BadDigest", "The Content-MD5 you specified did not match what we received.");
    }
    if (message.startsWith("sha256 mismatch")) {
      return new S3Exception("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
    if (message.startsWith("size mismatch")) {
      return new S3Exception("IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.");
    }
    return new S3Exception("InvalidArgument", message);
  }

  private static S3Exception unavailable() {
    return new S3Exception("ServiceUnavailable", "A service is unavailable; please retry.");
  }
}
