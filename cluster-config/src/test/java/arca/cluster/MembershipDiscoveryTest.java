package arca.cluster;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.MemberStatus;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Join;
import akka.discovery.Discovery;
import akka.discovery.ServiceDiscovery;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import scala.concurrent.Await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Discovery over membership, on a real one-member cluster; the bootstrap settings derived from arca.conf. */
class MembershipDiscoveryTest {
  static ActorTestKit kit;

  @BeforeAll
  static void start() {
    Config config = ConfigFactory.parseMap(Map.of(
            "akka.cluster.roles", List.of("user", "token", ServiceClients.endpointRole("10.1.2.3", 18090)),
            "akka.remote.artery.canonical.port", 0,
            "akka.coordinated-shutdown.exit-jvm", "off",
            "arca.grpc.call-timeout", "5s"))
        // the cluster settings alone (arca.conf's serialization bindings name classes of other modules)
        .withFallback(ConfigFactory.parseResources("arca-cluster.conf")).withFallback(ConfigFactory.load()).resolve();
    kit = ActorTestKit.create("arca", config);
    Cluster cluster = Cluster.get(kit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (cluster.selfMember().status() != MemberStatus.up() && System.nanoTime() < until) {
      Thread.onSpinWait();
    }
    assertEquals(MemberStatus.up(), cluster.selfMember().status());
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static List<String> lookup(String name) throws Exception {
    ServiceDiscovery discovery = Discovery.get(kit.system()).loadServiceDiscovery(MembershipDiscovery.METHOD);
    ServiceDiscovery.Resolved resolved = Await.result(
        discovery.lookup(name, scala.concurrent.duration.Duration.create(3, TimeUnit.SECONDS)),
        scala.concurrent.duration.Duration.create(3, TimeUnit.SECONDS));
    return resolved.getAddresses().stream().map(t -> t.host() + ":" + t.getPort().orElseThrow()).toList();
  }

  @Test
  void resolvesTheServicesThisMemberRuns() throws Exception {
    assertEquals(List.of("10.1.2.3:18090"), lookup(MembershipDiscovery.serviceName("user")));
    assertEquals(List.of("10.1.2.3:18090"), lookup("arca.grpc.token"));
    assertEquals(List.of(), lookup("arca.grpc.role"), "a service no member runs resolves to nothing");
    assertEquals(List.of(), lookup("something-else"));
    assertEquals(List.of("10.1.2.3:18090"), new ServiceClients(kit.system()).endpoints("user"));
  }

  @Test
  void bootstrapWithConfigDiscoveryListsTheContactPoints() {
    Config c = ConfigFactory.parseMap(Map.of(
            "arca.cluster.bootstrap.method", "config",
            "arca.cluster.bootstrap.contact-points", "127.0.0.1:8601, 127.0.0.1:8602,node3.lan:8558",
            "arca.cluster.bootstrap.required-contact-points", 3))
        .withFallback(ArcaConfig.load(ConfigFactory.empty()));
    Config b = ArcaConfig.bootstrap(c);
    assertEquals("config", b.getString("akka.management.cluster.bootstrap.contact-point-discovery.discovery-method"));
    assertEquals(3, b.getInt("akka.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
    var endpoints = b.getConfigList("akka.discovery.config.services.arca.endpoints");
    assertEquals(List.of("127.0.0.1:8601", "127.0.0.1:8602", "node3.lan:8558"),
        endpoints.stream().map(e -> e.getString("host") + ":" + e.getInt("port")).toList());
  }

  @Test
  void bootstrapIsOffWithSeedNodesOrWithoutAMethodAndRejectsBadSettings() {
    Config base = ArcaConfig.load(ConfigFactory.empty());
    assertTrue(ArcaConfig.bootstrap(base).isEmpty());
    Config seeded = ConfigFactory.parseMap(Map.of("arca.cluster.bootstrap.method", "config",
        "arca.cluster.seed-nodes", "127.0.0.1:25520")).withFallback(base);
    assertTrue(ArcaConfig.bootstrap(seeded).isEmpty(), "seed nodes win");
    var unknown = assertThrows(IllegalArgumentException.class, () -> ArcaConfig.bootstrap(
        ConfigFactory.parseMap(Map.of("arca.cluster.bootstrap.method", "dns")).withFallback(base)));
    assertTrue(unknown.getMessage().contains("dns"), unknown.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ArcaConfig.bootstrap(
        ConfigFactory.parseMap(Map.of("arca.cluster.bootstrap.method", "config")).withFallback(base)));
    assertThrows(IllegalArgumentException.class, () -> ArcaConfig.bootstrap(ConfigFactory.parseMap(Map.of(
        "arca.cluster.bootstrap.method", "config", "arca.cluster.bootstrap.contact-points", "127.0.0.1")).withFallback(base)));
  }
}
