package arca.workspace;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import arca.persistence.ServiceStorage;
import arca.proto.workspace.CreateWorkspaceRequest;
import arca.proto.workspace.DeleteWorkspaceRequest;
import arca.proto.workspace.DeleteWorkspaceResponse;
import arca.proto.workspace.EnsureBuiltinsRequest;
import arca.proto.workspace.EnsureBuiltinsResponse;
import arca.proto.workspace.GetWorkspaceRequest;
import arca.proto.workspace.ListWorkspacesRequest;
import arca.proto.workspace.ListWorkspacesResponse;
import arca.proto.workspace.Scope;
import arca.proto.workspace.UpdateWorkspaceRequest;
import arca.proto.workspace.Workspace;
import arca.proto.workspace.WorkspaceService;
import arca.service.Failure;
import arca.service.GrpcErrors;
import arca.service.Requests;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** arca.grpc.workspace: validate ({@link WorkspaceRules}), ask the entity, convert. */
final class WorkspaceGrpcService implements WorkspaceService {
  private static final int MAX_ONLY = 10_000;

  private final ActorSystem<?> system;
  private final ServiceStorage storage;
  private final ClusterSharding sharding;
  private final Duration timeout;

  WorkspaceGrpcService(ActorSystem<?> system, ServiceStorage storage) {
    this.system = system;
    this.storage = storage;
    this.sharding = ClusterSharding.get(system);
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
  }

  private EntityRef<WorkspaceEntity.Command> entity(String slug) {
    return sharding.entityRefFor(WorkspaceEntity.KEY, WorkspaceRules.slug(slug));
  }

  @Override
  public CompletionStage<Workspace> createWorkspace(CreateWorkspaceRequest in) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getSlug());
      if (Builtins.isBuiltin(in.getSlug())) {
        throw GrpcErrors.status(Failure.exists("workspace '" + in.getSlug() + "' already exists (built in)"));
      }
      String label = WorkspaceRules.text("label", in.getLabel().isBlank() ? in.getSlug() : in.getLabel(), WorkspaceRules.MAX_LABEL);
      String description = WorkspaceRules.text("description", in.getDescription(), WorkspaceRules.MAX_DESCRIPTION);
      var scope = WorkspaceRules.scope(in.getScope());
      if (!in.hasRoot()) throw GrpcErrors.invalid("root is required");
      var root = WorkspaceRules.root(in.getRoot());
      String requestId = Requests.id(in.getRequestId());
      String createdBy = WorkspaceRules.text("created_by", in.getCreatedBy(), 64);
      return ref.<WorkspaceEntity.Result>ask(r -> new WorkspaceEntity.Create(label, description, scope, root, false,
          false, requestId, createdBy, r), timeout).thenApply(WorkspaceGrpcService::toProto);
    });
  }

  @Override
  public CompletionStage<EnsureBuiltinsResponse> ensureBuiltins(EnsureBuiltinsRequest in) {
    return GrpcErrors.call(() -> {
      List<CompletableFuture<Workspace>> ensured = Builtins.ALL.stream().map(b -> entity(b.slug())
          .<WorkspaceEntity.Result>ask(r -> new WorkspaceEntity.Create(b.label(), b.description(), b.scope(), b.root(),
              true, true, "", "", r), timeout)
          .thenApply(WorkspaceGrpcService::toProto).toCompletableFuture()).toList();
      return CompletableFuture.allOf(ensured.toArray(CompletableFuture[]::new)).thenApply(v -> EnsureBuiltinsResponse
          .newBuilder().addAllWorkspaces(ensured.stream().map(CompletableFuture::join).toList()).build());
    });
  }

  @Override
  public CompletionStage<Workspace> getWorkspace(GetWorkspaceRequest in) {
    return GrpcErrors.call(() -> entity(in.getSlug()).ask(WorkspaceEntity.Get::new, timeout)
        .thenApply(WorkspaceGrpcService::toProto));
  }

  @Override
  public CompletionStage<Workspace> updateWorkspace(UpdateWorkspaceRequest in) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getSlug());
      String label = in.hasLabel() ? WorkspaceRules.text("label", in.getLabel(), WorkspaceRules.MAX_LABEL) : null;
      if (label != null && label.isEmpty()) throw GrpcErrors.invalid("label must not be empty");
      String description = in.hasDescription()
          ? WorkspaceRules.text("description", in.getDescription(), WorkspaceRules.MAX_DESCRIPTION) : null;
      var root = in.hasRoot() ? WorkspaceRules.root(in.getRoot()) : null;
      String requestId = Requests.id(in.getRequestId());
      String updatedBy = WorkspaceRules.text("updated_by", in.getUpdatedBy(), 64);
      return ref.<WorkspaceEntity.Result>ask(r -> new WorkspaceEntity.Update(label, description, root, requestId,
          updatedBy, r), timeout)
          .thenApply(WorkspaceGrpcService::toProto);
    });
  }

  @Override
  public CompletionStage<DeleteWorkspaceResponse> deleteWorkspace(DeleteWorkspaceRequest in) {
    return GrpcErrors.call(() -> entity(in.getSlug())
        .<WorkspaceEntity.Result>ask(r -> new WorkspaceEntity.Delete(Requests.id(in.getRequestId()), r), timeout).thenApply(r -> {
      toProto(r);
      return DeleteWorkspaceResponse.getDefaultInstance();
    }));
  }

  @Override
  public CompletionStage<ListWorkspacesResponse> listWorkspaces(ListWorkspacesRequest in) {
    return GrpcErrors.call(() -> {
      if (in.getOffset() < 0) throw GrpcErrors.invalid("offset must be >= 0");
      if (in.getLimit() < 0 || in.getLimit() > 1000) throw GrpcErrors.invalid("limit must be between 1 and 1000");
      if (in.getFilter().length() > 256) throw GrpcErrors.invalid("filter must be at most 256 characters");
      if (in.getScope() == Scope.UNRECOGNIZED) throw GrpcErrors.invalid("unknown scope " + in.getScopeValue());
      if (in.getOnly().getSlugsCount() > MAX_ONLY) throw GrpcErrors.invalid("only: at most " + MAX_ONLY + " slugs");
      return WorkspaceReadModel.list(system, storage, in.getOffset(), in.getLimit() == 0 ? 100 : in.getLimit(),
          in.getFilter().trim(), in.getScope(), in.hasOnly() ? in.getOnly().getSlugsList() : null);
    });
  }

  static Workspace toProto(WorkspaceEntity.Result r) {
    if (r.failure() != null) throw GrpcErrors.status(r.failure());
    WorkspaceEntity.State s = r.workspace();
    return Workspace.newBuilder().setSlug(s.slug()).setLabel(s.label()).setDescription(s.description())
        .setScope(s.scope()).setRoot(s.root().toProto()).setBuiltIn(s.builtIn()).setCreatedAt(s.createdAt())
        .setUpdatedAt(s.updatedAt()).setVersion(s.version()).setCreatedBy(s.createdBy())
        .setUpdatedBy(s.updatedBy()).build();
  }
}
