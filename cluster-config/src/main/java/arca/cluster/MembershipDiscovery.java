package arca.cluster;

import akka.actor.ActorSystem;
import akka.actor.ExtendedActorSystem;
import akka.cluster.Cluster;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.discovery.Lookup;
import akka.discovery.ServiceDiscovery;
import scala.Option;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.jdk.javaapi.CollectionConverters;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Akka Discovery over cluster membership (method {@code arca-cluster}): resolves {@code arca.grpc.<name>} to the
 * gRPC endpoints of the reachable Up members that run service {@code <name>}. A member running a service has the
 * role {@code <name>} and advertises its gRPC endpoint as the role {@code grpc@<host>:<port>}, so the answer follows
 * membership: a node that joins, leaves or becomes unreachable changes it as soon as the cluster sees it.
 *
 * <p>Usable wherever Akka expects a discovery method, e.g. {@code GrpcClientSettings.usingServiceDiscovery(
 * "arca.grpc.user", Discovery.get(system).loadServiceDiscovery("arca-cluster"), system)}. {@link ServiceClients}
 * reads the same answer synchronously, per call.
 */
public final class MembershipDiscovery extends ServiceDiscovery {
  public static final String METHOD = "arca-cluster";
  public static final String PREFIX = "arca.grpc.";
  public static final String ENDPOINT_ROLE = "grpc@";

  private final ActorSystem system;

  public MembershipDiscovery(ExtendedActorSystem system) {
    this.system = system;
  }

  /** The discovery name of a service. */
  public static String serviceName(String service) {
    return PREFIX + service;
  }

  @Override
  public Future<Resolved> lookup(Lookup lookup, FiniteDuration resolveTimeout) {
    String name = lookup.serviceName();
    List<ResolvedTarget> targets = new ArrayList<>();
    if (name.startsWith(PREFIX)) {
      for (String endpoint : endpoints(Cluster.get(system).state(), name.substring(PREFIX.length()))) {
        int colon = endpoint.lastIndexOf(':');
        @SuppressWarnings("unchecked") // Scala's Option[Int] is Option<Object> to Java
        Option<Object> port = (Option<Object>) (Object) Option.apply(Integer.parseInt(endpoint.substring(colon + 1)));
        targets.add(new ResolvedTarget(endpoint.substring(0, colon), port, Option.empty()));
      }
    }
    return Future.successful(new Resolved(name, CollectionConverters.asScala(targets).toList()));
  }

  /** The gRPC endpoints (host:port) of the reachable Up members running {@code service}, in address order. */
  public static List<String> endpoints(ClusterEvent.CurrentClusterState state, String service) {
    Set<Member> unreachable = new HashSet<>();
    state.getUnreachable().forEach(unreachable::add);
    List<String> out = new ArrayList<>();
    for (Member m : state.getMembers()) {
      if (!(m.status() == MemberStatus.up() || m.status() == MemberStatus.weaklyUp()) || unreachable.contains(m)
          || !m.hasRole(service)) {
        continue;
      }
      endpoint(m).ifPresent(out::add);
    }
    return out;
  }

  /** The gRPC endpoint a member advertises, if it runs any service. */
  public static Optional<String> endpoint(Member member) {
    return member.getRoles().stream().filter(r -> r.startsWith(ENDPOINT_ROLE)).findFirst()
        .map(r -> r.substring(ENDPOINT_ROLE.length()));
  }
}
