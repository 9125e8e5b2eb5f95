package arca.rest.files.dav;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import arca.proto.token.CheckPasswordRequest;
import arca.proto.token.ListAccessKeysRequest;
import arca.proto.token.ResolveAccessKeyRequest;
import arca.proto.token.ResolvedAccessKey;
import arca.proto.token.TokenService;
import arca.proto.user.VerifyPasswordRequest;
import arca.proto.user.UserService;
import arca.rest.ApiError;
import arca.rest.auth.Authenticator;
import arca.rest.access.Principal;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Who sends a {@code /dav/} request. File clients speak HTTP Basic: the user name is the login (or an access key
 * id) and the password the user's password or an app password (the secret of one of their access keys, created
 * through {@code /a/access-keys}); a Bearer JWT works as on {@code /a/}. Basic credentials are checked by the token
 * service under the account's one throttle (CheckPassword: the same lock as the token endpoint's, cluster-wide; 429 +
 * Retry-After when it refuses). A verified Basic credential is kept for {@link #TTL} (a client's burst costs one
 * password check); the account's cut-off (a password or role change, a deletion) voids it at once, a lock does not
 * (the credential was proven; the lock stops guesses, and the next check after the {@link #TTL} meets it).
 *
 * <p>Then the policies: resource {@code dav:<workspace>/<path>} ({@code dav:} for the top level), action the
 * method (PROPFIND, PUT, MOVE, LOCK ...).
 */
final class DavAuth {
  static final long TTL = 5_000;
  static final String DAV_RESOURCE = "dav:";
  private static final int MAX_ENTRIES = 10_000;
  private static final Pattern ACCESS_KEY_ID = Pattern.compile("AK[A-Z0-9]{18}");
  private static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);
  private static final HttpHeader CHALLENGE = RawHeader.create("WWW-Authenticate", "Basic realm=\"Arca\", charset=\"UTF-8\"");

  private record Entry(Principal principal, long expiresAt) {}

  private final Authenticator tokens;
  private final UserService users;
  private final TokenService keys;
  private final Clock clock;
  private final Map<String, Entry> verified = new ConcurrentHashMap<>();
  /** Checks running now, by credential digest. */
  private final Map<String, CompletableFuture<Principal>> checking = new ConcurrentHashMap<>();

  DavAuth(Authenticator tokens, UserService users, TokenService keys, Clock clock) {
    this.tokens = tokens;
    this.users = users;
    this.keys = keys;
    this.clock = clock;
  }

  /** The caller, once the policies allow the request's method on its resource; 401/403/429 otherwise. */
  CompletionStage<Principal> authenticate(HttpRequest request, DavPath target) {
    return identify(request).thenCompose(p -> permit(p, request.method().value(), target).thenApply(x -> p));
  }

  /** The policy gate for one resource (the request's own, and a COPY or MOVE's destination). */
  CompletionStage<Void> permit(Principal caller, String action, DavPath resource) {
    String name = DAV_RESOURCE + (resource.isTop() ? "" : resource.workspace() + (resource.path().isEmpty() ? "" : "/" + resource.path()));
    return tokens.policies().decide(caller, name, action).thenAccept(d -> {
      if (!d.allowed()) throw DavError.forbidden(action + " " + name + " is denied by policy: " + d.reason());
    });
  }

  private CompletionStage<Principal> identify(HttpRequest request) {
    Optional<String> authorization = request.getHeader("Authorization").map(HttpHeader::value);
    if (authorization.isEmpty()) return CompletableFuture.failedFuture(unauthorized("authentication required (HTTP Basic)"));
    String a = authorization.get();
    if (a.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return tokens.verify(a.substring(7).trim())
          .thenApply(p -> p.orElseThrow(() -> unauthorized("the bearer token is invalid, expired or revoked")));
    }
    if (!a.regionMatches(true, 0, "Basic ", 0, 6)) return CompletableFuture.failedFuture(unauthorized("use HTTP Basic or a Bearer token"));
    String decoded;
    try {
      decoded = new String(Base64.getDecoder().decode(a.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(unauthorized("malformed Basic credentials"));
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) return CompletableFuture.failedFuture(unauthorized("malformed Basic credentials"));
    String user = decoded.substring(0, colon);
    String password = decoded.substring(colon + 1);
    return basic(user, password);
  }

  private CompletionStage<Principal> basic(String user, String password) {
    String cacheKey = digest(user + "\u0000" + password);
    long now = clock.millis();
    Entry known = verified.get(cacheKey);
    if (known != null && known.expiresAt() > now
        && !tokens.cache().endedByCutoff(known.principal().login(), "", known.principal().issuedAt())) {
      return CompletableFuture.completedFuture(known.principal());
    }
    // a client's parallel requests with one credential share one check (else they would take the account's slots)
    CompletableFuture<Principal> mine = new CompletableFuture<>();
    CompletableFuture<Principal> running = checking.putIfAbsent(cacheKey, mine);
    if (running != null) return running;
    check(user, password, now).whenComplete((p, e) -> {
      if (p != null) {
        if (verified.size() >= MAX_ENTRIES) verified.clear();
        verified.put(cacheKey, new Entry(p, now + TTL));
      }
      checking.remove(cacheKey, mine);
      if (e != null) mine.completeExceptionally(e);
      else mine.complete(p);
    });
    return mine;
  }

  /** The token service checks the credential under the account's throttle (429 + Retry-After when it refuses). */
  private CompletionStage<Principal> check(String user, String password, long now) {
    CheckPasswordRequest req = CheckPasswordRequest.newBuilder().setUserName(user).setPassword(password)
        .setAllowAppPassword(true).build();
    return keys.checkPassword(req)
        .thenApply(r -> new Principal(r.getUser().getLogin(), List.copyOf(r.getUser().getRolesList()), "",
            r.getAccessKeyId().isEmpty() ? "basic" : r.getAccessKeyId(), Long.MAX_VALUE, r.getUser().getId(),
            r.getUser().getHome(), now))
        .exceptionallyCompose(e -> {
          Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (!(c instanceof StatusRuntimeException sre)) return CompletableFuture.failedFuture(c);
          return switch (sre.getStatus().getCode()) {
            case UNAUTHENTICATED -> CompletableFuture.failedFuture(unauthorized("wrong user name or password"));
            case RESOURCE_EXHAUSTED -> CompletableFuture.failedFuture(throttled(
                sre.getStatus().getDescription() == null ? "too many sign-ins" : sre.getStatus().getDescription(),
                retryAfter(sre)));
            // a token service of an older build (rolling upgrade): check as it did, without a throttle of its own
            case UNIMPLEMENTED -> legacy(user, password);
            default -> CompletableFuture.failedFuture(c);
          };
        });
  }

  private CompletionStage<Principal> legacy(String user, String password) {
    CompletionStage<Optional<Principal>> found = ACCESS_KEY_ID.matcher(user).matches()
        ? byKey(user, password)
        : byPassword(user, password).thenCompose(p -> p.isPresent() ? CompletableFuture.completedFuture(p) : byAppPassword(user, password));
    return found.thenApply(p -> p.orElseThrow(() -> unauthorized("wrong user name or password")));
  }

  private static long retryAfter(StatusRuntimeException e) {
    String after = e.getTrailers() == null ? null : e.getTrailers().get(RETRY_AFTER);
    return after != null && after.matches("\\d{1,9}") ? Long.parseLong(after) : 1;
  }

  private static DavError throttled(String message, long retryAfterSeconds) {
    return new DavError(StatusCodes.TOO_MANY_REQUESTS, "too_many_requests", message, null,
        List.of(RawHeader.create("Retry-After", Long.toString(retryAfterSeconds))));
  }

  private CompletionStage<Optional<Principal>> byPassword(String login, String password) {
    return users.verifyPassword(VerifyPasswordRequest.newBuilder().setLogin(login).setPassword(password).build())
        .thenApply(r -> r.getValid()
            ? Optional.of(new Principal(r.getUser().getLogin(), List.copyOf(r.getUser().getRolesList()), "", "basic", Long.MAX_VALUE))
            : Optional.empty());
  }

  /** An access key's secret as the password of its owner's login (an app password). */
  private CompletionStage<Optional<Principal>> byAppPassword(String login, String secret) {
    return keys.listAccessKeys(ListAccessKeysRequest.newBuilder().setLogin(login).build())
        .handle((list, e) -> {
          if (e != null) {
            int status = ApiError.of(e).status.intValue();
            if (status == 404 || status == 400) return CompletableFuture.completedFuture(Optional.<Principal>empty());
            return CompletableFuture.<Optional<Principal>>failedFuture(e);
          }
          CompletionStage<Optional<Principal>> chain = CompletableFuture.completedFuture(Optional.empty());
          for (var key : list.getKeysList()) {
            chain = chain.thenCompose(p -> p.isPresent() ? CompletableFuture.completedFuture(p) : byKey(key.getAccessKeyId(), secret)
                .thenApply(k -> k.filter(x -> x.login().equals(login))));
          }
          return chain;
        }).thenCompose(s -> s);
  }

  private CompletionStage<Optional<Principal>> byKey(String keyId, String secret) {
    return keys.resolveAccessKey(ResolveAccessKeyRequest.newBuilder().setAccessKeyId(keyId).build())
        .thenApply(k -> matches(k, secret)
            ? Optional.of(new Principal(k.getLogin(), List.copyOf(k.getRolesList()), "", k.getAccessKeyId(), Long.MAX_VALUE))
            : Optional.<Principal>empty())
        .exceptionally(e -> {
          int status = ApiError.of(e).status.intValue();
          if (status == 404 || status == 400) return Optional.empty();
          throw DavRequests.wrap(e);
        });
  }

  private static boolean matches(ResolvedAccessKey k, String secret) {
    return MessageDigest.isEqual(k.getSecretAccessKey().getBytes(StandardCharsets.UTF_8), secret.getBytes(StandardCharsets.UTF_8));
  }

  static DavError unauthorized(String message) {
    return new DavError(StatusCodes.UNAUTHORIZED, "unauthorized", message, null, List.of(CHALLENGE));
  }

  private static String digest(String s) {
    try {
      return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
