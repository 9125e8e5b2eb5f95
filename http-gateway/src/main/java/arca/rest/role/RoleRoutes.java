package arca.rest.role;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import arca.proto.role.CreateRoleRequest;
import arca.proto.role.DeleteRoleRequest;
import arca.proto.role.GetRoleRequest;
import arca.proto.role.ListRolesRequest;
import arca.proto.role.Role;
import arca.proto.role.RoleService;
import arca.proto.role.RoleServiceClient;
import arca.proto.role.UpdateRoleRequest;
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
import java.util.List;

import static akka.http.javadsl.server.Directives.*;

/** arca.rest.role: /a/roles and /a/roles/{id}, admin only. */
public final class RoleRoutes implements RestModule {

  public record CreateBody(String id, String label, String description) {}

  public record UpdateBody(String label, String description) {}

  public record RoleJson(String id, String label, String description, boolean builtIn, String createdAt,
                         String updatedAt, long version) {
    static RoleJson of(Role r) {
      return new RoleJson(r.getId(), r.getLabel(), r.getDescription(), r.getProtected(), Times.iso(r.getCreatedAt()),
          Times.iso(r.getUpdatedAt()), r.getVersion());
    }
  }

  @Override public String name() { return "role"; }
  @Override public String prefix() { return "a"; }

  @Override
  public List<Endpoint> endpoints() {
    return Endpoint.all(
        Endpoint.at("/a/roles", "GET", "POST"),
        Endpoint.at("/a/roles/{id}", "GET", "PATCH", "DELETE"));
  }

  @Override
  public Route route(RestContext ctx) {
    return routes(ctx.auth(), ctx.clients().client(RoleService.class, "role", RoleServiceClient::create));
  }

  public static Route routes(Authenticator auth, RoleService roles) {
    return pathPrefix("roles", () -> auth.authenticated(p -> auth.admin(p, () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> parameterOptional("offset", o -> parameterOptional("limit", l -> parameterOptional("filter", f -> {
              ListRolesRequest req = ListRolesRequest.newBuilder()
                  .setOffset(Json.intParam(o, "offset", 0, 0, Integer.MAX_VALUE))
                  .setLimit(Json.intParam(l, "limit", 100, 1, 1000)).setFilter(f.orElse("")).build();
              return Json.reply(roles.listRoles(req), StatusCodes.OK,
                  r -> new Page<>(r.getRolesList().stream().map(RoleJson::of).toList(), r.getTotal()));
            })))),
            post(() -> RequestIds.of(p, requestId -> Json.body(CreateBody.class, b -> {
              if (b.id() == null) return Json.fail(ApiError.badRequest("missing field 'id'"));
              CreateRoleRequest.Builder req = CreateRoleRequest.newBuilder().setId(b.id()).setRequestId(requestId);
              if (b.label() != null) req.setLabel(b.label());
              if (b.description() != null) req.setDescription(b.description());
              return Json.reply(roles.createRole(req.build()), r -> respondWithHeader(
                  PercentEncoding.location("/a/roles/", r.getId()),
                  () -> complete(Json.response(StatusCodes.CREATED, RoleJson.of(r)))));
            }))))),
        path(id -> concat(
            get(() -> Json.reply(roles.getRole(GetRoleRequest.newBuilder().setId(id).build()), StatusCodes.OK, RoleJson::of)),
            patch(() -> RequestIds.of(p, requestId -> Json.body(UpdateBody.class, b -> {
              UpdateRoleRequest.Builder req = UpdateRoleRequest.newBuilder().setId(id).setRequestId(requestId);
              if (b.label() != null) req.setLabel(b.label());
              if (b.description() != null) req.setDescription(b.description());
              return Json.reply(roles.updateRole(req.build()), StatusCodes.OK, RoleJson::of);
            }))),
            delete(() -> RequestIds.of(p, requestId -> Json.reply(roles.deleteRole(DeleteRoleRequest.newBuilder()
                .setId(id).setRequestId(requestId).build()), r -> complete(StatusCodes.NO_CONTENT))))))))));
  }
}
