package arca.testkit;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.grpc.GrpcClientSettings;
import akka.grpc.javadsl.ServiceHandler;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;
import arca.acl.AclModule;
import arca.cluster.ArcaConfig;
import arca.cluster.ServiceClients;
import arca.lock.LockModule;
import arca.objects.ObjectsModule;
import arca.persistence.ServiceStorage;
import arca.policy.PolicyModule;
import arca.proto.acl.AclServiceClient;
import arca.proto.lock.LockServiceClient;
import arca.proto.objects.ObjectsServiceClient;
import arca.proto.policy.PolicyServiceClient;
import arca.proto.role.RoleServiceClient;
import arca.proto.token.TokenServiceClient;
import arca.proto.tree.TreeServiceClient;
import arca.proto.user.UserServiceClient;
import arca.proto.workspace.WorkspaceServiceClient;
import arca.role.RoleModule;
import arca.service.ServiceContext;
import arca.service.ServiceModule;
import arca.token.TokenModule;
import arca.tree.TreeModule;
import arca.user.UserModule;
import arca.workspace.WorkspaceModule;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One Arca node running every service of {@link #MODULES}, wired the way deploy's {@code Node} does it (which
 * actors cannot depend on): configuration overlay, per-service storage, a single-node cluster, each module's
 * {@code start}, one gRPC binding; tests talk to it only through the generated clients.
 */
public final class TestNode implements AutoCloseable {
  public static final List<ServiceModule> MODULES = List.of(new UserModule(), new RoleModule(), new TokenModule(),
      new WorkspaceModule(), new TreeModule(), new ObjectsModule(), new AclModule(), new PolicyModule(), new LockModule());
  public static final List<String> SERVICES = MODULES.stream().map(ServiceModule::name).toList();
  private static final Duration STARTUP = Duration.ofSeconds(30);

  public final ActorSystem<Void> system;
  public final Config config;
  public final UserServiceClient users;
  public final RoleServiceClient roles;
  public final TokenServiceClient tokens;
  public final WorkspaceServiceClient workspaces;
  public final TreeServiceClient tree;
  public final ObjectsServiceClient objects;
  public final AclServiceClient acls;
  public final PolicyServiceClient policies;
  public final LockServiceClient locks;
  private final List<ServiceStorage> storages;

  private TestNode(ActorSystem<Void> system, Config config, List<ServiceStorage> storages) {
    this.system = system;
    this.config = config;
    this.storages = storages;
    // the generated clients, pointed straight at this node's gRPC port
    int port = config.getInt("arca.grpc.port");
    this.users = UserServiceClient.create(direct(port, system), system);
    this.roles = RoleServiceClient.create(direct(port, system), system);
    this.tokens = TokenServiceClient.create(direct(port, system), system);
    this.workspaces = WorkspaceServiceClient.create(direct(port, system), system);
    this.tree = TreeServiceClient.create(direct(port, system), system);
    this.objects = ObjectsServiceClient.create(direct(port, system), system);
    this.acls = AclServiceClient.create(direct(port, system), system);
    this.policies = PolicyServiceClient.create(direct(port, system), system);
    this.locks = LockServiceClient.create(direct(port, system), system);
  }

  private static GrpcClientSettings direct(int port, ActorSystem<?> system) {
    return GrpcClientSettings.connectToServiceAt("127.0.0.1", port, system).withTls(false)
        .withDeadline(system.settings().config().getDuration("arca.grpc.call-timeout"));
  }

  /**
   * Test settings: cheap password hashing, fast read models, throttling after 3 failures, and every message
   * serialized even within the node (so a message that could not cross nodes fails here).
   */
  public static Config testSettings(Path dataDir, int grpcPort) {
    return ConfigFactory.parseString("""
            akka.remote.artery.canonical.port = 0
            akka.cluster.roles = [user, role, token, workspace, tree, objects]
            akka.cluster.jmx.multi-mbeans-in-same-jvm = on
            akka.coordinated-shutdown.exit-jvm = off
            akka.coordinated-shutdown.run-by-jvm-shutdown-hook = off
            # every message sent on a test node goes through its serializer and back, as between two nodes
            akka.actor.serialize-messages = on
            akka.actor.serialize-creators = off
            arca.grpc.host = "127.0.0.1"
            arca.public-url = "http://localhost:1"
            arca.user.argon2 { memory-kib = 1024, iterations = 1 }
            arca.tree.sweep-interval = 2s
            arca.persistence.refresh-interval = 100ms
            arca.token.login-throttle.max-failures = 3
            """)
        .withValue("arca.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toAbsolutePath().toString()))
        .withValue("arca.grpc.port", ConfigValueFactory.fromAnyRef(grpcPort));
  }

  /** Starts a node on the given data directory and database; blocks until it is up and serving gRPC. */
  public static TestNode start(Path dataDir, TestDatabase database) {
    int port = freePort();
    Config base = ArcaConfig.load(testSettings(dataDir, port).withFallback(database.overlay()));
    Config config = ConfigFactory.empty()
        .withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(
            Stream.concat(SERVICES.stream(),
                Stream.concat(Stream.of(ServiceClients.endpointRole("127.0.0.1", port)),
                    ObjectsModule.hostedDatasources(base).stream().map(ObjectsModule::datasourceRole))).toList()))
        .withFallback(ServiceStorage.pluginConfig(base, SERVICES))
        .withFallback(base)
        .resolve();

    List<ServiceStorage> storages = new ArrayList<>();
    for (String service : SERVICES) storages.add(ServiceStorage.open(service, config));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "arca", config);
    TestNode node = new TestNode(system, config, storages);
    try {
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      List<Function<HttpRequest, CompletionStage<HttpResponse>>> handlers = new ArrayList<>();
      for (int i = 0; i < MODULES.size(); i++) {
        handlers.add(MODULES.get(i).start(
            new ServiceContext(system, storages.get(i), new ServiceClients(system))));
      }
      @SuppressWarnings("unchecked")
      Function<HttpRequest, CompletionStage<HttpResponse>>[] all = handlers.toArray(new Function[0]);
      Http.get(system).newServerAt("127.0.0.1", port).bind(ServiceHandler.concatOrNotFound(all))
          .toCompletableFuture().get(STARTUP.toMillis(), TimeUnit.MILLISECONDS);
      Calls.eventually(STARTUP, () -> cluster.selfMember().status(), s -> s == MemberStatus.up(), "cluster member Up");
      return node;
    } catch (Exception | AssertionError e) {
      node.close();
      throw new IllegalStateException("test node did not start", e);
    }
  }

  public ServiceStorage storage(String service) {
    return storages.get(SERVICES.indexOf(service));
  }

  /** Stops the node (clients, actor system, then the storages' connection pools) and waits for it. */
  @Override
  public void close() {
    try {
      users.close();
      roles.close();
      tokens.close();
      workspaces.close();
      objects.close();
      acls.close();
      policies.close();
      locks.close();
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(STARTUP.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("test node did not stop", e);
    } finally {
      storages.forEach(ServiceStorage::close);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
