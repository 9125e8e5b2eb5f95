package arca.rest.testsupport;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import arca.proto.token.AccessKey;
import arca.proto.token.AuthEvent;
import arca.proto.token.CheckPasswordRequest;
import arca.proto.token.CheckPasswordResponse;
import arca.proto.token.EndSessionsRequest;
import arca.proto.token.EndSessionsResponse;
import arca.proto.user.User;
import arca.proto.user.UserService;
import arca.proto.user.VerifyPasswordRequest;
import arca.proto.token.CreateAccessKeyRequest;
import arca.proto.token.CreatedAccessKey;
import arca.proto.token.DeleteAccessKeyRequest;
import arca.proto.token.DeleteAccessKeyResponse;
import arca.proto.token.GetJwksRequest;
import arca.proto.token.Jwks;
import arca.proto.token.ListAccessKeysRequest;
import arca.proto.token.ListAccessKeysResponse;
import arca.proto.token.PasswordGrantRequest;
import arca.proto.token.RefreshGrantRequest;
import arca.proto.token.ResolveAccessKeyRequest;
import arca.proto.token.ResolvedAccessKey;
import arca.proto.token.RevokeRequest;
import arca.proto.token.RevokeResponse;
import arca.proto.token.TokenResponse;
import arca.proto.token.TokenService;
import arca.proto.token.WatchAuthEventsRequest;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.grpc.Metadata;
import io.grpc.Status;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * In-memory token service: password grant against its own login/password table (UNAUTHENTICATED when wrong,
 * RESOURCE_EXHAUSTED with a retry-after trailer for logins marked throttled), rotating refresh tokens, revocation
 * of a session (refresh token) or of an access token (jti), the public JWKS, a replayable auth-event journal, and
 * access keys with the real contract (INVALID_ARGUMENT for a malformed login, label or id; at most 10 per login,
 * FAILED_PRECONDITION beyond; NOT_FOUND for another login's key). Every login counts as an existing user.
 */
public final class FakeTokenService implements TokenService {
  public static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

  private record Session(String login, String sid) {}

  private record StoredKey(String login, String label, String secret, long createdAt) {}

  private static final Pattern ACCESS_KEY_ID = Pattern.compile("AK[A-Z0-9]{18}");

  private final Jwt jwt;
  private final List<RSAKey> keys = new CopyOnWriteArrayList<>();
  private final Map<String, String> passwords = new ConcurrentHashMap<>();
  private final Map<String, Long> throttled = new ConcurrentHashMap<>();
  private final Map<String, Session> refreshTokens = new ConcurrentHashMap<>();
  private final List<AuthEvent> journal = new CopyOnWriteArrayList<>();
  private final Map<String, StoredKey> accessKeys = new LinkedHashMap<>();
  private final AtomicLong nextKey = new AtomicLong();

  public final List<PasswordGrantRequest> passwordGrants = new CopyOnWriteArrayList<>();
  public final List<RefreshGrantRequest> refreshGrants = new CopyOnWriteArrayList<>();
  public final List<RevokeRequest> revokes = new CopyOnWriteArrayList<>();
  public final List<Long> watchedFrom = new CopyOnWriteArrayList<>();
  public final AtomicInteger jwksCalls = new AtomicInteger();
  /** Every access-key request received, in order. */
  public final List<Object> accessKeyRequests = new CopyOnWriteArrayList<>();
  public final List<CheckPasswordRequest> passwordChecks = new CopyOnWriteArrayList<>();
  public final List<EndSessionsRequest> endSessions = new CopyOnWriteArrayList<>();
  /** When set, every call fails with this status (a service that is down). */
  public volatile Status down;
  /** When set, CheckPassword checks passwords with this user service (else the grant's own table). */
  public volatile UserService users;
  /** When true, CheckPassword and EndSessions answer UNIMPLEMENTED (a token service of an older build). */
  public volatile boolean older;

  public FakeTokenService(Jwt jwt) {
    this.jwt = jwt;
    keys.add(jwt.key);
  }

  public void addKey(RSAKey key) { keys.add(key); }
  public void password(String login, String password) { passwords.put(login, password); }
  /** The next password grants for this login fail with RESOURCE_EXHAUSTED (retry-after given or absent when null). */
  public void throttle(String login, Long retryAfterSeconds) { throttled.put(login, retryAfterSeconds == null ? -1L : retryAfterSeconds); }
  public void publish(AuthEvent e) { journal.add(e); }

  private <T> CompletionStage<T> throttledFailure(String login) {
    Long after = throttled.get(login);
    if (after == null) return null;
    Metadata trailers = new Metadata();
    if (after >= 0) trailers.put(RETRY_AFTER, Long.toString(after));
    return Failures.failed(Status.RESOURCE_EXHAUSTED.withDescription("too many failed logins"), trailers);
  }

  @Override
  public CompletionStage<CheckPasswordResponse> checkPassword(CheckPasswordRequest in) {
    passwordChecks.add(in);
    if (down != null) return Failures.failed(down);
    if (older) return Failures.failed(Status.UNIMPLEMENTED);
    StoredKey key;
    String keyId = "";
    String login = in.getUserName();
    synchronized (this) {
      key = ACCESS_KEY_ID.matcher(login).matches() ? accessKeys.get(login) : null;
    }
    if (key != null) login = key.login();
    CompletionStage<CheckPasswordResponse> throttledLogin = throttledFailure(login);
    if (throttledLogin != null) return throttledLogin;
    if (in.getAllowAppPassword()) {
      synchronized (this) {
        for (Map.Entry<String, StoredKey> e : accessKeys.entrySet()) {
          boolean named = key == null || e.getKey().equals(in.getUserName());
          if (named && e.getValue().login().equals(login) && e.getValue().secret().equals(in.getPassword())) keyId = e.getKey();
        }
      }
      if (!keyId.isEmpty()) {
        return Failures.async(CheckPasswordResponse.newBuilder().setAccessKeyId(keyId)
            .setUser(User.newBuilder().setLogin(login).addRoles("user")).build());
      }
      if (key != null) return Failures.failed(Status.UNAUTHENTICATED.withDescription("invalid username or password"));
    }
    String name = login;
    if (users == null) {
      return in.getPassword().equals(passwords.get(name))
          ? Failures.async(CheckPasswordResponse.newBuilder().setUser(User.newBuilder().setLogin(name)).build())
          : Failures.failed(Status.UNAUTHENTICATED.withDescription("invalid username or password"));
    }
    return users.verifyPassword(VerifyPasswordRequest.newBuilder().setLogin(name).setPassword(in.getPassword()).build())
        .thenApply(v -> {
          if (!v.getValid()) throw Status.UNAUTHENTICATED.withDescription("invalid username or password").asRuntimeException();
          return CheckPasswordResponse.newBuilder().setUser(v.getUser()).build();
        });
  }

  @Override
  public CompletionStage<EndSessionsResponse> endSessions(EndSessionsRequest in) {
    endSessions.add(in);
    if (down != null) return Failures.failed(down);
    if (older) return Failures.failed(Status.UNIMPLEMENTED);
    if (in.getDeleteAccessKeys()) {
      synchronized (this) {
        accessKeys.values().removeIf(k -> k.login().equals(in.getLogin()));
      }
    }
    return Failures.async(EndSessionsResponse.newBuilder().setNotBefore(System.currentTimeMillis()).build());
  }

  @Override
  public CompletionStage<TokenResponse> passwordGrant(PasswordGrantRequest in) {
    passwordGrants.add(in);
    if (down != null) return Failures.failed(down);
    CompletionStage<TokenResponse> throttledLogin = throttledFailure(in.getLogin());
    if (throttledLogin != null) return throttledLogin;
    if (!in.getPassword().equals(passwords.get(in.getLogin()))) {
      return Failures.failed(Status.UNAUTHENTICATED.withDescription("wrong login or password"));
    }
    return Failures.async(issue(in.getLogin(), "sid-" + UUID.randomUUID()));
  }

  @Override
  public CompletionStage<TokenResponse> refreshGrant(RefreshGrantRequest in) {
    refreshGrants.add(in);
    if (down != null) return Failures.failed(down);
    Session s = refreshTokens.remove(in.getRefreshToken());
    if (s == null) return Failures.failed(Status.UNAUTHENTICATED.withDescription("unknown or reused refresh token"));
    return Failures.async(issue(s.login(), s.sid()));
  }

  private TokenResponse issue(String login, String sid) {
    String refresh = "rt-" + UUID.randomUUID();
    refreshTokens.put(refresh, new Session(login, sid));
    String access = jwt.sign(jwt.claims(login).claim("sid", sid));
    return TokenResponse.newBuilder().setAccessToken(access).setTokenType("Bearer").setExpiresIn(600)
        .setRefreshToken(refresh).setSubject(login).build();
  }

  @Override
  public CompletionStage<RevokeResponse> revoke(RevokeRequest in) {
    revokes.add(in);
    if (down != null) return Failures.failed(down);
    long expiresAt = System.currentTimeMillis() + 600_000;
    Session s = refreshTokens.remove(in.getToken());
    if (s != null) return Failures.async(RevokeResponse.newBuilder().addRevokedIds(s.sid()).setExpiresAt(expiresAt).build());
    try {
      JWTClaimsSet c = Jwt.parse(in.getToken());
      return Failures.async(RevokeResponse.newBuilder().addRevokedIds(c.getJWTID())
          .setExpiresAt(c.getExpirationTime().getTime()).build());
    } catch (IllegalArgumentException notAJwt) {
      return Failures.async(RevokeResponse.getDefaultInstance()); // RFC 7009: unknown tokens are "revoked" too
    }
  }

  @Override
  public CompletionStage<Jwks> getJwks(GetJwksRequest in) {
    jwksCalls.incrementAndGet();
    if (down != null) return Failures.failed(down);
    List<JWK> published = keys.stream().map(k -> (JWK) k.toPublicJWK()).toList();
    return Failures.async(Jwks.newBuilder().setJson(new JWKSet(published).toString()).build());
  }

  @Override
  public Source<AuthEvent, NotUsed> watchAuthEvents(WatchAuthEventsRequest in) {
    watchedFrom.add(in.getFromOffset());
    if (down != null) return Source.failed(down.asRuntimeException());
    return Source.from(journal.stream().filter(e -> e.getOffset() > in.getFromOffset()).toList());
  }

  private Status checkAccessKeyCall(Object request, String login) {
    accessKeyRequests.add(request);
    if (down != null) return down;
    if (!FakeUserService.LOGIN.matcher(login).matches()) return Status.INVALID_ARGUMENT.withDescription("invalid login '" + login + "'");
    return null;
  }

  @Override
  public synchronized CompletionStage<CreatedAccessKey> createAccessKey(CreateAccessKeyRequest in) {
    Status bad = checkAccessKeyCall(in, in.getLogin());
    if (bad != null) return Failures.failed(bad);
    if (in.getLabel().length() > 64 || in.getLabel().chars().anyMatch(Character::isISOControl)) {
      return Failures.failed(Status.INVALID_ARGUMENT.withDescription("label: at most 64 characters, no control characters"));
    }
    if (accessKeys.values().stream().filter(k -> k.login().equals(in.getLogin())).count() >= 10) {
      return Failures.failed(Status.FAILED_PRECONDITION.withDescription("a user holds at most 10 access keys"));
    }
    String id = String.format("AK%018d", nextKey.incrementAndGet());
    String secret = "s".repeat(30) + String.format("%010d", nextKey.get());
    long now = System.currentTimeMillis();
    accessKeys.put(id, new StoredKey(in.getLogin(), in.getLabel(), secret, now));
    return Failures.async(CreatedAccessKey.newBuilder().setAccessKeyId(id).setSecretAccessKey(secret)
        .setLabel(in.getLabel()).setCreatedAt(now).build());
  }

  @Override
  public synchronized CompletionStage<ListAccessKeysResponse> listAccessKeys(ListAccessKeysRequest in) {
    Status bad = checkAccessKeyCall(in, in.getLogin());
    if (bad != null) return Failures.failed(bad);
    ListAccessKeysResponse.Builder r = ListAccessKeysResponse.newBuilder();
    accessKeys.forEach((id, k) -> {
      if (k.login().equals(in.getLogin())) {
        r.addKeys(AccessKey.newBuilder().setAccessKeyId(id).setLabel(k.label()).setCreatedAt(k.createdAt()));
      }
    });
    return Failures.async(r.build());
  }

  @Override
  public synchronized CompletionStage<DeleteAccessKeyResponse> deleteAccessKey(DeleteAccessKeyRequest in) {
    Status bad = checkAccessKeyCall(in, in.getLogin());
    if (bad != null) return Failures.failed(bad);
    if (!ACCESS_KEY_ID.matcher(in.getAccessKeyId()).matches()) {
      return Failures.failed(Status.INVALID_ARGUMENT.withDescription("malformed access key id"));
    }
    StoredKey k = accessKeys.get(in.getAccessKeyId());
    if (k == null || !k.login().equals(in.getLogin())) {
      return Failures.failed(Status.NOT_FOUND.withDescription("no access key " + in.getAccessKeyId()));
    }
    accessKeys.remove(in.getAccessKeyId());
    return Failures.async(DeleteAccessKeyResponse.getDefaultInstance());
  }

  @Override
  public synchronized CompletionStage<ResolvedAccessKey> resolveAccessKey(ResolveAccessKeyRequest in) {
    accessKeyRequests.add(in);
    if (down != null) return Failures.failed(down);
    StoredKey k = accessKeys.get(in.getAccessKeyId());
    if (k == null) return Failures.failed(Status.NOT_FOUND.withDescription("no access key " + in.getAccessKeyId()));
    return Failures.async(ResolvedAccessKey.newBuilder().setAccessKeyId(in.getAccessKeyId()).setLogin(k.login())
        .setSecretAccessKey(k.secret()).build());
  }
}
