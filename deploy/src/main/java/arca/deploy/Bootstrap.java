package arca.deploy;

import akka.grpc.GrpcServiceException;
import arca.cluster.ServiceClients;
import arca.proto.acl.AclService;
import arca.proto.acl.AclServiceClient;
import arca.proto.acl.Action;
import arca.proto.acl.GrantRequest;
import arca.proto.policy.PolicyGroup;
import arca.proto.policy.PolicyService;
import arca.proto.policy.PolicyServiceClient;
import arca.proto.role.CreateRoleRequest;
import arca.proto.role.RoleService;
import arca.proto.role.RoleServiceClient;
import arca.proto.token.GetJwksRequest;
import arca.proto.token.TokenService;
import arca.proto.token.TokenServiceClient;
import arca.proto.tree.CreateFolderRequest;
import arca.proto.tree.TreeService;
import arca.proto.tree.TreeServiceClient;
import arca.proto.user.CreateUserRequest;
import arca.proto.user.UserService;
import arca.proto.user.UserServiceClient;
import arca.proto.workspace.EnsureBuiltinsRequest;
import arca.proto.workspace.WorkspaceService;
import arca.proto.workspace.WorkspaceServiceClient;
import arca.rest.access.Principal;
import arca.rest.gate.PolicyAccess;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * First-start data, created idempotently through the services' gRPC APIs (so any node may run it, any number of
 * times): the built-in admin role, user "admin" holding it, the token signing key, and the built-in workspaces
 * ({@code common}, {@code personal}) with the shared one's root folder (personal roots are created on first use),
 * read and write on {@code common} for every user, and the built-in policy groups ({@link BuiltinPolicies}; one an
 * admin deleted stays deleted).
 */
final class Bootstrap {
  private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);

  private Bootstrap() {}

  static CompletionStage<Void> run(ServiceClients clients, Path dataDir, String configuredPassword) {
    RoleService roles = clients.client(RoleService.class, "role", RoleServiceClient::create);
    UserService users = clients.client(UserService.class, "user", UserServiceClient::create);
    TokenService tokens = clients.client(TokenService.class, "token", TokenServiceClient::create);
    WorkspaceService workspaces = clients.client(WorkspaceService.class, "workspace", WorkspaceServiceClient::create);
    TreeService tree = clients.client(TreeService.class, "tree", TreeServiceClient::create);
    AclService acls = clients.client(AclService.class, "acl", AclServiceClient::create);
    PolicyService policies = clients.client(PolicyService.class, "policy", PolicyServiceClient::create);
    boolean generated = configuredPassword.isEmpty();
    String password = generated ? randomPassword() : configuredPassword;
    return roles.ensureRole(CreateRoleRequest.newBuilder().setId("admin").setLabel("Administrators")
            .setDescription("Full control of the platform").setProtected(true).build())
        .thenCompose(r -> ignoring(Status.Code.ALREADY_EXISTS, users.createUser(CreateUserRequest.newBuilder()
                .setLogin("admin").setPassword(password).setDisplayName("Administrator").addRoles("admin").build())
            .thenAccept(u -> {
              if (generated) writePassword(dataDir, password);
              else log.info("created user 'admin' with the password from ARCA_ADMIN_PASSWORD");
            })))
        .thenCompose(v -> tokens.getJwks(GetJwksRequest.getDefaultInstance()))
        .thenCompose(jwks -> workspaces.ensureBuiltins(EnsureBuiltinsRequest.getDefaultInstance()))
        .thenCompose(builtins -> {
          // shared roots exist from the start (personal roots are created at each user's first use)
          CompletionStage<?> roots = CompletableFuture.completedFuture(null);
          for (var w : builtins.getWorkspacesList()) {
            if (w.getRoot().getPath().contains("{login}") || w.getRoot().getPath().isEmpty()) continue;
            roots = roots.thenCompose(x -> tree.createFolder(CreateFolderRequest.newBuilder()
                .setDatasource(w.getRoot().getDatasource()).setPath(w.getRoot().getPath()).build()));
          }
          return roots;
        })
        // every user may use the common workspace (ACLs granted to the role everyone has; admins may change them)
        .thenCompose(done -> acls.grant(GrantRequest.newBuilder().setWorkspace("common").setPath("")
            .setRole(Principal.EVERYONE).setAction(Action.ACTION_READ).build()))
        .thenCompose(done -> acls.grant(GrantRequest.newBuilder().setWorkspace("common").setPath("")
            .setRole(Principal.EVERYONE).setAction(Action.ACTION_WRITE).build()))
        .thenCompose(done -> ensurePolicies(policies))
        .thenAccept(done -> { });
  }

  /**
   * Each built-in group, created once; an existing one is left as it is, a deleted one stays deleted. Then waits for
   * the read model, where gateways read the policies: the node is not ready (and bootstrap is retried) until it lists
   * every built-in group that exists, so that no gateway caches a policy set without them right after a first start.
   *
   * <p>During a rolling upgrade the policy service of a member that still runs an older build may refuse a built-in
   * group this build added (INVALID_ARGUMENT: e.g. {@code users-dav}, whose {@code dav:} resources an older build
   * does not know). That group is then left for later: every node ensures the groups at its start, so the last node
   * of the rollout, starting among members that all run this build, creates it.
   */
  private static CompletionStage<Void> ensurePolicies(PolicyService policies) {
    Set<String> existing = ConcurrentHashMap.newKeySet();
    CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
    for (var group : BuiltinPolicies.ALL) {
      chain = chain.thenCompose(x -> ignoring(Status.Code.FAILED_PRECONDITION,
          policies.ensurePolicyGroup(group).thenAccept(g -> existing.add(g.getId())))
          .handle((v, e) -> {
            if (e == null) return null;
            if (code(e) != Status.Code.INVALID_ARGUMENT) throw e instanceof CompletionException c ? c : new CompletionException(e);
            log.warn("built-in policy group '{}' refused by the policy service ({}): a member of an older build? It is"
                + " created by a later node start, once every member runs this build", group.getId(), e.getMessage());
            return null;
          }));
    }
    return chain.thenCompose(x -> PolicyAccess.allGroups(policies)).thenAccept(groups -> {
      if (!groups.stream().map(PolicyGroup::getId).toList().containsAll(existing)) {
        throw new IllegalStateException("the policy read model does not list the built-in groups yet");
      }
    });
  }

  /** Completes normally when the call succeeds or fails with {@code code} (the data is there already, or was removed). */
  private static CompletionStage<Void> ignoring(Status.Code code, CompletionStage<?> call) {
    return call.handle((v, e) -> {
      if (e == null || code(e) == code) return null;
      throw e instanceof CompletionException ce ? ce : new CompletionException(e);
    });
  }

  /** The gRPC status code of a failed call (the generated clients fail with either exception type). */
  private static Status.Code code(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof StatusRuntimeException s) return s.getStatus().getCode();
      if (t instanceof GrpcServiceException g) return g.getStatus().getCode();
    }
    return null;
  }

  private static String randomPassword() {
    byte[] b = new byte[18];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static void writePassword(Path dataDir, String password) {
    Path file = dataDir.resolve("admin-password");
    try {
      Files.createDirectories(dataDir);
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, password + "\n", StandardOpenOption.TRUNCATE_EXISTING);
      log.info("created user 'admin'; its generated password is in {} (mode 0600)", file.toAbsolutePath());
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file, e);
    }
  }
}
