package arca.deploy;

import arca.rest.module.RestModule;
import arca.rest.role.RoleRoutes;
import arca.rest.token.OidcRoutes;
import arca.rest.user.UserRoutes;
import arca.role.RoleModule;
import arca.service.ServiceModule;
import arca.token.TokenModule;
import arca.acl.AclModule;
import arca.policy.PolicyModule;
import arca.lock.LockModule;
import arca.objects.ObjectsModule;
import arca.tree.TreeModule;
import arca.user.UserModule;
import arca.workspace.WorkspaceModule;
import arca.rest.acl.AclRoutes;
import arca.rest.policy.PolicyRoutes;
import arca.rest.workspace.WorkspaceRoutes;

import java.util.List;

/**
 * Every service of the platform, in one explicit list: its gRPC side and its own REST face. The protocol faces over
 * the files of several services (/a/nodes, /io, /dav, /a/locks) are listed apart, in {@link Faces}.
 */
public final class Services {
  /** rest: the service's REST face, or null when it has none of its own (it is reached through the files faces). */
  public record Service(ServiceModule grpc, RestModule rest) {
    public String name() {
      return grpc.name();
    }
  }

  public static final List<Service> ALL = List.of(
      new Service(new UserModule(), new UserRoutes()),
      new Service(new RoleModule(), new RoleRoutes()),
      new Service(new TokenModule(), new OidcRoutes()),
      new Service(new WorkspaceModule(), new WorkspaceRoutes()),
      new Service(new TreeModule(), null),
      new Service(new ObjectsModule(), null),
      new Service(new AclModule(), new AclRoutes()),
      new Service(new PolicyModule(), new PolicyRoutes()),
      new Service(new LockModule(), null));

  public static List<String> names() {
    return ALL.stream().map(Service::name).toList();
  }

  private Services() {}
}
