package arca.service;

import akka.actor.typed.ActorSystem;
import akka.cluster.Member;
import akka.cluster.typed.Cluster;

/** What a service may rely on while the cluster is being upgraded node by node. */
public final class Upgrades {
  private Upgrades() {}

  /**
   * Whether a member of an older build than this node is in the cluster (a rolling upgrade in progress): with
   * {@code role} only members with that role count, with null every member (gateways included).
   */
  public static boolean olderMembers(ActorSystem<?> system, String role) {
    Cluster cluster = Cluster.get(system);
    var self = cluster.selfMember().appVersion();
    for (Member m : cluster.state().getMembers()) {
      if ((role == null || m.hasRole(role)) && m.appVersion().compareTo(self) < 0) return true;
    }
    return false;
  }
}
