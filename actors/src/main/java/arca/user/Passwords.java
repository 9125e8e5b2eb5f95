package arca.user;

import akka.grpc.GrpcServiceException;
import akka.grpc.javadsl.MetadataBuilder;
import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import com.typesafe.config.Config;
import io.grpc.Status;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Argon2id password hashing (Password4j). Hashes are self-describing (PHC string with the parameters), so the
 * cost can be raised later without breaking existing hashes. CPU- and memory-bound (19 MiB a hash): it runs on
 * threads of its own ({@code arca.user.password-checks}: a few threads and a bounded queue), so that a burst of
 * logins neither starves the dispatchers that JDBC and the entities need nor queues work that would only time out;
 * beyond the queue a check is refused at once with RESOURCE_EXHAUSTED (retry-after 1 s).
 */
final class Passwords implements AutoCloseable {
  private final Argon2Function function;
  private final String dummyHash;
  private final ThreadPoolExecutor executor;

  Passwords(Config config) {
    Config c = config.getConfig("arca.user.argon2");
    this.function = Argon2Function.getInstance(c.getInt("memory-kib"), c.getInt("iterations"),
        c.getInt("parallelism"), 32, Argon2.ID);
    this.dummyHash = hash("not-a-real-password-but-equal-work");
    Config pool = config.getConfig("arca.user.password-checks");
    int threads = pool.getInt("threads");
    AtomicInteger n = new AtomicInteger();
    this.executor = new ThreadPoolExecutor(threads, threads, 1, TimeUnit.MINUTES,
        new ArrayBlockingQueue<>(pool.getInt("queue")), r -> {
          Thread t = new Thread(r, "arca-password-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  String hash(String password) {
    return Password.hash(password).addRandomSalt(16).with(function).getResult();
  }

  boolean verify(String password, String hash) {
    if (hash == null || hash.isEmpty()) {
      // same work as a real check, so that response times do not reveal which logins exist
      Password.check(password, dummyHash).with(function);
      return false;
    }
    return Password.check(password, hash).with(Argon2Function.getInstanceFromHash(hash));
  }

  /** {@link #hash} on the password threads. */
  CompletionStage<String> hashAsync(String password) {
    return run(() -> hash(password));
  }

  /** {@link #verify} on the password threads. */
  CompletionStage<Boolean> verifyAsync(String password, String hash) {
    return run(() -> verify(password, hash));
  }

  private <T> CompletionStage<T> run(Supplier<T> work) {
    try {
      return CompletableFuture.supplyAsync(work, executor);
    } catch (RejectedExecutionException full) {
      return CompletableFuture.failedFuture(new GrpcServiceException(
          Status.RESOURCE_EXHAUSTED.withDescription("too many password checks in progress on this node; retry in 1 s"),
          new MetadataBuilder().addText("retry-after", "1").build()));
    }
  }

  String describe() {
    return "Argon2id m=" + function.getMemory() + "KiB t=" + function.getIterations() + " p=" + function.getParallelism()
        + ", " + executor.getMaximumPoolSize() + " threads, queue " + executor.getQueue().remainingCapacity();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
