package arca.deploy;

import akka.actor.ExtendedActorSystem;
import akka.cluster.Cluster;
import akka.cluster.Member;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.management.javadsl.ManagementRouteProvider;
import akka.management.javadsl.ManagementRouteProviderSettings;
import arca.rest.Json;
import scala.jdk.javaapi.CollectionConverters;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static akka.http.javadsl.server.Directives.*;

/**
 * {@code GET /arca/members} on the management port: every member as this node sees it, oldest first, with its
 * {@code akka.cluster.app-version} (Akka Management's {@code /cluster/members} has no version), status,
 * reachability and roles. Read by {@code local-cluster status} and {@code rolling-upgrade}.
 */
public final class ClusterMembersRoute implements ManagementRouteProvider {
  private final ExtendedActorSystem system;

  public ClusterMembersRoute(ExtendedActorSystem system) {
    this.system = system;
  }

  record MemberView(String node, String status, String appVersion, boolean reachable, List<String> roles) {}

  record Members(String selfNode, String selfStatus, String selfAppVersion, String leader, List<MemberView> members) {}

  @Override
  public Route routes(ManagementRouteProviderSettings settings) {
    return path(PathMatchers.segment("arca").slash("members"), () -> get(() -> extractRequest(r ->
        complete(Json.response(StatusCodes.OK, snapshot(Cluster.get(system)))))));
  }

  static Members snapshot(Cluster cluster) {
    var state = cluster.state();
    Set<Member> unreachable = CollectionConverters.asJava(state.unreachable());
    List<Member> members = new ArrayList<>(CollectionConverters.asJava(state.members()));
    members.sort(Member.ageOrdering());
    List<MemberView> views = members.stream().map(m -> new MemberView(m.address().toString(), m.status().toString(),
        m.appVersion().version(), !unreachable.contains(m),
        CollectionConverters.asJava(m.roles()).stream().sorted().collect(Collectors.toList()))).toList();
    Member self = cluster.selfMember();
    String leader = state.getLeader() == null ? null : state.getLeader().toString();
    return new Members(self.address().toString(), self.status().toString(), self.appVersion().version(), leader, views);
  }
}
