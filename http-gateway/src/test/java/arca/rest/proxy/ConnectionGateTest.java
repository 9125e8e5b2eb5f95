package arca.rest.proxy;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-client count: an IPv4 address, an IPv6 /64 (a host with a /64 cannot multiply its share by its addresses). */
class ConnectionGateTest {
  private final ConnectionGate gate = new ConnectionGate(
      new ConnectionLimits(100, 2, 10, Duration.ofSeconds(10), Duration.ofSeconds(60), List.of()));

  private Optional<Runnable> admit(String address) throws Exception {
    return gate.admit(InetAddress.getByName(address));
  }

  @Test
  void addressesOfOneIpv6SlashSixtyFourShareOneLimit() throws Exception {
    assertTrue(admit("2001:db8:1:2::1").isPresent());
    Optional<Runnable> second = admit("2001:db8:1:2:ffff::7");
    assertTrue(second.isPresent());
    assertTrue(admit("2001:db8:1:2:abcd::9").isEmpty(), "a third address of the same /64 is over the limit");
    assertTrue(admit("2001:db8:1:3::1").isPresent(), "another /64 is another client");
    second.get().run();
    assertTrue(admit("2001:db8:1:2::42").isPresent(), "a released connection frees its place");
  }

  @Test
  void ipv4AddressesCountAlone() throws Exception {
    assertTrue(admit("192.0.2.1").isPresent());
    assertTrue(admit("192.0.2.1").isPresent());
    assertTrue(admit("192.0.2.1").isEmpty());
    assertTrue(admit("192.0.2.2").isPresent());
    assertEquals("192.0.2.1", ConnectionGate.client(InetAddress.getByName("192.0.2.1")));
    assertEquals("v6:20010db800010002::/64", ConnectionGate.client(InetAddress.getByName("2001:db8:1:2::5")));
  }
}
