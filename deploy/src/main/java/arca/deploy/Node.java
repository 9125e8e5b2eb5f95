package arca.deploy;

import akka.Done;
import akka.actor.AddressFromURIString;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.cluster.typed.JoinSeedNodes;
import akka.grpc.GrpcServiceException;
import akka.grpc.ServiceDescription;
import akka.grpc.javadsl.ServerReflection;
import akka.grpc.javadsl.ServiceHandler;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.scaladsl.model.ContentType;
import akka.http.scaladsl.model.HttpEntity;
import akka.http.scaladsl.model.HttpHeader;
import akka.http.scaladsl.model.headers.RawHeader;
import akka.japi.function.Function;
import akka.management.cluster.bootstrap.ClusterBootstrap;
import akka.management.javadsl.AkkaManagement;
import akka.stream.scaladsl.Source;
import arca.cluster.ArcaConfig;
import arca.cluster.ServiceClients;
import arca.objects.ObjectsModule;
import arca.persistence.ServiceStorage;
import arca.rest.proxy.Gateway;
import arca.service.ServiceContext;
import arca.token.MasterKey;
import arca.token.TokenModule;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.jdk.javaapi.CollectionConverters;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Arca node: opens (and migrates) the storage of the services it runs, starts the actor system as a cluster
 * member with those services as roles, starts each service and binds their gRPC handlers on the internal port,
 * then the gateway on the public port, and finally makes sure first-start data exists.
 */
public final class Node {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  public final ActorSystem<Void> system;
  public final Config config;
  private final AtomicBoolean ready = new AtomicBoolean(false);
  private final AtomicBoolean stopping = new AtomicBoolean(false);
  private final CompletableFuture<Void> started = new CompletableFuture<>();

  /** The request paths ({@code /<service>/<method>}) of the gRPC methods whose request is a stream. */
  static Set<String> clientStreamingPaths(List<ServiceDescription> services) {
    Set<String> paths = new HashSet<>();
    for (ServiceDescription d : services) {
      for (var service : d.descriptor().getServices()) {
        for (var method : service.getMethods()) {
          if (method.toProto().getClientStreaming()) paths.add("/" + service.getFullName() + "/" + method.getName());
        }
      }
    }
    return paths;
  }

  /**
   * A gRPC UNAVAILABLE answer meaning "not processed" (see {@link ServiceClients#DRAINING}). The status travels in HTTP/2
   * trailers (the last chunk), as gRPC clients expect after response headers.
   */
  private static HttpResponse draining() {
    var trailers = CollectionConverters.asScala(List.<HttpHeader>of(RawHeader.apply("grpc-status", "14"),
        RawHeader.apply("grpc-message", ServiceClients.DRAINING))).toList();
    HttpEntity.ChunkStreamPart last = HttpEntity.LastChunk$.MODULE$.apply("", trailers);
    var grpc = (ContentType) MediaTypes.customBinary("application", "grpc", false).toContentType();
    return HttpResponse.create().withEntity(HttpEntity.Chunked$.MODULE$.apply(grpc,
        (Source<HttpEntity.ChunkStreamPart, Object>) (Object) Source.single(last)));
  }

  private Node(ActorSystem<Void> system, Config config) {
    this.system = system;
    this.config = config;
  }

  /** Loads configuration (overlay first, then arca.conf and the environment) and starts the node. */
  public static Node start(Config overlay) {
    PrivateData.restrictUmask();
    Config base = ArcaConfig.load(overlay);
    List<String> services = ArcaConfig.enabledServices(base, Services.names());
    MasterKey masterKey = PrivateData.prepare(base, services.contains(TokenModule.NAME));
    String publicUrl = base.getString("arca.public-url").isBlank()
        ? "http://localhost:" + base.getInt("arca.http.port") : base.getString("arca.public-url").replaceAll("/+$", "");
    // roles: the services this node runs, and (when it runs any) where its gRPC port is reached
    List<String> roles = new ArrayList<>(services);
    if (!services.isEmpty()) {
      String advertised = base.getString("arca.grpc.advertise-host").isBlank()
          ? base.getString("akka.remote.artery.canonical.hostname") : base.getString("arca.grpc.advertise-host");
      roles.add(ServiceClients.endpointRole(advertised, base.getInt("arca.grpc.port")));
    }
    // the datasources whose folder this node has: their bytes are served here (objects service)
    if (services.contains(ObjectsModule.NAME)) {
      ObjectsModule.hostedDatasources(base).forEach(ds -> roles.add(ObjectsModule.datasourceRole(ds)));
    }
    String appVersion = AppVersion.of(base);
    Config extra = ConfigFactory.empty()
        .withValue("arca.public-url", ConfigValueFactory.fromAnyRef(publicUrl))
        // the build's version: shard allocation prefers the newest members during a rollout (AppVersion)
        .withValue("akka.cluster.app-version", ConfigValueFactory.fromAnyRef(appVersion))
        // management: GET /arca/members (members with their versions); /ready also asks whether this node is ready
        .withValue("akka.management.http.routes.arca-members", ConfigValueFactory.fromAnyRef(ClusterMembersRoute.class.getName()))
        .withValue("akka.management.health-checks.readiness-checks.arca-node", ConfigValueFactory.fromAnyRef(NodeReadiness.class.getName()))
        .withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(roles))
        // no automatic join: the node joins once its gRPC port serves (see init), so no member ever routes a call
        // to a node that cannot take it yet; the seed nodes are arca.cluster.seed-nodes
        .withValue("akka.cluster.seed-nodes", ConfigValueFactory.fromIterable(List.of()))
        .withFallback(ArcaConfig.bootstrap(base))
        .withFallback(ServiceStorage.pluginConfig(base, services));
    Config config = extra.withFallback(base).resolve();

    List<ServiceStorage> storages = new ArrayList<>();
    for (String s : services) storages.add(ServiceStorage.open(s, config));
    // the embedded database's files, should they predate the umask (an H2 database is private like the rest)
    PrivateData.tighten(Path.of(config.getString("arca.data-dir")).resolve("db"));
    if (masterKey != null) {
      try {
        masterKey.checkAgainst(storages.get(services.indexOf(TokenModule.NAME)).dataSource());
      } catch (IllegalStateException e) {
        storages.forEach(ServiceStorage::close);
        throw new PrivateData.Refused(e.getMessage());
      }
    }

    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "arca", config);
    log.info("app version {}", appVersion);
    Node node = new Node(system, config);
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "close-storage", () -> {
          storages.forEach(ServiceStorage::close);
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    node.init(services, storages);
    return node;
  }

  private void init(List<String> services, List<ServiceStorage> storages) {
    Cluster cluster = Cluster.get(system);
    NodeReadiness.register(system, ready::get);
    // a stopping node is no longer ready (/readyz, management /ready) from the moment it starts to unbind
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "not-ready", () -> {
          stopping.set(true);
          ready.set(false);
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    // every member runs the default Distributed Data replicator: sharded daemon processes (read-model projections)
    // keep their state there with majority writes across all members, gateway-only nodes included
    DistributedData.get(system);
    AkkaManagement.get(system).start()
        .thenAccept(uri -> log.info("management on {}", uri));
    ServiceClients pool = new ServiceClients(system);
    system.scheduler().scheduleWithFixedDelay(Duration.ofSeconds(30), Duration.ofSeconds(30), pool::closeDeparted,
        system.executionContext());

    List<Function<HttpRequest, CompletionStage<HttpResponse>>> handlers = new ArrayList<>();
    List<ServiceDescription> descriptions = new ArrayList<>();
    for (int i = 0; i < services.size(); i++) {
      String name = services.get(i);
      var module = Services.ALL.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow().grpc();
      handlers.add(module.start(new ServiceContext(system, storages.get(i), pool)));
      descriptions.add(module.description());
    }
    CompletionStage<?> grpcBound = CompletableFuture.completedFuture(null);
    if (!handlers.isEmpty()) {
      handlers.add(ServerReflection.create(descriptions, system));
      @SuppressWarnings("unchecked")
      Function<HttpRequest, CompletionStage<HttpResponse>>[] array = handlers.toArray(new Function[0]);
      // once the node starts stopping, new calls are refused at once, unprocessed, so callers send them elsewhere
      AtomicBoolean draining = new AtomicBoolean(false);
      CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
          "grpc-drain", () -> {
            draining.set(true);
            return CompletableFuture.completedFuture(Done.getInstance());
          });
      Function<HttpRequest, CompletionStage<HttpResponse>> grpc = ServiceHandler.concatOrNotFound(array);
      // ... except calls that stream their request (an upload): a caller cannot send those again (the stream is
      // used up), so a stopping node still takes them; it keeps serving gRPC until after it left the cluster
      Set<String> streamedIn = clientStreamingPaths(descriptions);
      Function<HttpRequest, CompletionStage<HttpResponse>> drainable = request ->
          draining.get() && !streamedIn.contains(request.getUri().path())
              ? CompletableFuture.completedFuture(draining()) : grpc.apply(request);
      grpcBound = Http.get(system).newServerAt(config.getString("arca.grpc.host"), config.getInt("arca.grpc.port"))
          .bind(drainable)
          .thenApply(b -> {
            log.info("gRPC ({}) on {}", String.join(", ", services), b.localAddress());
            // Graceful stop: the public port unbinds first (clients move to other nodes); the gRPC port keeps
            // serving other nodes' gateways while shards hand off and the node leaves (members that are not Up
            // get no new calls), and closes last.
            CoordinatedShutdown.get(system).addTask(
                CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "grpc-unbind",
                () -> b.terminate(Duration.ofSeconds(5)).thenApply(t -> Done.getInstance()));
            return b;
          });
    }
    // Start-up order, so that a node takes work only when it can do it (a rolling upgrade starts nodes under load):
    // gRPC port bound -> join the cluster (other members route calls here once it is Up) -> first-start work ->
    // public port bound (nginx or a load balancer sends requests here from then on) -> ready.
    grpcBound
        .thenRun(() -> join(cluster))
        .thenCompose(v -> bootstrapWithRetry(pool, Duration.ofSeconds(120)))
        .thenCompose(v -> Gateway.start(system, Services.ALL.stream().map(Services.Service::rest)
            .filter(Objects::nonNull).toList(), Faces.ALL, pool, ready::get))
        .thenAccept(h -> log.info("HTTP (public) on {}", h.localAddress()))
        .whenComplete((v, e) -> {
          if (e != null) {
            log.error("node failed to start", e);
            started.completeExceptionally(e);
            system.terminate();
          } else {
            ready.set(!stopping.get());
            log.info("node ready: services [{}]", String.join(", ", services));
            started.complete(null);
          }
        });
  }

  /** Joins the seed nodes, or forms/joins the cluster through Cluster Bootstrap, or makes a cluster of one. */
  private void join(Cluster cluster) {
    List<String> seeds = ArcaConfig.seedNodes(config);
    if (!seeds.isEmpty()) {
      cluster.manager().tell(new JoinSeedNodes(seeds.stream().map(AddressFromURIString::parse).toList()));
    } else if (!ArcaConfig.bootstrapMethod(config).isEmpty()) {
      // no seed nodes: the nodes find each other's management endpoints and form (or join) the cluster
      ClusterBootstrap.get(system).start();
    } else {
      // no seed nodes, no bootstrap: a cluster of one
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
  }

  private CompletionStage<Void> bootstrapWithRetry(ServiceClients pool, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    Path dataDir = Path.of(config.getString("arca.data-dir"));
    CompletableFuture<Void> done = new CompletableFuture<>();
    attempt(pool, dataDir, deadline, done);
    return done;
  }

  private void attempt(ServiceClients pool, Path dataDir, long deadline, CompletableFuture<Void> done) {
    Bootstrap.run(pool, dataDir, config.getString("arca.admin-password")).whenComplete((v, e) -> {
      if (e == null) {
        done.complete(null);
      } else if (System.nanoTime() > deadline || refused(e)) {
        done.completeExceptionally(e);
      } else {
        log.debug("bootstrap not yet possible ({}); retrying", e.toString());
        system.scheduler().scheduleOnce(Duration.ofMillis(500), () -> attempt(pool, dataDir, deadline, done), system.executionContext());
      }
    });
  }

  /** A service refused the first-start data itself (a configuration error, e.g. a too short admin password): no retry helps. */
  private static boolean refused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      Status.Code code = t instanceof GrpcServiceException g ? g.getStatus().getCode()
          : t instanceof StatusRuntimeException s ? s.getStatus().getCode() : null;
      if (code == Status.Code.INVALID_ARGUMENT) return true;
    }
    return false;
  }

  public boolean isReady() {
    return ready.get() && Cluster.get(system).selfMember().status() == MemberStatus.up();
  }

  /** Completes when the node is bound and its first-start data exists. */
  public CompletionStage<Void> started() {
    return started;
  }

  public CompletionStage<Done> stop() {
    system.terminate();
    return system.getWhenTerminated();
  }
}
