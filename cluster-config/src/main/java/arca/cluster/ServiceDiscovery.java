package arca.cluster;

import akka.actor.typed.ActorSystem;
import akka.grpc.GrpcClientSettings;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.util.List;

/**
 * How a node finds the gRPC endpoint of a service ({@code arca.grpc.<name>}). Clients are built from Akka
 * Discovery, so the way endpoints are found is configuration, not code.
 */
public final class ServiceDiscovery {
  private ServiceDiscovery() {}

  public static String grpcName(String service) {
    return "arca.grpc." + service;
  }

  /** Client settings for a service: resolved through Akka Discovery, plaintext (internal port), with a deadline. */
  public static GrpcClientSettings clientSettings(String service, ActorSystem<?> system) {
    Config config = system.settings().config();
    return GrpcClientSettings.usingServiceDiscovery(grpcName(service), system)
        .withTls(false)
        .withDeadline(config.getDuration("arca.grpc.call-timeout"));
  }

  /**
   * Discovery overlay for a single node: every service resolves to this node's gRPC port. (A cluster resolves
   * over membership instead.)
   */
  public static Config localDiscovery(List<String> services, String grpcHost, int grpcPort) {
    StringBuilder b = new StringBuilder("akka.discovery.method = config\n");
    String host = grpcHost.equals("0.0.0.0") ? "127.0.0.1" : grpcHost;
    for (String s : services) {
      b.append("akka.discovery.config.services.\"").append(grpcName(s)).append("\".endpoints = [{host = \"")
          .append(host).append("\", port = ").append(grpcPort).append("}]\n");
    }
    return ConfigFactory.parseString(b.toString());
  }
}
