package arca.rest.workspace;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import arca.proto.workspace.CreateWorkspaceRequest;
import arca.proto.workspace.DeleteWorkspaceRequest;
import arca.proto.workspace.GetWorkspaceRequest;
import arca.proto.workspace.ListWorkspacesRequest;
import arca.proto.workspace.ListWorkspacesResponse;
import arca.proto.workspace.Scope;
import arca.proto.workspace.Slugs;
import arca.proto.workspace.UpdateWorkspaceRequest;
import arca.proto.workspace.Workspace;
import arca.proto.workspace.WorkspaceRoot;
import arca.proto.workspace.WorkspaceService;
import arca.proto.workspace.WorkspaceServiceClient;
import arca.proto.acl.AclService;
import arca.proto.acl.AclServiceClient;
import arca.rest.PercentEncoding;
import arca.rest.acl.AclAccess;
import arca.rest.files.NodePolicies;
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

import java.util.List;
import java.util.concurrent.CompletionStage;

import static akka.http.javadsl.server.Directives.*;
import arca.rest.access.WorkspaceVisibility;

/**
 * arca.rest.workspace: /a/workspaces and /a/workspaces/{slug}. Every authenticated user lists and reads the
 * workspaces {@link WorkspaceVisibility} lets them see (others are 404, as if missing); only admins create, change
 * and delete. A root is shown to admins as stored (with {@code {login}}), to everyone else resolved for them.
 */
public final class WorkspaceRoutes implements RestModule {
  static final String LOGIN = "{login}";

  public record RootJson(String datasource, String path) {}

  /** scope: "ADMIN" (default) or "PERSONAL". */
  public record CreateBody(String slug, String label, String description, String scope, RootJson root) {}

  /** Fields left out are unchanged; a root replaces the whole root. */
  public record UpdateBody(String label, String description, RootJson root) {}

  public record WorkspaceJson(String slug, String label, String description, String scope, RootJson root,
                              boolean builtIn, String createdAt, String createdBy, String updatedAt, String updatedBy,
                              long version) {
    static WorkspaceJson of(Workspace w, Principal caller) {
      String path = caller.isAdmin() ? w.getRoot().getPath() : w.getRoot().getPath().replace(LOGIN, caller.home());
      return new WorkspaceJson(w.getSlug(), w.getLabel(), w.getDescription(), scopeName(w.getScope()),
          new RootJson(w.getRoot().getDatasource(), path), w.getBuiltIn(), Times.iso(w.getCreatedAt()),
          w.getCreatedBy(), Times.iso(w.getUpdatedAt()), w.getUpdatedBy(), w.getVersion());
    }
  }

  @Override public String name() { return "workspace"; }
  @Override public String prefix() { return "a"; }

  @Override
  public List<Endpoint> endpoints() {
    return Endpoint.all(
        Endpoint.at("/a/workspaces", "GET", "POST"),
        Endpoint.at("/a/workspaces/{slug}", "GET", "PATCH", "DELETE"));
  }

  @Override
  public Route route(RestContext ctx) {
    return routes(ctx.auth(), ctx.clients().client(WorkspaceService.class, "workspace", WorkspaceServiceClient::create),
        NodePolicies.visibleWorkspaces(new AclAccess(ctx.clients().client(AclService.class, "acl",
            AclServiceClient::create)).visibility(), ctx.auth().policies()));
  }

  /** The route tree over the service interface (the generated client in production, a fake in tests). */
  public static Route routes(Authenticator auth, WorkspaceService workspaces, WorkspaceVisibility visibility) {
    return pathPrefix("workspaces", () -> auth.authenticated(p -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> parameterOptional("offset", o -> parameterOptional("limit", l -> parameterOptional("filter",
                f -> parameterOptional("scope", s -> list(workspaces, visibility, p, ListWorkspacesRequest.newBuilder()
                    .setOffset(Json.intParam(o, "offset", 0, 0, Integer.MAX_VALUE))
                    .setLimit(Json.intParam(l, "limit", 100, 1, 1000)).setFilter(f.orElse(""))
                    .setScope(s.isEmpty() || s.get().isEmpty() ? Scope.SCOPE_UNSPECIFIED : scope(s.get())))))))),
            post(() -> auth.admin(p, () -> RequestIds.of(p, id -> Json.body(CreateBody.class, b -> create(workspaces, p, b, id))))))),
        path(slug -> concat(
            get(() -> Json.reply(visibility.visibleTo(p).thenCompose(v -> {
              if (!v.allows(slug)) throw ApiError.notFound("no workspace '" + slug + "'");
              return workspaces.getWorkspace(GetWorkspaceRequest.newBuilder().setSlug(slug).build());
            }), StatusCodes.OK, w -> WorkspaceJson.of(w, p))),
            patch(() -> auth.admin(p, () -> RequestIds.of(p, id ->
                Json.body(UpdateBody.class, b -> update(workspaces, p, slug, b, id))))),
            delete(() -> auth.admin(p, () -> RequestIds.of(p, id -> Json.reply(
                workspaces.deleteWorkspace(DeleteWorkspaceRequest.newBuilder().setSlug(slug).setRequestId(id).build()),
                r -> complete(StatusCodes.NO_CONTENT))))))))));
  }

  /** One page of what the caller may see: the visibility becomes the request's slug restriction. */
  private static Route list(WorkspaceService workspaces, WorkspaceVisibility visibility, Principal p,
                            ListWorkspacesRequest.Builder req) {
    CompletionStage<ListWorkspacesResponse> listed = visibility.visibleTo(p).thenCompose(v -> workspaces.listWorkspaces(
        v.all() ? req.build() : req.setOnly(Slugs.newBuilder().addAllSlugs(v.slugs())).build()));
    return Json.reply(listed, StatusCodes.OK,
        r -> new Page<>(r.getWorkspacesList().stream().map(w -> WorkspaceJson.of(w, p)).toList(), r.getTotal()));
  }

  private static Route create(WorkspaceService workspaces, Principal p, CreateBody b, String requestId) {
    if (b.slug() == null) return Json.fail(ApiError.badRequest("missing field 'slug'"));
    if (b.root() == null) return Json.fail(ApiError.badRequest("missing field 'root'"));
    CreateWorkspaceRequest.Builder req = CreateWorkspaceRequest.newBuilder().setSlug(b.slug())
        .setScope(b.scope() == null ? Scope.SCOPE_ADMIN : scope(b.scope())).setRoot(root(b.root())).setRequestId(requestId)
        .setCreatedBy(p.login());
    if (b.label() != null) req.setLabel(b.label());
    if (b.description() != null) req.setDescription(b.description());
    return Json.reply(workspaces.createWorkspace(req.build()), w -> respondWithHeader(PercentEncoding.location("/a/workspaces/", w.getSlug()),
        () -> complete(Json.response(StatusCodes.CREATED, WorkspaceJson.of(w, p)))));
  }

  private static Route update(WorkspaceService workspaces, Principal p, String slug, UpdateBody b, String requestId) {
    UpdateWorkspaceRequest.Builder req = UpdateWorkspaceRequest.newBuilder().setSlug(slug).setRequestId(requestId)
        .setUpdatedBy(p.login());
    if (b.label() != null) req.setLabel(b.label());
    if (b.description() != null) req.setDescription(b.description());
    if (b.root() != null) req.setRoot(root(b.root()));
    return Json.reply(workspaces.updateWorkspace(req.build()), StatusCodes.OK, w -> WorkspaceJson.of(w, p));
  }

  /** Both fields are required (400 naming the missing one); the service judges their values. */
  private static WorkspaceRoot root(RootJson r) {
    if (r.datasource() == null) throw ApiError.badRequest("missing field 'root.datasource'");
    if (r.path() == null) throw ApiError.badRequest("missing field 'root.path'");
    return WorkspaceRoot.newBuilder().setDatasource(r.datasource()).setPath(r.path()).build();
  }

  /** "ADMIN" or "PERSONAL" (400 otherwise). */
  private static Scope scope(String name) {
    return switch (name) {
      case "ADMIN" -> Scope.SCOPE_ADMIN;
      case "PERSONAL" -> Scope.SCOPE_PERSONAL;
      default -> throw ApiError.badRequest("scope must be ADMIN or PERSONAL");
    };
  }

  private static String scopeName(Scope scope) {
    return switch (scope) {
      case SCOPE_ADMIN -> "ADMIN";
      case SCOPE_PERSONAL -> "PERSONAL";
      default -> null;
    };
  }
}
