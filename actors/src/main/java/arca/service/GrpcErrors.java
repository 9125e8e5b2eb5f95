package arca.service;

import akka.grpc.GrpcServiceException;
import arca.path.RelativePath;
import akka.pattern.AskTimeoutException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** The one place where failures of a gRPC service implementation become gRPC status codes. */
public final class GrpcErrors {
  private GrpcErrors() {}

  public static GrpcServiceException status(Failure failure) {
    return new GrpcServiceException(failure.toStatus());
  }

  public static GrpcServiceException invalid(String message) {
    return new GrpcServiceException(Status.INVALID_ARGUMENT.withDescription(message));
  }


  /** Runs a call, turning synchronous validation failures into a failed stage, and maps its errors. */
  public static <T> CompletionStage<T> call(Supplier<CompletionStage<T>> call) {
    CompletionStage<T> stage;
    try {
      stage = call.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return mapped(stage);
  }

  /** Maps timeouts to UNAVAILABLE (the caller may retry elsewhere); keeps explicit statuses; the rest is INTERNAL. */
  public static <T> CompletionStage<T> mapped(CompletionStage<T> stage) {
    return stage.handle((value, error) -> {
      if (error == null) return stage;
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (cause instanceof GrpcServiceException || cause instanceof StatusRuntimeException) {
        return stage;
      }
      if (cause instanceof AskTimeoutException || cause instanceof TimeoutException) {
        return CompletableFuture.<T>failedFuture(new GrpcServiceException(
            Status.UNAVAILABLE.withDescription("the service did not answer in time; retry")));
      }
      return CompletableFuture.<T>failedFuture(new GrpcServiceException(
          Status.INTERNAL.withDescription("internal error: " + cause.getClass().getSimpleName())));
    }).thenCompose(s -> s);
  }

  /** Client text for an error message: control characters escaped, cut at 200 characters. */
  public static String printable(String s) {
    return RelativePath.printable(s);
  }
}
