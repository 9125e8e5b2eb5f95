package arca.testkit;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Waiting for gRPC calls and for eventually consistent results, always with a deadline. */
public final class Calls {
  private Calls() {}

  /** Per call: longer than the clients' own deadline (arca.grpc.call-timeout, 10 s). */
  public static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

  public static <T> T await(CompletionStage<T> call) {
    try {
      return call.toCompletableFuture().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("call failed: " + describe(e.getCause()), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + CALL_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The gRPC status code the call failed with; fails the test if it succeeded or failed otherwise. */
  public static Status.Code failureOf(CompletionStage<?> call) {
    return failure(call).getStatus().getCode();
  }

  /** The gRPC failure of the call (status and trailers); fails the test if it succeeded or failed otherwise. */
  public static StatusRuntimeException failure(CompletionStage<?> call) {
    Object value;
    try {
      value = call.toCompletableFuture().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e.getCause());
      if (cause instanceof StatusRuntimeException s) return s;
      throw new AssertionError("expected a gRPC status, got " + cause, cause);
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within " + CALL_TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return fail("expected the call to fail, but it returned " + value);
  }

  public static void assertStatus(Status.Code expected, CompletionStage<?> call) {
    assertEquals(expected, failureOf(call));
  }

  /**
   * Polls {@code probe} until {@code done} holds or the deadline passes (then fails with the last value seen).
   * Probe failures count as "not yet".
   */
  public static <T> T eventually(Duration within, Supplier<T> probe, Predicate<T> done, String what) {
    long deadline = System.nanoTime() + within.toNanos();
    Object last = null;
    while (true) {
      try {
        T value = probe.get();
        if (done.test(value)) return value;
        last = value;
      } catch (RuntimeException | AssertionError e) {
        last = e;
      }
      if (System.nanoTime() > deadline) return fail(what + " not reached within " + within + "; last: " + last);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }

  private static String describe(Throwable t) {
    Throwable c = unwrap(t);
    return c instanceof StatusRuntimeException s ? s.getStatus().toString() : String.valueOf(c);
  }
}
