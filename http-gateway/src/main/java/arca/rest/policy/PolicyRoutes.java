package arca.rest.policy;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.Route;
import arca.proto.policy.CreatePolicyGroupRequest;
import arca.proto.policy.DeletePolicyGroupRequest;
import arca.proto.policy.Effect;
import arca.proto.policy.GetPolicyGroupRequest;
import arca.proto.policy.ListPolicyGroupsRequest;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroup;
import arca.proto.policy.PolicyList;
import arca.proto.policy.PolicyService;
import arca.proto.policy.PolicyServiceClient;
import arca.proto.policy.UpdatePolicyGroupRequest;
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

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

import static akka.http.javadsl.server.Directives.*;

/**
 * arca.rest.policy: /a/policies and /a/policies/{id}, admin only: policy groups {@code {id, label, description,
 * builtIn, policies: [{id, description, subjects, resources, actions, effect: allow|deny}], ...}}. PATCH changes the
 * fields given ({@code policies} replaces them all); PUT is the same with {@code policies} required. The patterns'
 * rules are the service's (400 naming the field); built-in groups answer 409 to changes.
 */
public final class PolicyRoutes implements RestModule {

  public record PolicyBody(String id, String description, List<String> subjects, List<String> resources,
                           List<String> actions, String effect) {}

  public record CreateBody(String id, String label, String description, List<PolicyBody> policies) {}

  public record UpdateBody(String label, String description, List<PolicyBody> policies) {}

  public record PolicyJson(String id, String description, List<String> subjects, List<String> resources,
                           List<String> actions, String effect) {
    static PolicyJson of(Policy p) {
      return new PolicyJson(p.getId(), p.getDescription(), p.getSubjectsList(), p.getResourcesList(),
          p.getActionsList(), p.getEffect() == Effect.EFFECT_ALLOW ? "allow" : "deny");
    }
  }

  public record GroupJson(String id, String label, String description, boolean builtIn, List<PolicyJson> policies,
                          String createdAt, String updatedAt, long version) {
    static GroupJson of(PolicyGroup g) {
      return new GroupJson(g.getId(), g.getLabel(), g.getDescription(), g.getProtected(),
          g.getPoliciesList().stream().map(PolicyJson::of).toList(), Times.iso(g.getCreatedAt()),
          Times.iso(g.getUpdatedAt()), g.getVersion());
    }
  }

  @Override public String name() { return "policy"; }
  @Override public String prefix() { return "a"; }

  @Override
  public List<Endpoint> endpoints() {
    return Endpoint.all(
        Endpoint.at("/a/policies", "GET", "POST"),
        Endpoint.at("/a/policies/{id}", "GET", "PUT", "PATCH", "DELETE"));
  }

  @Override
  public Route route(RestContext ctx) {
    return routes(ctx.auth(), ctx.clients().client(PolicyService.class, "policy", PolicyServiceClient::create));
  }

  public static Route routes(Authenticator auth, PolicyService policies) {
    return pathPrefix("policies", () -> auth.authenticated(p -> auth.admin(p, () -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> parameterOptional("offset", o -> parameterOptional("limit", l -> {
              ListPolicyGroupsRequest req = ListPolicyGroupsRequest.newBuilder()
                  .setOffset(Json.intParam(o, "offset", 0, 0, Integer.MAX_VALUE))
                  .setLimit(Json.intParam(l, "limit", 50, 1, 50)).build();
              return Json.reply(policies.listPolicyGroups(req), StatusCodes.OK,
                  r -> new Page<>(r.getGroupsList().stream().map(GroupJson::of).toList(), r.getTotal()));
            }))),
            post(() -> RequestIds.of(p, requestId -> Json.body(CreateBody.class, b -> {
              if (b.id() == null) return Json.fail(ApiError.badRequest("missing field 'id'"));
              CreatePolicyGroupRequest.Builder req = CreatePolicyGroupRequest.newBuilder().setId(b.id()).setRequestId(requestId)
                  .addAllPolicies(toProto(b.policies() == null ? List.of() : b.policies()));
              if (b.label() != null) req.setLabel(b.label());
              if (b.description() != null) req.setDescription(b.description());
              return Json.reply(policies.createPolicyGroup(req.build()), g -> respondWithHeader(
                  PercentEncoding.location("/a/policies/", g.getId()),
                  () -> complete(Json.response(StatusCodes.CREATED, GroupJson.of(g)))));
            }))))),
        path(id -> concat(
            get(() -> Json.reply(policies.getPolicyGroup(GetPolicyGroupRequest.newBuilder().setId(id).build()),
                StatusCodes.OK, GroupJson::of)),
            put(() -> RequestIds.of(p, requestId -> Json.body(UpdateBody.class, b -> b.policies() == null
                ? Json.fail(ApiError.badRequest("missing field 'policies' (PUT replaces them; PATCH changes fields)"))
                : update(policies, id, b, requestId)))),
            patch(() -> RequestIds.of(p, requestId -> Json.body(UpdateBody.class, b -> update(policies, id, b, requestId)))),
            delete(() -> RequestIds.of(p, requestId -> Json.reply(policies.deletePolicyGroup(
                DeletePolicyGroupRequest.newBuilder().setId(id).setRequestId(requestId).build()),
                r -> complete(StatusCodes.NO_CONTENT))))))))));
  }

  private static Route update(PolicyService policies, String id, UpdateBody b, String requestId) {
    UpdatePolicyGroupRequest.Builder req = UpdatePolicyGroupRequest.newBuilder().setId(id).setRequestId(requestId);
    if (b.label() != null) req.setLabel(b.label());
    if (b.description() != null) req.setDescription(b.description());
    if (b.policies() != null) req.setPolicies(PolicyList.newBuilder().addAllPolicies(toProto(b.policies())));
    return Json.reply(policies.updatePolicyGroup(req.build()), StatusCodes.OK, GroupJson::of);
  }

  /** The policies of a body; what the service cannot see (nulls, an unknown effect) is refused here. */
  static List<Policy> toProto(List<PolicyBody> bodies) {
    List<Policy> out = new ArrayList<>();
    for (int i = 0; i < bodies.size(); i++) {
      PolicyBody b = bodies.get(i);
      String at = "policies[" + i + "]";
      if (b == null) throw ApiError.badRequest(at + " must be an object");
      Policy.Builder p = Policy.newBuilder()
          .addAllSubjects(strings(at + ".subjects", b.subjects()))
          .addAllResources(strings(at + ".resources", b.resources()))
          .addAllActions(strings(at + ".actions", b.actions()))
          .setEffect(effect(at + ".effect", b.effect()));
      if (b.id() != null) p.setId(b.id());
      if (b.description() != null) p.setDescription(b.description());
      out.add(p.build());
    }
    return out;
  }

  private static List<String> strings(String field, List<String> values) {
    if (values == null) throw ApiError.badRequest("missing field '" + field + "'");
    if (values.stream().anyMatch(Objects::isNull)) throw ApiError.badRequest(field + " must hold strings");
    return values;
  }

  private static Effect effect(String field, String effect) {
    if (effect == null) throw ApiError.badRequest("missing field '" + field + "' (allow or deny)");
    return switch (effect.toLowerCase(Locale.ROOT)) {
      case "allow" -> Effect.EFFECT_ALLOW;
      case "deny" -> Effect.EFFECT_DENY;
      default -> throw ApiError.badRequest(field + " must be allow or deny");
    };
  }
}
