package arca.rest.files.io;

import arca.proto.token.ResolveAccessKeyRequest;
import arca.proto.token.ResolvedAccessKey;
import arca.proto.token.TokenService;
import io.grpc.Status;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * Access keys resolved by the token service (owner, roles, secret), kept briefly so that a client's burst of
 * requests costs one lookup: a live key for {@link #TTL}, an unknown one for {@link #UNKNOWN_TTL}. A deleted key
 * therefore keeps working on this node for up to {@link #TTL}, as long as ACL and policy answers are cached; a
 * change of its owner's password or roles, or the owner's deletion, is seen at once (the owner's cut-off). At most {@link #MAX_ENTRIES} keys are held (expired
 * entries are dropped first, then everything when still full). A token service that does not answer is not cached.
 */
final class AccessKeyCache {
  static final Duration TTL = Duration.ofSeconds(5);
  static final Duration UNKNOWN_TTL = Duration.ofSeconds(5);
  static final int MAX_ENTRIES = 10_000;

  /** A resolved key and when it was resolved (compared with its owner's cut-off). */
  record Resolved(ResolvedAccessKey key, long resolvedAt) {}

  private record Entry(Optional<Resolved> key, long expiresAt) {}

  private final TokenService tokens;
  private final Clock clock;
  private final ToLongFunction<String> cutoffs;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  /** cutoffs: a login's latest cut-off (a password or role change, a deletion): keys resolved before it are asked again. */
  AccessKeyCache(TokenService tokens, Clock clock, ToLongFunction<String> cutoffs) {
    this.tokens = tokens;
    this.clock = clock;
    this.cutoffs = cutoffs;
  }

  /** The key, or empty when the token service does not know it. */
  CompletionStage<Optional<Resolved>> resolve(String accessKeyId) {
    long now = clock.millis();
    Entry known = entries.get(accessKeyId);
    if (known != null && known.expiresAt() > now
        && known.key().map(k -> k.resolvedAt() >= cutoffs.applyAsLong(k.key().getLogin())).orElse(true)) {
      return CompletableFuture.completedFuture(known.key());
    }
    return tokens.resolveAccessKey(ResolveAccessKeyRequest.newBuilder().setAccessKeyId(accessKeyId).build())
        .thenApply(k -> Optional.of(new Resolved(k, now)))
        .exceptionally(e -> {
          Status.Code code = S3Failures.grpcCode(e);
          if (code == Status.Code.NOT_FOUND || code == Status.Code.INVALID_ARGUMENT) return Optional.empty();
          throw S3Failures.of(e);
        })
        .thenApply(key -> {
          remember(accessKeyId, new Entry(key, now + (key.isPresent() ? TTL : UNKNOWN_TTL).toMillis()));
          return key;
        });
  }

  private void remember(String accessKeyId, Entry entry) {
    if (entries.size() >= MAX_ENTRIES) {
      long now = clock.millis();
      entries.values().removeIf(e -> e.expiresAt() <= now);
      if (entries.size() >= MAX_ENTRIES) entries.clear();
    }
    entries.put(accessKeyId, entry);
  }
}
