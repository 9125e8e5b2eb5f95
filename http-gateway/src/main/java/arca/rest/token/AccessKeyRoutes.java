package arca.rest.token;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.Route;
import arca.proto.token.AccessKey;
import arca.proto.token.CreateAccessKeyRequest;
import arca.proto.token.CreatedAccessKey;
import arca.proto.token.DeleteAccessKeyRequest;
import arca.proto.token.ListAccessKeysRequest;
import arca.proto.token.TokenService;
import arca.proto.token.TokenServiceClient;
import arca.rest.RequestIds;
import arca.rest.ApiError;
import arca.rest.Json;
import arca.rest.Page;
import arca.rest.module.Endpoint;
import arca.rest.module.RestContext;
import arca.rest.module.RestModule;
import arca.rest.Times;
import arca.rest.auth.Authenticator;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;

import static akka.http.javadsl.server.Directives.*;

/**
 * arca.rest.token, personal S3 access keys (for SigV4 on the /io gateway) under /a/access-keys: the caller creates,
 * lists and deletes their own keys; an admin those of any user with {@code ?login=}. The secret is in the creation
 * answer only ({@code Cache-Control: no-store}); lists never carry it. Part of the token service's REST face,
 * mounted by {@link OidcRoutes}.
 */
public final class AccessKeyRoutes implements RestModule {

  /** The optional body of a creation; no body at all is the same as {@code {}}. */
  public record CreateBody(String label) {}

  public record CreatedJson(String accessKeyId, String secretAccessKey, String label, String createdAt) {
    static CreatedJson of(CreatedAccessKey k) {
      return new CreatedJson(k.getAccessKeyId(), k.getSecretAccessKey(), k.getLabel(), Times.iso(k.getCreatedAt()));
    }
  }

  public record KeyJson(String accessKeyId, String label, String createdAt) {
    static KeyJson of(AccessKey k) {
      return new KeyJson(k.getAccessKeyId(), k.getLabel(), Times.iso(k.getCreatedAt()));
    }
  }

  @Override public String name() { return "token"; }
  @Override public String prefix() { return "a"; }

  @Override
  public List<Endpoint> endpoints() {
    return Endpoint.all(
        Endpoint.at("/a/access-keys", "GET", "POST"),
        Endpoint.at("/a/access-keys/{id}", "DELETE"));
  }

  @Override
  public Route route(RestContext ctx) {
    return routes(ctx.auth(), ctx.clients().client(TokenService.class, "token", TokenServiceClient::create));
  }

  /** The route tree over the token service interface (the generated client in production, a fake in tests). */
  public static Route routes(Authenticator auth, TokenService tokens) {
    return pathPrefix("access-keys", () -> auth.authenticated(p -> parameterOptional("login", who -> {
      String login = who.filter(l -> !l.isBlank()).map(l -> l.trim().toLowerCase(Locale.ROOT)).orElse(p.login());
      if (!login.equals(p.login()) && !p.isAdmin()) {
        return Json.fail(ApiError.forbidden("only an admin may manage another user's access keys"));
      }
      return concat(
          pathEndOrSingleSlash(() -> concat(
              get(() -> Json.reply(tokens.listAccessKeys(ListAccessKeysRequest.newBuilder().setLogin(login).build()),
                  StatusCodes.OK, r -> new Page<>(r.getKeysList().stream().map(KeyJson::of).toList(), r.getKeysCount()))),
              post(() -> RequestIds.of(p, id -> optionalBody(b -> create(tokens, login, b, id)))))),
          path(id -> delete(() -> RequestIds.of(p, requestId -> Json.reply(tokens.deleteAccessKey(
              DeleteAccessKeyRequest.newBuilder().setLogin(login).setAccessKeyId(id).setRequestId(requestId).build()),
              r -> complete(StatusCodes.NO_CONTENT))))));
    })));
  }

  private static Route optionalBody(Function<CreateBody, Route> inner) {
    return extractRequest(req -> req.entity().isKnownEmpty()
        ? inner.apply(new CreateBody(null))
        : Json.body(CreateBody.class, inner));
  }

  private static Route create(TokenService tokens, String login, CreateBody b, String requestId) {
    CreateAccessKeyRequest.Builder req = CreateAccessKeyRequest.newBuilder().setLogin(login).setRequestId(requestId);
    if (b.label() != null) req.setLabel(b.label());
    return Json.reply(tokens.createAccessKey(req.build()), k -> complete(Json.response(StatusCodes.CREATED, CreatedJson.of(k))
        .addHeader(RawHeader.create("Cache-Control", "no-store")).addHeader(RawHeader.create("Pragma", "no-cache"))));
  }
}
