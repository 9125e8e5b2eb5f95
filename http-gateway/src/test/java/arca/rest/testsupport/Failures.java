package arca.rest.testsupport;

import io.grpc.Metadata;
import io.grpc.Status;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Failed stages the way a generated gRPC client produces them: a {@link io.grpc.StatusRuntimeException}. */
public final class Failures {
  private Failures() {}

  public static <T> CompletionStage<T> failed(Status status) {
    return CompletableFuture.failedFuture(status.asRuntimeException());
  }

  public static <T> CompletionStage<T> failed(Status status, Metadata trailers) {
    return CompletableFuture.failedFuture(status.asRuntimeException(trailers));
  }

  /** Completes later on another thread, as a remote call does. */
  public static <T> CompletionStage<T> async(T value) {
    return CompletableFuture.supplyAsync(() -> value);
  }
}
