package arca.token;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import akka.grpc.GrpcServiceException;
import akka.persistence.jdbc.query.javadsl.JdbcReadJournal;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.query.Sequence;
import akka.stream.javadsl.Source;
import arca.persistence.ServiceStorage;
import arca.proto.token.AccessTokenRevoked;
import arca.proto.token.AuthEvent;
import arca.proto.token.CheckPasswordRequest;
import arca.proto.token.CheckPasswordResponse;
import arca.proto.token.EndSessionsRequest;
import arca.proto.token.EndSessionsResponse;
import arca.proto.token.LoginCutoff;
import arca.proto.token.SessionsEnded;
import arca.proto.token.CreateAccessKeyRequest;
import arca.proto.token.CreatedAccessKey;
import arca.proto.token.DeleteAccessKeyRequest;
import arca.proto.token.DeleteAccessKeyResponse;
import arca.proto.token.GetJwksRequest;
import arca.proto.token.Jwks;
import arca.proto.token.ListAccessKeysRequest;
import arca.proto.token.ListAccessKeysResponse;
import arca.proto.token.LoginFailed;
import arca.proto.token.LoginSucceeded;
import arca.proto.token.LoginThrottle;
import arca.proto.token.PasswordGrantRequest;
import arca.proto.token.RefreshGrantRequest;
import arca.proto.token.ResolveAccessKeyRequest;
import arca.proto.token.ResolvedAccessKey;
import arca.proto.token.RevokeRequest;
import arca.proto.token.RevokeResponse;
import arca.proto.token.Revoked;
import arca.proto.token.SessionRevoked;
import arca.proto.token.TokenResponse;
import arca.proto.token.TokenService;
import arca.proto.token.WatchAuthEventsRequest;
import arca.proto.user.GetUserRequest;
import arca.proto.user.User;
import arca.proto.user.UserService;
import arca.service.Requests;
import arca.service.GrpcErrors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * arca.grpc.token. A password grant: a password check under the account's throttle ({@link PasswordChecks}), session
 * start, JWT; a refresh honours the account's cut-offs ({@link LoginGuardEntity}).
 * Refresh tokens are {@code <session id>.<secret>}; only the secret's hash is stored. Access-key calls are
 * {@link AccessKeyService}'s.
 */
final class TokenGrpcService implements TokenService {
  private static final Pattern REFRESH = Pattern.compile("([A-Za-z0-9_-]{22})\\.([A-Za-z0-9_-]{43})");

  private final ActorSystem<?> system;
  private final ServiceStorage storage;
  private final ClusterSharding sharding;
  private final UserService users;
  private final JwtIssuer jwt;
  private final Duration timeout;
  private final Duration refreshTtl;
  private final AccessKeyService accessKeys;
  private final PasswordChecks checks;

  TokenGrpcService(ActorSystem<?> system, ServiceStorage storage, UserService users, JwtIssuer jwt,
                   AccessKeyService accessKeys) {
    this.system = system;
    this.storage = storage;
    this.sharding = ClusterSharding.get(system);
    this.users = users;
    this.jwt = jwt;
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
    this.refreshTtl = system.settings().config().getDuration("arca.token.refresh-token-ttl");
    this.accessKeys = accessKeys;
    this.checks = new PasswordChecks(system, users, accessKeys);
  }

  private EntityRef<SessionEntity.Command> session(String sid) {
    return sharding.entityRefFor(SessionEntity.KEY, sid);
  }

  @Override
  public CompletionStage<TokenResponse> passwordGrant(PasswordGrantRequest in) {
    return GrpcErrors.call(() -> {
      // the request id only lets the gateway resend a login lost in a shard hand-off: a resent login that had
      // applied leaves one more session, unused, which expires like any other
      Requests.id(in.getRequestId());
      return checks.check(in.getLogin(), in.getPassword(), false)
          .thenCompose(ok -> startSession(ok.user(), in.getClientId(), ok.guard().tokensNotBefore()));
    });
  }

  @Override
  public CompletionStage<CheckPasswordResponse> checkPassword(CheckPasswordRequest in) {
    return GrpcErrors.call(() -> checks.check(in.getUserName(), in.getPassword(), in.getAllowAppPassword())
        .thenApply(ok -> CheckPasswordResponse.newBuilder().setUser(ok.user()).setAccessKeyId(ok.accessKeyId()).build()));
  }

  @Override
  public CompletionStage<EndSessionsResponse> endSessions(EndSessionsRequest in) {
    return GrpcErrors.call(() -> {
      String login = in.getLogin().trim().toLowerCase(Locale.ROOT);
      if (login.isEmpty() || login.length() > 64) throw GrpcErrors.invalid("invalid login");
      if (in.getKeepSession().length() > 64) throw GrpcErrors.invalid("invalid session id");
      if (checks.olderTokenNodes()) {
        // a guard on a node of an older build would not understand the command: sessions end once the upgrade is done
        system.log().warn("sessions of '{}' not ended ({}): token-service nodes of an older build are members",
            login, in.getReason());
        return CompletableFuture.completedFuture(EndSessionsResponse.getDefaultInstance());
      }
      CompletionStage<LoginGuardEntity.State> ended = checks.guard(login).ask(r -> new LoginGuardEntity.EndSessions(
          in.getEndSessions(), in.getKeepSession(), in.getReason(), r), timeout);
      return ended.thenCompose(state -> (in.getDeleteAccessKeys() ? accessKeys.deleteAll(login)
              : CompletableFuture.<Void>completedFuture(null))
          .thenApply(x -> EndSessionsResponse.newBuilder().setNotBefore(state.tokensNotBefore()).build()));
    });
  }

  private CompletionStage<TokenResponse> startSession(User user, String clientId, long notBefore) {
    String sid = Secrets.random(16);
    String secret = Secrets.random(32);
    long expiresAt = System.currentTimeMillis() + refreshTtl.toMillis();
    return session(sid).<SessionEntity.Reply>ask(
            r -> new SessionEntity.Start(user.getLogin(), Secrets.sha256(secret), expiresAt, clientId, r), timeout)
        .thenCompose(reply -> {
          if (reply.failure() != null) throw GrpcErrors.status(reply.failure());
          return tokens(user, sid, secret, notBefore);
        });
  }

  private CompletionStage<TokenResponse> tokens(User user, String sid, String secret, long notBefore) {
    return jwt.issue(user, sid, notBefore).thenApply(access ->
        TokenResponse.newBuilder().setAccessToken(access).setTokenType("Bearer")
            .setExpiresIn(jwt.accessTtl().toSeconds()).setRefreshToken(sid + "." + secret)
            .setSubject(user.getLogin()).build());
  }

  @Override
  public CompletionStage<TokenResponse> refreshGrant(RefreshGrantRequest in) {
    return GrpcErrors.call(() -> {
      var m = REFRESH.matcher(in.getRefreshToken());
      if (!m.matches()) {
        throw new GrpcServiceException(Status.UNAUTHENTICATED.withDescription("refresh token is malformed"));
      }
      String sid = m.group(1);
      String newSecret = Secrets.random(32);
      long expiresAt = System.currentTimeMillis() + refreshTtl.toMillis();
      return session(sid).<SessionEntity.Reply>ask(r -> new SessionEntity.Rotate(Secrets.sha256(m.group(2)),
              Secrets.sha256(newSecret), expiresAt, r), timeout)
          .thenCompose(reply -> {
            if (reply.failure() != null) throw GrpcErrors.status(reply.failure());
            return checks.guard(reply.subject()).ask(LoginGuardEntity.Check::new, timeout).thenCompose(guard -> {
              // a password change or a deletion ended the sessions started before it
              if (reply.startedAt() > 0 && guard.sessionEnded(sid, reply.startedAt())) {
                return revokeEnded(sid, "ended by a credential change");
              }
              return users.getUser(GetUserRequest.newBuilder().setLogin(reply.subject()).build())
                  .exceptionallyCompose(e -> revokeGone(sid, e))
                  .thenCompose(user -> tokens(user, sid, newSecret, guard.tokensNotBefore()));
            });
          });
    });
  }

  /** The session's user is gone: end the session, refuse the refresh. */
  private CompletionStage<User> revokeGone(String sid, Throwable error) {
    Throwable cause = error.getCause() != null ? error.getCause() : error;
    if (cause instanceof StatusRuntimeException sre && sre.getStatus().getCode() == Status.Code.NOT_FOUND) {
      return revokeEnded(sid, "user deleted");
    }
    return CompletableFuture.failedFuture(cause);
  }

  private <T> CompletionStage<T> revokeEnded(String sid, String reason) {
    return session(sid).<SessionEntity.Reply>ask(r -> new SessionEntity.Revoke(null, reason, r), timeout)
        .thenApply(r -> {
          throw new GrpcServiceException(Status.UNAUTHENTICATED.withDescription("the session has ended: " + reason));
        });
  }

  @Override
  public CompletionStage<RevokeResponse> revoke(RevokeRequest in) {
    return GrpcErrors.call(() -> {
      String token = in.getToken();
      var m = REFRESH.matcher(token);
      if (m.matches()) {
        return session(m.group(1)).<SessionEntity.Reply>ask(
                r -> new SessionEntity.Revoke(Secrets.sha256(m.group(2)), "revoked by client", r), timeout)
            .thenApply(reply -> reply.failure() != null ? RevokeResponse.getDefaultInstance()
                : RevokeResponse.newBuilder().addRevokedIds(m.group(1)).setExpiresAt(reply.expiresAt()).build());
      }
      if (token.length() > 8192) return CompletableFuture.completedFuture(RevokeResponse.getDefaultInstance());
      return jwt.parseOwn(token).thenCompose(claims -> claims.isEmpty() || claims.get().sid() == null
          ? CompletableFuture.completedFuture(RevokeResponse.getDefaultInstance())
          : revokeAccess(claims.get()));
    });
  }

  private CompletionStage<RevokeResponse> revokeAccess(JwtIssuer.AccessClaims c) {
    return session(c.sid()).<SessionEntity.Reply>ask(r -> new SessionEntity.RevokeAccessToken(c.jti(), c.expiresAt(), r), timeout)
        .thenApply(r -> RevokeResponse.newBuilder().addRevokedIds(c.jti()).setExpiresAt(c.expiresAt()).build());
  }

  @Override
  public CompletionStage<Jwks> getJwks(GetJwksRequest in) {
    return GrpcErrors.call(() -> jwt.keys().thenApply(k -> Jwks.newBuilder().setJson(k.publicSet().toString()).build()));
  }

  @Override
  public Source<AuthEvent, NotUsed> watchAuthEvents(WatchAuthEventsRequest in) {
    JdbcReadJournal journal = PersistenceQuery.get(system).getReadJournalFor(JdbcReadJournal.class, storage.queryPluginId());
    Offset from = in.getFromOffset() <= 0 ? Offset.noOffset() : Offset.sequence(in.getFromOffset());
    return journal.eventsByTag(SessionEntity.AUTH_TAG, from)
        .map(TokenGrpcService::toAuthEvent)
        .filter(Optional::isPresent)
        .map(Optional::get);
  }

  @Override
  public CompletionStage<CreatedAccessKey> createAccessKey(CreateAccessKeyRequest in) {
    return accessKeys.create(in);
  }

  @Override
  public CompletionStage<ListAccessKeysResponse> listAccessKeys(ListAccessKeysRequest in) {
    return accessKeys.list(in);
  }

  @Override
  public CompletionStage<DeleteAccessKeyResponse> deleteAccessKey(DeleteAccessKeyRequest in) {
    return accessKeys.delete(in);
  }

  @Override
  public CompletionStage<ResolvedAccessKey> resolveAccessKey(ResolveAccessKeyRequest in) {
    return accessKeys.resolve(in);
  }

  static Optional<AuthEvent> toAuthEvent(EventEnvelope env) {
    String pid = env.persistenceId();
    String id = pid.substring(pid.indexOf('|') + 1);
    AuthEvent.Builder b = AuthEvent.newBuilder().setOffset(((Sequence) env.offset()).value());
    Object e = env.event();
    if (e instanceof SessionRevoked r) {
      b.setRevoked(Revoked.newBuilder().setId(id).setExpiresAt(r.getExpiresAt()));
    } else if (e instanceof AccessTokenRevoked r) {
      b.setRevoked(Revoked.newBuilder().setId(r.getJti()).setExpiresAt(r.getExpiresAt()));
    } else if (e instanceof LoginFailed f) {
      b.setThrottle(LoginThrottle.newBuilder().setLogin(id).setFailures(f.getFailures()).setLockedUntil(f.getLockedUntil()));
    } else if (e instanceof LoginSucceeded) {
      b.setThrottle(LoginThrottle.newBuilder().setLogin(id));
    } else if (e instanceof SessionsEnded c) {
      b.setCutoff(LoginCutoff.newBuilder().setLogin(id).setNotBefore(c.getTokensNotBefore()).setKeepSession(c.getKeepSession()));
    } else {
      return Optional.empty();
    }
    return Optional.of(b.build());
  }
}
