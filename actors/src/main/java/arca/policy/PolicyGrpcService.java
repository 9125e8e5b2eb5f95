package arca.policy;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import arca.persistence.ServiceStorage;
import arca.proto.policy.CreatePolicyGroupRequest;
import arca.proto.policy.DeletePolicyGroupRequest;
import arca.proto.policy.DeletePolicyGroupResponse;
import arca.proto.policy.GetPolicyGroupRequest;
import arca.proto.policy.ListPolicyGroupsRequest;
import arca.proto.policy.ListPolicyGroupsResponse;
import arca.proto.policy.PolicyGroup;
import arca.proto.policy.PolicyService;
import arca.proto.policy.UpdatePolicyGroupRequest;
import arca.service.Requests;
import arca.service.GrpcErrors;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** arca.grpc.policy: validate ({@link PolicyRules}), ask the group's entity or query the read model, convert. */
final class PolicyGrpcService implements PolicyService {
  private final ActorSystem<?> system;
  private final ServiceStorage storage;
  private final ClusterSharding sharding;
  private final Duration timeout;

  PolicyGrpcService(ActorSystem<?> system, ServiceStorage storage) {
    this.system = system;
    this.storage = storage;
    this.sharding = ClusterSharding.get(system);
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
  }

  private EntityRef<PolicyEntity.Command> entity(String id) {
    return sharding.entityRefFor(PolicyEntity.KEY, PolicyRules.id("policy group id", id));
  }

  private CompletionStage<PolicyGroup> create(CreatePolicyGroupRequest in, boolean ifAbsent) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getId());
      String label = PolicyRules.text("label", in.getLabel().isBlank() ? in.getId() : in.getLabel(), 256);
      String description = PolicyRules.text("description", in.getDescription(), 1024);
      List<PolicyEntity.Rule> policies = PolicyRules.policies(in.getPoliciesList());
      String requestId = Requests.id(in.getRequestId());
      return ref.<PolicyEntity.Result>ask(r -> new PolicyEntity.Create(label, description, in.getProtected(), policies,
          ifAbsent, requestId, r), timeout).thenApply(PolicyGrpcService::toProto);
    });
  }

  @Override public CompletionStage<PolicyGroup> createPolicyGroup(CreatePolicyGroupRequest in) { return create(in, false); }
  @Override public CompletionStage<PolicyGroup> ensurePolicyGroup(CreatePolicyGroupRequest in) { return create(in, true); }

  @Override
  public CompletionStage<PolicyGroup> getPolicyGroup(GetPolicyGroupRequest in) {
    return GrpcErrors.call(() -> entity(in.getId()).ask(PolicyEntity.Get::new, timeout)
        .thenApply(PolicyGrpcService::toProto));
  }

  @Override
  public CompletionStage<PolicyGroup> updatePolicyGroup(UpdatePolicyGroupRequest in) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getId());
      String label = in.hasLabel() ? PolicyRules.text("label", in.getLabel(), 256) : null;
      if (label != null && label.isEmpty()) throw GrpcErrors.invalid("label must not be empty");
      String description = in.hasDescription() ? PolicyRules.text("description", in.getDescription(), 1024) : null;
      List<PolicyEntity.Rule> policies = in.hasPolicies() ? PolicyRules.policies(in.getPolicies().getPoliciesList()) : null;
      return ref.<PolicyEntity.Result>ask(r -> new PolicyEntity.Update(label, description, policies, Requests.id(in.getRequestId()), r), timeout)
          .thenApply(PolicyGrpcService::toProto);
    });
  }

  @Override
  public CompletionStage<DeletePolicyGroupResponse> deletePolicyGroup(DeletePolicyGroupRequest in) {
    return GrpcErrors.call(() -> entity(in.getId())
        .<PolicyEntity.Result>ask(r -> new PolicyEntity.Delete(Requests.id(in.getRequestId()), r), timeout).thenApply(r -> {
      toProto(r);
      return DeletePolicyGroupResponse.getDefaultInstance();
    }));
  }

  @Override
  public CompletionStage<ListPolicyGroupsResponse> listPolicyGroups(ListPolicyGroupsRequest in) {
    return GrpcErrors.call(() -> {
      if (in.getOffset() < 0) throw GrpcErrors.invalid("offset must be >= 0");
      if (in.getLimit() < 0 || in.getLimit() > 50) throw GrpcErrors.invalid("limit must be between 1 and 50");
      return PolicyReadModel.list(system, storage, in.getOffset(), in.getLimit() == 0 ? 50 : in.getLimit());
    });
  }

  static PolicyGroup toProto(PolicyEntity.Result r) {
    if (r.failure() != null) throw GrpcErrors.status(r.failure());
    PolicyEntity.State s = r.group();
    return PolicyGroup.newBuilder().setId(s.id()).setLabel(s.label()).setDescription(s.description())
        .setProtected(s.protectedGroup()).addAllPolicies(PolicyEntity.Rule.toProto(s.policies()))
        .setCreatedAt(s.createdAt()).setUpdatedAt(s.updatedAt()).setVersion(s.version()).build();
  }
}
