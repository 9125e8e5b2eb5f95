package arca.tree;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * A write that finds its node gone may be the same write sent again after it applied (its answer was lost): with a
 * request id, {@code done} looks for the node where that write put it, marked with the id; otherwise the failure
 * stands.
 */
final class AlreadyDone {
  private AlreadyDone() {}

  /** For a write whose second sending fails with NOT_FOUND. */
  static <T> CompletionStage<T> orAlreadyDone(CompletionStage<T> attempt, String requestId,
                                              Function<String, CompletionStage<T>> done) {
    return orAlreadyDone(attempt, requestId, Status.Code.NOT_FOUND, done);
  }

  /** For a write whose second sending fails with {@code code} (ALREADY_EXISTS for a copy). */
  static <T> CompletionStage<T> orAlreadyDone(CompletionStage<T> attempt, String requestId, Status.Code code,
                                              Function<String, CompletionStage<T>> done) {
    if (requestId.isEmpty()) return attempt;
    return attempt.handle((value, error) -> {
      if (error == null) return CompletableFuture.completedFuture(value);
      Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (!(t instanceof StatusRuntimeException s) || s.getStatus().getCode() != code) {
        return CompletableFuture.<T>failedFuture(t);
      }
      return done.apply(requestId).thenApply(found -> {
        if (found == null) throw s;
        return found;
      });
    }).thenCompose(x -> x);
  }
}
