package arca.token;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.grpc.GrpcServiceException;
import akka.grpc.javadsl.MetadataBuilder;
import arca.proto.token.ListAccessKeysRequest;
import arca.proto.token.ResolveAccessKeyRequest;
import arca.proto.token.ResolvedAccessKey;
import arca.proto.user.GetUserRequest;
import arca.proto.user.User;
import arca.proto.user.UserService;
import arca.proto.user.VerifyPasswordRequest;
import arca.service.Upgrades;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Every password check of the token service, under the account's {@link LoginGuardEntity}: reserve an attempt, check
 * the password (the user service's Argon2id) or an app password (an access key's secret), report the outcome. A
 * user name that is an access key id counts against the key owner's account.
 *
 * <p>While token-service nodes of an older build are members (a rolling upgrade), the guard may live on one that
 * does not know reservations: then the older protocol (check the lock, verify, record) is used, as those nodes do.
 */
final class PasswordChecks {
  static final String BAD_CREDENTIALS = "invalid username or password";

  /** A verified credential: the account, the key id when an app password matched, and the guard after it. */
  record Checked(User user, String accessKeyId, LoginGuardEntity.State guard) {}

  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final UserService users;
  private final AccessKeyService accessKeys;
  private final Duration timeout;

  PasswordChecks(ActorSystem<?> system, UserService users, AccessKeyService accessKeys) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.users = users;
    this.accessKeys = accessKeys;
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
  }

  EntityRef<LoginGuardEntity.Command> guard(String login) {
    return sharding.entityRefFor(LoginGuardEntity.KEY, login);
  }

  /** The verified account, or UNAUTHENTICATED / RESOURCE_EXHAUSTED (trailer retry-after). */
  CompletionStage<Checked> check(String userName, String password, boolean allowAppPassword) {
    if (password.isEmpty() || password.length() > 1024 || userName.isBlank() || userName.length() > 64) {
      return CompletableFuture.failedFuture(badCredentials());
    }
    if (allowAppPassword && Secrets.ACCESS_KEY_ID.matcher(userName).matches()) {
      // an access key id as user name: the key's owner is the account whose throttle counts
      return resolve(userName).thenCompose(key -> key.isEmpty() ? CompletableFuture.failedFuture(badCredentials())
          : throttled(key.get().getLogin(), () -> keyMatches(key.get(), password)
              ? account(key.get().getLogin(), key.get().getAccessKeyId()) : CompletableFuture.completedFuture(null)));
    }
    String login = userName.trim().toLowerCase(Locale.ROOT);
    return throttled(login, () -> byPassword(login, password).thenCompose(found ->
        found != null || !allowAppPassword ? CompletableFuture.completedFuture(found) : byAppPassword(login, password)));
  }

  /** Runs {@code verify} (null: wrong credentials) between a reservation and its outcome. */
  private CompletionStage<Checked> throttled(String login, Supplier<CompletionStage<Checked>> verify) {
    if (olderTokenNodes()) return legacy(login, verify);
    String attempt = Secrets.random(12);
    var guard = guard(login);
    return guard.<LoginGuardEntity.Reservation>ask(r -> new LoginGuardEntity.Reserve(attempt, r), timeout)
        .thenCompose(reservation -> {
          if (!reservation.granted()) throw throttled(reservation.retryAfterMs(), reservation.locked());
          return verify.get().handle((found, error) -> {
            if (error != null) {
              guard.tell(new LoginGuardEntity.Release(attempt, system.ignoreRef()));
              return CompletableFuture.<Checked>failedFuture(busyIfExhausted(error));
            }
            return guard.<LoginGuardEntity.State>ask(r -> new LoginGuardEntity.Outcome(attempt, found != null, r), timeout)
                .thenApply(state -> {
                  if (found == null) throw badCredentials();
                  return new Checked(found.user(), found.accessKeyId(), state);
                });
          }).thenCompose(s -> s);
        });
  }

  /** The protocol of older token services (check, verify, record): parallel checks may pass the limit. */
  private CompletionStage<Checked> legacy(String login, Supplier<CompletionStage<Checked>> verify) {
    var guard = guard(login);
    return guard.ask(LoginGuardEntity.Check::new, timeout).thenCompose(g -> {
      long now = System.currentTimeMillis();
      if (g.lockedUntil() > now) throw throttled(g.lockedUntil() - now, true);
      return verify.get();
    }).thenCompose(found -> found == null
        ? guard.ask(LoginGuardEntity.RecordFailure::new, timeout).thenApply(g -> { throw badCredentials(); })
        : guard.ask(LoginGuardEntity.RecordSuccess::new, timeout)
            .thenApply(g -> new Checked(found.user(), found.accessKeyId(), g)));
  }

  /** Whether a member running the token service has an older build than this node (a rolling upgrade). */
  boolean olderTokenNodes() {
    return Upgrades.olderMembers(system, TokenModule.NAME);
  }

  private CompletionStage<Checked> byPassword(String login, String password) {
    return users.verifyPassword(VerifyPasswordRequest.newBuilder().setLogin(login).setPassword(password).build())
        .thenApply(v -> v.getValid() ? new Checked(v.getUser(), "", null) : null);
  }

  /** One of the account's access keys whose secret is the password. */
  private CompletionStage<Checked> byAppPassword(String login, String secret) {
    return accessKeys.list(ListAccessKeysRequest.newBuilder().setLogin(login).build())
        .exceptionally(e -> null)
        .thenCompose(list -> {
          CompletionStage<Checked> chain = CompletableFuture.completedFuture(null);
          if (list == null) return chain;
          for (var key : list.getKeysList()) {
            chain = chain.thenCompose(found -> found != null ? CompletableFuture.completedFuture(found)
                : resolve(key.getAccessKeyId()).thenCompose(k -> k.isPresent() && k.get().getLogin().equals(login)
                    && keyMatches(k.get(), secret) ? account(login, k.get().getAccessKeyId())
                    : CompletableFuture.completedFuture(null)));
          }
          return chain;
        });
  }

  private CompletionStage<Checked> account(String login, String accessKeyId) {
    return users.getUser(GetUserRequest.newBuilder().setLogin(login).build())
        .thenApply(user -> new Checked(user, accessKeyId, null));
  }

  private CompletionStage<Optional<ResolvedAccessKey>> resolve(String keyId) {
    return accessKeys.resolve(ResolveAccessKeyRequest.newBuilder().setAccessKeyId(keyId).build())
        .thenApply(Optional::of)
        .exceptionally(e -> {
          Status.Code code = code(e);
          if (code == Status.Code.NOT_FOUND || code == Status.Code.INVALID_ARGUMENT) return Optional.empty();
          throw e instanceof CompletionException c ? c : new CompletionException(e);
        });
  }

  private static boolean keyMatches(ResolvedAccessKey k, String secret) {
    return MessageDigest.isEqual(k.getSecretAccessKey().getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8));
  }

  static GrpcServiceException badCredentials() {
    return new GrpcServiceException(Status.UNAUTHENTICATED.withDescription(BAD_CREDENTIALS));
  }

  /** RESOURCE_EXHAUSTED with the seconds to wait in the trailer {@code retry-after}. */
  static GrpcServiceException throttled(long remainingMs, boolean locked) {
    long seconds = Math.max(1, (remainingMs + 999) / 1000);
    String why = locked ? "too many failed logins for this account" : "too many sign-ins for this account in progress";
    return new GrpcServiceException(Status.RESOURCE_EXHAUSTED.withDescription(why + "; retry in " + seconds + " s"),
        new MetadataBuilder().addText("retry-after", Long.toString(seconds)).build());
  }

  /** The user service's own refusal (its password threads are all busy) keeps its meaning: retry in a second. */
  private static Throwable busyIfExhausted(Throwable error) {
    return code(error) == Status.Code.RESOURCE_EXHAUSTED ? throttled(1000, false) : error;
  }

  private static Status.Code code(Throwable e) {
    Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (c instanceof StatusRuntimeException s) return s.getStatus().getCode();
    if (c instanceof GrpcServiceException g) return g.status().getCode();
    return null;
  }
}
