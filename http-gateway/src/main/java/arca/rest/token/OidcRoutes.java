package arca.rest.token;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import arca.proto.token.GetJwksRequest;
import arca.proto.token.PasswordGrantRequest;
import arca.proto.token.RefreshGrantRequest;
import arca.proto.token.RevokeRequest;
import arca.proto.token.TokenResponse;
import arca.proto.token.TokenService;
import arca.proto.token.TokenServiceClient;
import arca.rest.RequestIds;
import arca.rest.ApiError;
import arca.rest.Json;
import arca.rest.module.Endpoint;
import arca.rest.module.RestContext;
import arca.rest.module.RestModule;
import arca.rest.auth.AuthCache;
import arca.rest.module.WithParts;
import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

import static akka.http.javadsl.server.Directives.*;

/**
 * arca.rest.token: OAuth2 token endpoint (password and refresh_token grants, RFC 6749), revocation (RFC 7009),
 * OpenID discovery and JWKS, under /oidc/. Errors use RFC 6749's JSON form. The service's other REST part,
 * {@link AccessKeyRoutes} under /a/, comes with it.
 */
public final class OidcRoutes implements RestModule, WithParts {
  private static final Metadata.Key<String> RETRY_AFTER = Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

  @Override public String name() { return "token"; }
  @Override public String prefix() { return "oidc"; }

  @Override
  public List<Endpoint> endpoints() {
    return Endpoint.all(
        Endpoint.at("/oidc/oauth2/token", "POST"),
        Endpoint.at("/oidc/oauth2/revoke", "POST"),
        Endpoint.at("/oidc/.well-known/openid-configuration", "GET"),
        Endpoint.at("/oidc/jwks", "GET"));
  }
  @Override public List<RestModule> parts() { return List.of(new AccessKeyRoutes()); }

  @Override
  public Route route(RestContext ctx) {
    TokenService tokens = ctx.clients().client(TokenService.class, "token", TokenServiceClient::create);
    return routes(tokens, ctx.auth().cache(), ctx.auth().issuer());
  }

  public static Route routes(TokenService tokens, AuthCache cache, String issuer) {
    return concat(
        path(PathMatchers.segment(".well-known").slash("openid-configuration"), () -> get(() -> complete(Json.response(StatusCodes.OK, discovery(issuer))))),
        path("jwks", () -> get(() -> Json.reply(tokens.getJwks(GetJwksRequest.getDefaultInstance()), jwks -> {
          try {
            JsonNode doc = Json.MAPPER.readTree(jwks.getJson());
            return complete(Json.response(StatusCodes.OK, doc));
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        }))),
        pathPrefix("oauth2", () -> concat(
            path("token", () -> post(() -> form(fields -> token(tokens, cache, fields)))),
            path("revoke", () -> post(() -> form(fields -> revoke(tokens, cache, fields)))))));
  }

  private static Map<String, Object> discovery(String issuer) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("issuer", issuer);
    d.put("token_endpoint", issuer + "/oauth2/token");
    d.put("revocation_endpoint", issuer + "/oauth2/revoke");
    d.put("jwks_uri", issuer + "/jwks");
    d.put("grant_types_supported", List.of("password", "refresh_token"));
    d.put("response_types_supported", List.of("token"));
    d.put("subject_types_supported", List.of("public"));
    d.put("id_token_signing_alg_values_supported", List.of("RS256"));
    d.put("token_endpoint_auth_methods_supported", List.of("none"));
    d.put("revocation_endpoint_auth_methods_supported", List.of("none"));
    d.put("claims_supported", List.of("sub", "name", "roles", "sid", "iss", "aud", "exp", "iat", "jti"));
    return d;
  }

  private static Route form(Function<Map<String, String>, Route> inner) {
    return extractRequest(req -> req.entity().getContentType().mediaType().equals(MediaTypes.APPLICATION_X_WWW_FORM_URLENCODED)
        ? formFieldMap(inner)
        : oauthError(StatusCodes.BAD_REQUEST, "invalid_request", "the body must be application/x-www-form-urlencoded"));
  }

  private static Route token(TokenService tokens, AuthCache cache, Map<String, String> f) {
    String grant = f.getOrDefault("grant_type", "");
    String client = f.getOrDefault("client_id", "");
    if (client.length() > 128) return oauthError(StatusCodes.BAD_REQUEST, "invalid_request", "client_id is too long");
    switch (grant) {
      case "password" -> {
        String login = f.getOrDefault("username", "").trim().toLowerCase(Locale.ROOT);
        String password = f.getOrDefault("password", "");
        if (login.isEmpty() || password.isEmpty()) {
          return oauthError(StatusCodes.BAD_REQUEST, "invalid_request", "username and password are required");
        }
        long locked = cache.lockedUntil(login) - System.currentTimeMillis();
        if (locked > 0) {
          long seconds = (locked + 999) / 1000;
          return throttled(seconds, "too many failed logins for this account; retry in " + seconds + " s");
        }
        // a fresh request id: the gateway may resend a login lost in a shard hand-off (see TokenService)
        return tokenReply(tokens.passwordGrant(PasswordGrantRequest.newBuilder().setLogin(login).setPassword(password)
            .setClientId(client).setRequestId(RequestIds.fresh()).build()));
      }
      case "refresh_token" -> {
        String refresh = f.getOrDefault("refresh_token", "");
        if (refresh.isEmpty()) return oauthError(StatusCodes.BAD_REQUEST, "invalid_request", "refresh_token is required");
        return tokenReply(tokens.refreshGrant(RefreshGrantRequest.newBuilder().setRefreshToken(refresh).setClientId(client).build()));
      }
      case "" -> {
        return oauthError(StatusCodes.BAD_REQUEST, "invalid_request", "grant_type is required");
      }
      default -> {
        return oauthError(StatusCodes.BAD_REQUEST, "unsupported_grant_type", "supported: password, refresh_token");
      }
    }
  }

  private static Route tokenReply(CompletionStage<TokenResponse> stage) {
    return onComplete(stage, t -> {
      if (t.isFailure()) return grantFailure(t.failed().get());
      TokenResponse r = t.get();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("access_token", r.getAccessToken());
      body.put("token_type", r.getTokenType());
      body.put("expires_in", r.getExpiresIn());
      body.put("refresh_token", r.getRefreshToken());
      return complete(noStore(Json.response(StatusCodes.OK, body)));
    });
  }

  private static Route grantFailure(Throwable failure) {
    Throwable t = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (t instanceof StatusRuntimeException sre) {
      Status s = sre.getStatus();
      String description = s.getDescription() == null ? "" : s.getDescription();
      switch (s.getCode()) {
        case UNAUTHENTICATED -> { return oauthError(StatusCodes.BAD_REQUEST, "invalid_grant", description); }
        case INVALID_ARGUMENT -> { return oauthError(StatusCodes.BAD_REQUEST, "invalid_request", description); }
        case RESOURCE_EXHAUSTED -> {
          String after = sre.getTrailers() == null ? null : sre.getTrailers().get(RETRY_AFTER);
          long seconds = after != null && after.matches("\\d{1,9}") ? Long.parseLong(after) : 60;
          return throttled(seconds, description.isEmpty() ? "too many sign-ins for this account; retry in " + seconds + " s" : description);
        }
        default -> { }
      }
    }
    ApiError e = ApiError.of(t);
    return oauthError(e.status, e.status.intValue() == 503 ? "temporarily_unavailable" : "server_error", e.getMessage());
  }

  private static Route throttled(long seconds, String description) {
    return complete(noStore(oauthBody(StatusCodes.TOO_MANY_REQUESTS, "invalid_grant", description))
        .addHeader(RawHeader.create("Retry-After", Long.toString(seconds))));
  }

  private static Route revoke(TokenService tokens, AuthCache cache, Map<String, String> f) {
    String token = f.getOrDefault("token", "");
    if (token.isEmpty()) return oauthError(StatusCodes.BAD_REQUEST, "invalid_request", "token is required");
    RevokeRequest req = RevokeRequest.newBuilder().setToken(token).setTokenTypeHint(f.getOrDefault("token_type_hint", "")).build();
    return onComplete(tokens.revoke(req), t -> {
      if (t.isFailure()) return grantFailure(t.failed().get());
      // this node stops accepting the token at once; the others learn it from the token service's events
      t.get().getRevokedIdsList().forEach(id -> cache.revoke(id, t.get().getExpiresAt()));
      return complete(noStore(HttpResponse.create().withStatus(StatusCodes.OK)));
    });
  }

  private static Route oauthError(StatusCode status, String error, String description) {
    return complete(noStore(oauthBody(status, error, description)));
  }

  private static HttpResponse oauthBody(StatusCode status, String error, String description) {
    Map<String, String> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("error_description", description);
    return Json.response(status, body);
  }

  private static HttpResponse noStore(HttpResponse r) {
    return r.addHeader(RawHeader.create("Cache-Control", "no-store")).addHeader(RawHeader.create("Pragma", "no-cache"));
  }
}
