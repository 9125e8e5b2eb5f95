package arca.rest.proxy;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.settings.ServerSettings;
import arca.proto.policy.PolicyService;
import arca.proto.policy.PolicyServiceClient;
import arca.proto.token.TokenService;
import arca.proto.token.TokenServiceClient;
import arca.grpc.Clients;
import arca.rest.module.RestContext;
import arca.rest.module.RestModule;
import arca.rest.auth.AuthCache;
import arca.rest.auth.Authenticator;
import arca.rest.files.Face;
import arca.rest.gate.PolicyAccess;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

/** Starts the gateway of a node: auth cache and its feed, policy gate, REST modules, the proxy binding (HTTP/1.1 only). */
public final class Gateway {
  private Gateway() {}

  /**
   * {@code modules}: the services' REST faces; {@code faces}: the protocol faces over the files of several services
   * (registered apart, by prefix).
   */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, List<RestModule> modules, List<Face> faces,
                                                     Clients clients, BooleanSupplier ready) {
    Config config = system.settings().config();
    Path dataDir = Path.of(config.getString("arca.data-dir"));
    AuthCache cache = AuthCache.open(dataDir.resolve("cache").resolve("auth-cache.cm"));
    if (cache.rebuilt()) system.log().info("auth cache {} is new: refilling it from the token journal", cache);
    TokenService tokens = clients.client(TokenService.class, "token", TokenServiceClient::create);
    // the auth-event feed is one long-lived stream: no per-call deadline (it reconnects on failure)
    cache.startFeed(system, clients.streamingClient(TokenService.class, "token", TokenServiceClient::create));
    // REST-level policies: every authenticated request passes them (the set is cached on this node for 5 s)
    PolicyAccess policies = new PolicyAccess(clients.client(PolicyService.class, "policy", PolicyServiceClient::create));
    Authenticator auth = new Authenticator(tokens, cache, config.getString("arca.public-url") + "/oidc", policies);
    RestContext ctx = new RestContext(system, auth, clients);

    ConnectionLimits limits = ConnectionLimits.of(config);
    ServerSettings publicSettings = withExtraMethods(publicSettings(config, limits), faces);
    CompletionStage<ServerBinding> binding = Http.get(system)
        .newServerAt(config.getString("arca.http.host"), config.getInt("arca.http.port"))
        .withSettings(publicSettings)
        .bindFlow(Connections.handler(Proxy.route(ctx, modules, faces, ready).flow(system), limits));
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "stop-auth-feed", () -> {
          cache.stopFeed();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "close-auth-cache", () -> {
          cache.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    return binding.thenApply(b -> b.addToCoordinatedShutdown(Duration.ofSeconds(10), system));
  }

  /**
   * The public port's settings: HTTP/1.1 only; the remote address on each connection (for the per-client limit);
   * Akka's own accept limit above {@link ConnectionLimits#max()}, so that a connection over the limits is accepted and
   * closed at once (never left waiting in the backlog); the public idle timeout.
   */
  static ServerSettings publicSettings(Config config, ConnectionLimits limits) {
    return ServerSettings.create(ConfigFactory.parseString(
        "akka.http.server.enable-http2 = off\nakka.http.server.preview.enable-http2 = off\n"
            + "akka.http.server.remote-address-attribute = on\n"
            + "akka.http.server.max-connections = " + (limits.max() + 256) + "\n"
            + "akka.http.server.idle-timeout = " + config.getDuration("arca.http.idle-timeout").toMillis() + "ms")
        .withFallback(config));
  }

  /** The server settings with the extra methods the faces answer (WebDAV's), so that the parser accepts them. */
  public static ServerSettings withExtraMethods(ServerSettings settings, List<Face> faces) {
    HttpMethod[] extra = faces.stream().flatMap(f -> f.extraMethods().stream()).distinct().toArray(HttpMethod[]::new);
    if (extra.length == 0) return settings;
    return settings.withParserSettings(settings.getParserSettings().withCustomMethods(extra));
  }
}
