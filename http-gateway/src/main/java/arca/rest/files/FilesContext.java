package arca.rest.files;

import akka.actor.ClassicActorSystemProvider;
import akka.actor.typed.ActorSystem;
import akka.grpc.GrpcChannel;
import arca.proto.acl.AclService;
import arca.proto.acl.AclServiceClient;
import arca.proto.objects.ObjectsService;
import arca.proto.objects.ObjectsServiceClient;
import arca.proto.tree.TreeService;
import arca.proto.tree.TreeServiceClient;
import arca.proto.workspace.WorkspaceService;
import arca.proto.workspace.WorkspaceServiceClient;
import arca.grpc.Clients;
import arca.rest.acl.AclAccess;
import arca.rest.auth.Authenticator;
import arca.rest.module.RestContext;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/**
 * What every files face of a node shares, built once per node: the tree, access resolution (workspaces, ACLs with
 * their cache, policies), the blobs of each datasource, and the gateway's context (authentication, the clients of
 * the other services, the clock).
 */
public record FilesContext(ActorSystem<?> system, Authenticator auth, Clients clients, TreeService tree,
                           FileAccess access, Blobs blobs, Clock clock) {

  /** Over the services' generated clients: one tree client, one ACL cache, one objects client per datasource. */
  public static FilesContext of(RestContext ctx) {
    Clients clients = ctx.clients();
    TreeService tree = clients.client(TreeService.class, "tree", TreeServiceClient::create);
    WorkspaceService workspaces = clients.client(WorkspaceService.class, "workspace", WorkspaceServiceClient::create);
    AclAccess acls = new AclAccess(clients.client(AclService.class, "acl", AclServiceClient::create));
    Map<String, ObjectsService> objects = new ConcurrentHashMap<>();
    // blob reads and writes stream for as long as the bytes flow: no per-call deadline
    Blobs blobs = new Blobs(ds -> objects.computeIfAbsent(ds,
        d -> clients.streamingClient(ObjectsService.class, "ds-" + d, ObjectsServiceClient::create)));
    return new FilesContext(ctx.system(), ctx.auth(), clients, tree,
        new FileAccess(workspaces, tree, acls, ctx.auth().policies()), blobs, Clock.systemUTC());
  }

  /** Another service's generated client, e.g. {@code client(LockService.class, "lock", LockServiceClient::create)}. */
  public <T> T client(Class<T> api, String service, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create) {
    return clients.client(api, service, create);
  }
}
