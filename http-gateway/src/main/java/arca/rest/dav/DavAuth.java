package arca.rest.dav;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import arca.proto.token.ListAccessKeysRequest;
import arca.proto.token.ResolveAccessKeyRequest;
import arca.proto.token.ResolvedAccessKey;
import arca.proto.token.TokenService;
import arca.proto.user.VerifyPasswordRequest;
import arca.proto.user.UserService;
import arca.rest.ApiError;
import arca.rest.auth.Authenticator;
import arca.rest.auth.Principal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Who sends a {@code /dav/} request. File clients speak HTTP Basic: the user name is the login (or an access key
 * id) and the password the user's password or an app password (the secret of one of their access keys, created
 * through {@code /a/access-keys}); a Bearer JWT works as on {@code /a/}. A verified Basic credential is kept for
 * {@link #TTL} (a client's burst costs one password check; a changed password or deleted key stops working within
 * it). After {@link #MAX_FAILURES} failed Basic attempts for a login within {@link #FAILURE_WINDOW_MS} this node
 * refuses that login's Basic attempts (429) until the window passes.
 *
 * <p>Then the policies: resource {@code dav:<workspace>/<path>} ({@code dav:} for the top level), action the
 * method (PROPFIND, PUT, MOVE, LOCK ...).
 */
final class DavAuth {
  static final long TTL = 5_000;
  static final int MAX_FAILURES = 10;
  static final long FAILURE_WINDOW_MS = 60_000;
  static final String DAV_RESOURCE = "dav:";
  private static final int MAX_ENTRIES = 10_000;
  private static final Pattern ACCESS_KEY_ID = Pattern.compile("AK[A-Z0-9]{18}");
  private static final HttpHeader CHALLENGE = RawHeader.create("WWW-Authenticate", "Basic realm=\"Arca\", charset=\"UTF-8\"");

  private record Entry(Principal principal, long expiresAt) {}

  private record Failures(int count, long since) {}

  private final Authenticator tokens;
  private final UserService users;
  private final TokenService keys;
  private final Clock clock;
  private final Map<String, Entry> verified = new ConcurrentHashMap<>();
  private final Map<String, Failures> failures = new ConcurrentHashMap<>();
  /** Per login, the Basic check running now: the next one for that login waits for it. */
  private final Map<String, CompletableFuture<Void>> turns = new ConcurrentHashMap<>();

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
    Entry known = verified.get(cacheKey);
    if (known != null && known.expiresAt() > clock.millis()) return CompletableFuture.completedFuture(known.principal());
    // one check at a time per login, so that the failures each one counts are all the earlier ones (parallel guesses
    // would otherwise all pass the limit before the first failure is counted)
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> before = turns.put(user, mine);
    CompletableFuture<Principal> result = new CompletableFuture<>();
    (before == null ? CompletableFuture.<Void>completedFuture(null) : before).whenComplete((x, ignored) -> {
      CompletionStage<Principal> check;
      try {
        check = check(user, password, cacheKey);
      } catch (RuntimeException e) {
        check = CompletableFuture.failedFuture(e);
      }
      check.whenComplete((p, e) -> {
        turns.remove(user, mine);
        mine.complete(null);
        if (e != null) result.completeExceptionally(e);
        else result.complete(p);
      });
    });
    return result;
  }

  private CompletionStage<Principal> check(String user, String password, String cacheKey) {
    long now = clock.millis();
    Entry known = verified.get(cacheKey);
    if (known != null && known.expiresAt() > now) return CompletableFuture.completedFuture(known.principal());
    Failures f = failures.get(user);
    if (f != null && f.count() >= MAX_FAILURES && now - f.since() < FAILURE_WINDOW_MS) {
      return CompletableFuture.failedFuture(throttled("too many failed sign-ins for '" + user + "': wait a minute",
          (FAILURE_WINDOW_MS - (now - f.since())) / 1000 + 1));
    }
    if (f == null && failures.size() >= MAX_ENTRIES) {   // bounded: forget finished windows; if still full, refuse
      failures.values().removeIf(x -> now - x.since() >= FAILURE_WINDOW_MS);
      if (failures.size() >= MAX_ENTRIES) {
        return CompletableFuture.failedFuture(throttled("too many failed sign-ins on this node: wait a minute", 60));
      }
    }
    CompletionStage<Optional<Principal>> found = ACCESS_KEY_ID.matcher(user).matches()
        ? byKey(user, password)
        : byPassword(user, password).thenCompose(p -> p.isPresent() ? CompletableFuture.completedFuture(p) : byAppPassword(user, password));
    return found.thenApply(p -> {
      if (p.isEmpty()) {
        failures.compute(user, (k, old) -> old == null || now - old.since() >= FAILURE_WINDOW_MS
            ? new Failures(1, now) : new Failures(old.count() + 1, old.since()));
        throw unauthorized("wrong user name or password");
      }
      failures.remove(user);
      if (verified.size() >= MAX_ENTRIES) verified.clear();
      verified.put(cacheKey, new Entry(p.get(), now + TTL));
      return p.get();
    });
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
          throw e instanceof java.util.concurrent.CompletionException c ? c : new java.util.concurrent.CompletionException(e);
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
