package arca.role;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import arca.persistence.ServiceStorage;
import arca.proto.role.CreateRoleRequest;
import arca.proto.role.DeleteRoleRequest;
import arca.proto.role.DeleteRoleResponse;
import arca.proto.role.GetRoleRequest;
import arca.proto.role.ListRolesRequest;
import arca.proto.role.ListRolesResponse;
import arca.proto.role.Role;
import arca.proto.role.RoleService;
import arca.proto.role.UpdateRoleRequest;
import arca.service.GrpcErrors;
import arca.service.Requests;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/** arca.grpc.role: validate, ask the entity, convert. */
final class RoleGrpcService implements RoleService {
  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

  private final ActorSystem<?> system;
  private final ServiceStorage storage;
  private final ClusterSharding sharding;
  private final Duration timeout;

  RoleGrpcService(ActorSystem<?> system, ServiceStorage storage) {
    this.system = system;
    this.storage = storage;
    this.sharding = ClusterSharding.get(system);
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
  }

  private EntityRef<RoleEntity.Command> entity(String rawId) {
    if (!ID.matcher(rawId).matches()) {
      throw GrpcErrors.invalid("role id must be 1-64 characters of a-z, 0-9, '_', '-', starting with a letter or digit");
    }
    return sharding.entityRefFor(RoleEntity.KEY, rawId);
  }

  private static String text(String field, String value, int max) {
    if (value.length() > max || value.chars().anyMatch(Character::isISOControl)) {
      throw GrpcErrors.invalid(field + " must be at most " + max + " characters, without control characters");
    }
    return value.strip();
  }

  private CompletionStage<Role> create(CreateRoleRequest in, boolean ifAbsent) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getId());
      String label = text("label", in.getLabel().isBlank() ? in.getId() : in.getLabel(), 256);
      String description = text("description", in.getDescription(), 1024);
      String requestId = Requests.id(in.getRequestId());
      return ref.<RoleEntity.Result>ask(r -> new RoleEntity.Create(label, description, in.getProtected(), ifAbsent, requestId, r), timeout)
          .thenApply(RoleGrpcService::toProto);
    });
  }

  @Override public CompletionStage<Role> createRole(CreateRoleRequest in) { return create(in, false); }
  @Override public CompletionStage<Role> ensureRole(CreateRoleRequest in) { return create(in, true); }

  @Override
  public CompletionStage<Role> getRole(GetRoleRequest in) {
    return GrpcErrors.call(() -> entity(in.getId()).ask(RoleEntity.Get::new, timeout).thenApply(RoleGrpcService::toProto));
  }

  @Override
  public CompletionStage<Role> updateRole(UpdateRoleRequest in) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getId());
      String label = in.hasLabel() ? text("label", in.getLabel(), 256) : null;
      if (label != null && label.isEmpty()) throw GrpcErrors.invalid("label must not be empty");
      String description = in.hasDescription() ? text("description", in.getDescription(), 1024) : null;
      String requestId = Requests.id(in.getRequestId());
      return ref.<RoleEntity.Result>ask(r -> new RoleEntity.Update(label, description, requestId, r), timeout)
          .thenApply(RoleGrpcService::toProto);
    });
  }

  @Override
  public CompletionStage<DeleteRoleResponse> deleteRole(DeleteRoleRequest in) {
    return GrpcErrors.call(() -> entity(in.getId()).<RoleEntity.Result>ask(r -> new RoleEntity.Delete(Requests.id(in.getRequestId()), r), timeout).thenApply(r -> {
      toProto(r);
      return DeleteRoleResponse.getDefaultInstance();
    }));
  }

  @Override
  public CompletionStage<ListRolesResponse> listRoles(ListRolesRequest in) {
    return GrpcErrors.call(() -> {
      if (in.getOffset() < 0) throw GrpcErrors.invalid("offset must be >= 0");
      if (in.getLimit() < 0 || in.getLimit() > 1000) throw GrpcErrors.invalid("limit must be between 1 and 1000");
      if (in.getFilter().length() > 256) throw GrpcErrors.invalid("filter must be at most 256 characters");
      return RoleReadModel.list(system, storage, in.getOffset(), in.getLimit() == 0 ? 100 : in.getLimit(), in.getFilter().trim());
    });
  }

  static Role toProto(RoleEntity.Result r) {
    if (r.failure() != null) throw GrpcErrors.status(r.failure());
    RoleEntity.State s = r.role();
    return Role.newBuilder().setId(s.id()).setLabel(s.label()).setDescription(s.description())
        .setProtected(s.protectedRole()).setCreatedAt(s.createdAt()).setUpdatedAt(s.updatedAt())
        .setVersion(s.version()).build();
  }
}
