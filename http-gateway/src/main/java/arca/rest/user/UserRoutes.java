package arca.rest.user;

import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.model.headers.RawHeader;
import arca.proto.acl.AclService;
import arca.proto.acl.AclServiceClient;
import arca.proto.policy.PolicyService;
import arca.proto.policy.PolicyServiceClient;
import arca.proto.role.GetRoleRequest;
import arca.proto.role.RoleService;
import arca.proto.role.RoleServiceClient;
import arca.proto.token.TokenService;
import arca.proto.token.TokenServiceClient;
import arca.proto.user.CreateUserRequest;
import arca.proto.user.DeleteUserRequest;
import arca.proto.user.GetUserRequest;
import arca.proto.user.ListUsersRequest;
import arca.proto.user.UpdateUserRequest;
import arca.proto.user.User;
import arca.proto.user.UserService;
import arca.proto.user.UserServiceClient;
import arca.rest.PercentEncoding;
import arca.rest.RequestIds;
import arca.rest.ApiError;
import arca.rest.Json;
import arca.rest.Page;
import arca.rest.module.Endpoint;
import arca.rest.module.RestContext;
import arca.rest.module.RestModule;
import arca.rest.Times;
import arca.rest.auth.Authenticator;
import arca.rest.access.Principal;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

import static akka.http.javadsl.server.Directives.*;

/**
 * arca.rest.user: /a/users (admin: create, list, read, update, delete) and /a/users/{login} for the user themself
 * (read; update display name, email, and password given the current one). Credential changes end sessions and a
 * deletion removes what names the login ({@link AccountChanges}).
 */
public final class UserRoutes implements RestModule {

  public record CreateBody(String login, String password, String displayName, String email, List<String> roles,
                           String groupPath) {}

  public record UpdateBody(String displayName, String email, String password, String currentPassword,
                           List<String> roles, String groupPath) {}

  /** id: the account's immutable id ("" only from a user service of an older build). */
  public record UserJson(String login, String id, String displayName, String email, List<String> roles,
                         String groupPath, String createdAt, String updatedAt, long version) {
    static UserJson of(User u) {
      return new UserJson(u.getLogin(), u.getId(), u.getDisplayName(), u.getEmail(), u.getRolesList(), u.getGroupPath(),
          Times.iso(u.getCreatedAt()), Times.iso(u.getUpdatedAt()), u.getVersion());
    }
  }

  @Override public String name() { return "user"; }
  @Override public String prefix() { return "a"; }

  @Override
  public List<Endpoint> endpoints() {
    return Endpoint.all(
        Endpoint.at("/a/users", "GET", "POST"),
        Endpoint.at("/a/users/{login}", "GET", "PATCH", "DELETE"));
  }

  @Override
  public Route route(RestContext ctx) {
    UserService users = ctx.clients().client(UserService.class, "user", UserServiceClient::create);
    RoleService roles = ctx.clients().client(RoleService.class, "role", RoleServiceClient::create);
    TokenService tokens = ctx.clients().client(TokenService.class, "token", TokenServiceClient::create);
    AclService acls = ctx.clients().client(AclService.class, "acl", AclServiceClient::create);
    PolicyService policies = ctx.clients().client(PolicyService.class, "policy", PolicyServiceClient::create);
    return routes(ctx.auth(), users, roles, tokens, acls, policies);
  }

  /** The route tree over service interfaces (generated clients in production, fakes in tests). */
  public static Route routes(Authenticator auth, UserService users, RoleService roles, TokenService tokens,
                             AclService acls, PolicyService policies) {
    AccountChanges changes = new AccountChanges(users, tokens, acls, policies, auth.cache());
    return pathPrefix("users", () -> auth.authenticated(p -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> auth.admin(p, () -> parameterOptional("offset", o -> parameterOptional("limit", l ->
                parameterOptional("filter", f -> {
                  ListUsersRequest req = ListUsersRequest.newBuilder()
                      .setOffset(Json.intParam(o, "offset", 0, 0, Integer.MAX_VALUE))
                      .setLimit(Json.intParam(l, "limit", 100, 1, 1000))
                      .setFilter(f.orElse("")).build();
                  return Json.reply(users.listUsers(req), StatusCodes.OK,
                      r -> new Page<>(r.getUsersList().stream().map(UserJson::of).toList(), r.getTotal()));
                }))))),
            post(() -> auth.admin(p, () -> RequestIds.of(p, id ->
                Json.body(CreateBody.class, b -> create(users, roles, b, id))))))),
        path(segment -> {
          String login = segment.toLowerCase(Locale.ROOT);
          boolean self = login.equals(p.login());
          if (!self && !p.isAdmin()) {
            return Json.fail(ApiError.forbidden("you may only read and change your own account"));
          }
          return concat(
              get(() -> Json.reply(users.getUser(GetUserRequest.newBuilder().setLogin(login).build()),
                  StatusCodes.OK, UserJson::of)),
              patch(() -> RequestIds.of(p, id -> Json.body(UpdateBody.class, b -> update(users, roles, changes, p, login, b, id)))),
              delete(() -> auth.admin(p, () -> self
                  ? Json.fail(ApiError.conflict("you cannot delete your own account"))
                  : RequestIds.of(p, id -> Json.reply(deleteUser(users, changes, login, id), r -> complete(StatusCodes.NO_CONTENT))))));
        }))));
  }

  /**
   * The request id travels with the create so that a retry of it (by the service clients, after an unanswered
   * attempt, or by the client with the same Idempotency-Key) returns the user it created instead of a conflict.
   */
  private static Route create(UserService users, RoleService roles, CreateBody b, String requestId) {
    if (b.login() == null) return Json.fail(ApiError.badRequest("missing field 'login'"));
    if (b.password() == null) return Json.fail(ApiError.badRequest("missing field 'password'"));
    List<String> roleIds = b.roles() == null ? List.of() : b.roles();
    if (roleIds.stream().anyMatch(Objects::isNull)) return Json.fail(ApiError.badRequest("roles must be strings"));
    CreateUserRequest.Builder req = CreateUserRequest.newBuilder().setLogin(b.login()).setPassword(b.password())
        .addAllRoles(roleIds).setRequestId(requestId);
    if (b.displayName() != null) req.setDisplayName(b.displayName());
    if (b.email() != null) req.setEmail(b.email());
    if (b.groupPath() != null) req.setGroupPath(b.groupPath());
    CompletionStage<User> created = rolesExist(roles, roleIds).thenCompose(ok -> users.createUser(req.build()));
    return Json.reply(created, u -> respondWithHeader(PercentEncoding.location("/a/users/", u.getLogin()),
        () -> complete(Json.response(StatusCodes.CREATED, UserJson.of(u)))));
  }

  /**
   * Deletes the user, then ends their sessions, deletes their access keys and removes the grants naming their
   * login ({@link AccountChanges#deleted}). A deletion repeated for a login already gone does that part again (and
   * answers 404), so one that failed half-way can be finished.
   */
  private static CompletionStage<Void> deleteUser(UserService users, AccountChanges changes, String login, String requestId) {
    return users.deleteUser(DeleteUserRequest.newBuilder().setLogin(login).setRequestId(requestId).build())
        .handle((r, e) -> {
          CompletionStage<Void> cleanup = changes.deleted(login);
          if (e == null) return cleanup;
          if (ApiError.of(e).status.intValue() != 404) return CompletableFuture.<Void>failedFuture(e);
          return cleanup.thenCompose(x -> CompletableFuture.<Void>failedFuture(e));
        }).thenCompose(s -> s);
  }

  private static Route update(UserService users, RoleService roles, AccountChanges changes, Principal p, String login,
                              UpdateBody b, String requestId) {
    boolean self = login.equals(p.login());
    if (!p.isAdmin() && (b.roles() != null || b.groupPath() != null)) {
      return Json.fail(ApiError.forbidden("only an admin may change roles or groupPath"));
    }
    if (b.roles() != null && b.roles().stream().anyMatch(Objects::isNull)) return Json.fail(ApiError.badRequest("roles must be strings"));
    UpdateUserRequest.Builder req = UpdateUserRequest.newBuilder().setLogin(login).setRequestId(requestId);
    if (b.displayName() != null) req.setDisplayName(b.displayName());
    if (b.email() != null) req.setEmail(b.email());
    if (b.groupPath() != null) req.setGroupPath(b.groupPath());
    if (b.roles() != null) req.setReplaceRoles(true).addAllRoles(b.roles());
    if (b.password() != null) req.setPassword(b.password());
    CompletionStage<Void> allowed = CompletableFuture.completedFuture(null);
    if (b.password() != null && self && !p.isAdmin()) {
      if (b.currentPassword() == null) {
        return Json.fail(ApiError.badRequest("changing your password needs field 'currentPassword'"));
      }
      allowed = changes.checkCurrentPassword(login, b.currentPassword());
    }
    // a password change ends the account's other sessions (the caller's own when they changed their own password);
    // a role change voids the access tokens issued before it
    CompletionStage<User> updated = allowed
        .thenCompose(ok -> b.roles() == null ? CompletableFuture.completedFuture(null) : rolesExist(roles, b.roles()))
        .thenCompose(ok -> users.updateUser(req.build()))
        .thenCompose(u -> b.password() == null && b.roles() == null ? CompletableFuture.completedFuture(u)
            : changes.credentialsChanged(login, b.password() != null, b.roles() != null, self ? p.sessionId() : "")
                .thenApply(x -> u));
    return onComplete(updated, t -> t.isSuccess() ? complete(Json.response(StatusCodes.OK, UserJson.of(t.get())))
        : complete(withRetryAfter(t.failed().get())));
  }

  private static final Metadata.Key<String> RETRY_AFTER =
      Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

  /** A 429 (the account's login throttle refused the current password's check) says when to come back. */
  private static HttpResponse withRetryAfter(Throwable failure) {
    ApiError e = ApiError.of(failure);
    if (e.status.intValue() != 429) return Json.error(e);
    Throwable c = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    String after = c instanceof StatusRuntimeException s && s.getTrailers() != null ? s.getTrailers().get(RETRY_AFTER) : null;
    return Json.error(e).addHeader(RawHeader.create("Retry-After", after != null && after.matches("\\d{1,9}") ? after : "1"));
  }

  /** Every role id must name an existing role: 400 naming the first unknown one. */
  static CompletionStage<Void> rolesExist(RoleService roles, List<String> ids) {
    CompletableFuture<?>[] checks = ids.stream().map(id -> roles.getRole(GetRoleRequest.newBuilder().setId(id).build())
        .exceptionally(e -> {
          Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (c instanceof StatusRuntimeException s && (s.getStatus().getCode() == Status.Code.NOT_FOUND
              || s.getStatus().getCode() == Status.Code.INVALID_ARGUMENT)) {
            throw ApiError.badRequest("unknown role '" + id + "'");
          }
          throw e instanceof CompletionException ce ? ce : new CompletionException(e);
        }).toCompletableFuture()).toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(checks);
  }
}
