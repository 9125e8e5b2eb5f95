package arca.rest.acl;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import arca.proto.acl.Acl;
import arca.proto.acl.AclService;
import arca.proto.acl.AclServiceClient;
import arca.proto.acl.Action;
import arca.proto.acl.GrantRequest;
import arca.proto.acl.ListAclsRequest;
import arca.proto.acl.RevokeRequest;
import arca.rest.ClientPaths;
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
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import static akka.http.javadsl.server.Directives.*;

/**
 * arca.rest.acl: /a/acls, admin only. An entry is {workspace, path, role, action}: path "" is the workspace root and
 * an entry applies to the node's subtree; role is a role id or {@code user:<login>} for one user; action is "read",
 * "write" or "deny". POST grants (201, also when the entry existed: granting is idempotent), DELETE revokes (204,
 * also when there was none) and takes the entry as a JSON body or as query parameters. Every field is checked here
 * (400 naming it) before the acl service sees it.
 */
public final class AclRoutes implements RestModule {
  static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  /** As the role service names roles, or user:<login> as the user service names logins. */
  static final Pattern ROLE = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}|user:[a-z0-9][a-z0-9._@-]{0,63}");
  private static final Map<String, Action> ACTIONS = Map.of("read", Action.ACTION_READ, "write", Action.ACTION_WRITE,
      "deny", Action.ACTION_DENY);

  /** A granted or revoked entry; every field is required. */
  public record AclBody(String workspace, String path, String role, String action) {}

  public record AclJson(String workspace, String path, String role, String action, String createdAt) {
    static AclJson of(Acl a) {
      return new AclJson(a.getWorkspace(), a.getPath(), a.getRole(), actionName(a.getAction()),
          Times.iso(a.getCreatedAt()));
    }
  }

  /** A valid entry, ready for the service. */
  record Entry(String workspace, String path, String role, Action action) {}

  @Override public String name() { return "acl"; }
  @Override public String prefix() { return "a"; }

  @Override
  public List<Endpoint> endpoints() {
    return Endpoint.at("/a/acls", "GET", "POST", "DELETE");
  }

  @Override
  public Route route(RestContext ctx) {
    return routes(ctx.auth(), ctx.clients().client(AclService.class, "acl", AclServiceClient::create));
  }

  /** The route tree over the service interface (the generated client in production, a fake in tests). */
  public static Route routes(Authenticator auth, AclService acls) {
    return path("acls", () -> auth.authenticated(p -> auth.admin(p, () -> concat(
        get(() -> parameterOptional("workspace", w -> parameterOptional("role", r -> parameterOptional("offset",
            o -> parameterOptional("limit", l -> list(acls, w, r, o, l)))))),
        post(() -> RequestIds.of(p, id -> Json.body(AclBody.class, b -> grant(acls, entry(b), id)))),
        delete(() -> RequestIds.of(p, id -> extractRequest(req -> req.entity().isKnownEmpty()
            ? parameterOptional("workspace", w -> parameterOptional("path", pa -> parameterOptional("role",
                r -> parameterOptional("action", a -> revoke(acls,
                    entry(new AclBody(w.orElse(null), pa.orElse(null), r.orElse(null), a.orElse(null))), id)))))
            : Json.body(AclBody.class, b -> revoke(acls, entry(b), id)))))))));
  }

  private static Route list(AclService acls, Optional<String> workspace, Optional<String> role, Optional<String> offset,
                            Optional<String> limit) {
    ListAclsRequest.Builder req = ListAclsRequest.newBuilder()
        .setOffset(Json.intParam(offset, "offset", 0, 0, Integer.MAX_VALUE))
        .setLimit(Json.intParam(limit, "limit", 100, 1, 1000));
    workspace.filter(w -> !w.isEmpty()).ifPresent(w -> req.setWorkspace(slug(w)));
    role.filter(r -> !r.isEmpty()).ifPresent(r -> req.setRole(role(r)));
    return Json.reply(acls.listAcls(req.build()), StatusCodes.OK,
        r -> new Page<>(r.getAclsList().stream().map(AclJson::of).toList(), r.getTotal()));
  }

  private static Route grant(AclService acls, Entry e, String requestId) {
    return Json.reply(acls.grant(GrantRequest.newBuilder().setWorkspace(e.workspace()).setPath(e.path())
        .setRole(e.role()).setAction(e.action()).setRequestId(requestId).build()), StatusCodes.CREATED, g -> AclJson.of(g.getAcl()));
  }

  private static Route revoke(AclService acls, Entry e, String requestId) {
    return Json.reply(acls.revoke(RevokeRequest.newBuilder().setWorkspace(e.workspace()).setPath(e.path())
        .setRole(e.role()).setAction(e.action()).setRequestId(requestId).build()), r -> complete(StatusCodes.NO_CONTENT));
  }

  /** Checks every field; 400 naming the first missing or invalid one. */
  static Entry entry(AclBody b) {
    if (b.workspace() == null) throw ApiError.badRequest("missing field 'workspace'");
    if (b.path() == null) throw ApiError.badRequest("missing field 'path'");
    if (b.role() == null) throw ApiError.badRequest("missing field 'role'");
    if (b.action() == null) throw ApiError.badRequest("missing field 'action'");
    String workspace = slug(b.workspace());
    ClientPaths.segments(b.path());
    String role = role(b.role());
    Action action = ACTIONS.get(b.action());
    if (action == null) throw ApiError.badRequest("action must be read, write or deny");
    return new Entry(workspace, b.path(), role, action);
  }

  private static String slug(String raw) {
    if (!SLUG.matcher(raw).matches()) {
      throw ApiError.badRequest("invalid workspace slug: 1-63 characters of a-z, 0-9, '-', starting with a letter or digit");
    }
    return raw;
  }

  private static String role(String raw) {
    if (!ROLE.matcher(raw).matches()) {
      throw ApiError.badRequest("invalid role: a role id (1-64 characters of a-z, 0-9, '_', '-') or user:<login>");
    }
    return raw;
  }

  private static String actionName(Action action) {
    return switch (action) {
      case ACTION_READ -> "read";
      case ACTION_WRITE -> "write";
      case ACTION_DENY -> "deny";
      default -> null;
    };
  }
}
