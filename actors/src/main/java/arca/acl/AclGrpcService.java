package arca.acl;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import arca.persistence.ServiceStorage;
import arca.proto.acl.Acl;
import arca.proto.acl.AclService;
import arca.proto.acl.GrantRequest;
import arca.proto.acl.GrantResponse;
import arca.proto.acl.ListAclsRequest;
import arca.proto.acl.ListAclsResponse;
import arca.proto.acl.NodeRights;
import arca.proto.acl.ResolveRequest;
import arca.proto.acl.ResolveResponse;
import arca.proto.acl.RevokeRequest;
import arca.proto.acl.RevokeResponse;
import arca.proto.acl.Rights;
import arca.proto.acl.VisibleRequest;
import arca.proto.acl.VisibleResponse;
import arca.service.Requests;
import arca.service.GrpcErrors;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** arca.grpc.acl: validate ({@link AclRules}), ask the workspace's entity or query the read model, convert. */
final class AclGrpcService implements AclService {
  private final ActorSystem<?> system;
  private final ServiceStorage storage;
  private final ClusterSharding sharding;
  private final Duration timeout;

  AclGrpcService(ActorSystem<?> system, ServiceStorage storage) {
    this.system = system;
    this.storage = storage;
    this.sharding = ClusterSharding.get(system);
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
  }

  private EntityRef<AclEntity.Command> entity(String workspace) {
    return sharding.entityRefFor(AclEntity.KEY, AclRules.slug(workspace));
  }

  @Override
  public CompletionStage<GrantResponse> grant(GrantRequest in) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getWorkspace());
      String path = AclRules.path(in.getPath());
      String role = AclRules.role(in.getRole());
      var action = AclRules.action(in.getAction());
      return ref.<AclEntity.Granted>ask(r -> new AclEntity.Grant(path, role, action, Requests.id(in.getRequestId()), r), timeout).thenApply(g -> {
        if (g.failure() != null) throw GrpcErrors.status(g.failure());
        return GrantResponse.newBuilder().setAcl(toProto(in.getWorkspace(), g.entry())).setCreated(g.created()).build();
      });
    });
  }

  @Override
  public CompletionStage<RevokeResponse> revoke(RevokeRequest in) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getWorkspace());
      String path = AclRules.path(in.getPath());
      String role = AclRules.role(in.getRole());
      var action = AclRules.action(in.getAction());
      return ref.<AclEntity.Revoked>ask(r -> new AclEntity.Revoke(path, role, action, Requests.id(in.getRequestId()), r), timeout)
          .thenApply(r -> RevokeResponse.newBuilder().setRemoved(r.removed()).build());
    });
  }

  @Override
  public CompletionStage<ResolveResponse> resolve(ResolveRequest in) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getWorkspace());
      String path = AclRules.path(in.getPath());
      var roles = AclRules.roles(in.getRolesList());
      return ref.<AclEntity.Resolved>ask(r -> new AclEntity.Resolve(path, roles, r), timeout).thenApply(r -> {
        ResolveResponse.Builder out = ResolveResponse.newBuilder().setRights(toProto(r.rights()));
        for (AclResolution.NodeRights n : r.below()) {
          out.addBelow(NodeRights.newBuilder().setPath(n.path()).setRights(toProto(n.rights())));
        }
        return out.build();
      });
    });
  }

  @Override
  public CompletionStage<ListAclsResponse> listAcls(ListAclsRequest in) {
    return GrpcErrors.call(() -> {
      if (!in.getWorkspace().isEmpty()) AclRules.slug(in.getWorkspace());
      if (!in.getRole().isEmpty()) AclRules.role(in.getRole());
      if (in.getOffset() < 0) throw GrpcErrors.invalid("offset must be >= 0");
      if (in.getLimit() < 0 || in.getLimit() > 1000) throw GrpcErrors.invalid("limit must be between 1 and 1000");
      return AclReadModel.list(system, storage, in.getWorkspace(), in.getRole(), in.getOffset(),
          in.getLimit() == 0 ? 100 : in.getLimit());
    });
  }

  @Override
  public CompletionStage<VisibleResponse> visible(VisibleRequest in) {
    return GrpcErrors.call(() -> AclReadModel.visible(system, storage, AclRules.roles(in.getRolesList()))
        .thenApply(slugs -> VisibleResponse.newBuilder().addAllWorkspaces(slugs).build()));
  }

  static Acl toProto(String workspace, AclEntity.Entry e) {
    return Acl.newBuilder().setWorkspace(workspace).setPath(e.path()).setRole(e.role()).setAction(e.action())
        .setCreatedAt(e.createdAt()).build();
  }

  private static Rights toProto(AclResolution.Rights r) {
    return Rights.newBuilder().setRead(r.read()).setWrite(r.write()).build();
  }
}
