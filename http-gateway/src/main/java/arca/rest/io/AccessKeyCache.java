package arca.rest.io;

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

/**
 * Access keys resolved by the token service (owner, roles, secret), kept briefly so that a client's burst of
 * requests costs one lookup: a live key for {@link #TTL}, an unknown one for {@link #UNKNOWN_TTL}. A deleted key
 * (or a user's changed roles) therefore keeps working on this node for up to {@link #TTL}, as long as ACL and policy
 * answers are cached. At most {@link #MAX_ENTRIES} keys are held (expired
 * entries are dropped first, then everything when still full). A token service that does not answer is not cached.
 */
final class AccessKeyCache {
  static final Duration TTL = Duration.ofSeconds(5);
  static final Duration UNKNOWN_TTL = Duration.ofSeconds(5);
  static final int MAX_ENTRIES = 10_000;

  private record Entry(Optional<ResolvedAccessKey> key, long expiresAt) {}

  private final TokenService tokens;
  private final Clock clock;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();

  AccessKeyCache(TokenService tokens, Clock clock) {
    this.tokens = tokens;
    this.clock = clock;
  }

  /** The key, or empty when the token service does not know it. */
  CompletionStage<Optional<ResolvedAccessKey>> resolve(String accessKeyId) {
    long now = clock.millis();
    Entry known = entries.get(accessKeyId);
    if (known != null && known.expiresAt() > now) return CompletableFuture.completedFuture(known.key());
    return tokens.resolveAccessKey(ResolveAccessKeyRequest.newBuilder().setAccessKeyId(accessKeyId).build())
        .thenApply(Optional::of)
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
