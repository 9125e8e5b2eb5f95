package arca.rest.proxy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the public port's open connections, in all and per remote address, and admits a new one only within
 * {@link ConnectionLimits}. A refused connection is closed at once, before it costs more than its accept; refusals
 * are logged at INFO, at most one line per 10 s.
 */
final class ConnectionGate {
  private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);
  private static final long LOG_EVERY_NANOS = 10_000_000_000L;

  private final ConnectionLimits limits;
  /** Open connections per client: an IPv4 address, or an IPv6 /64 (one host commonly holds a whole /64). */
  private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();
  private int total;
  private final AtomicLong refused = new AtomicLong();
  private volatile long lastLog = System.nanoTime() - LOG_EVERY_NANOS;

  ConnectionGate(ConnectionLimits limits) {
    this.limits = limits;
  }

  /** A connection from this address, if the limits allow it: release it when the connection ends. */
  Optional<Runnable> admit(InetAddress address) {
    boolean trusted = address != null && limits.trusted(address);
    String client = client(address);
    synchronized (this) {
      int fromThere = client == null ? 0 : perAddress.getOrDefault(client, 0);
      int ceiling = trusted ? limits.max() : limits.max() - limits.reserved();
      if (total >= ceiling || !trusted && fromThere >= limits.perClient()) {
        refuse(address, total >= ceiling ? "the node has " + total + " connections" : "it has " + fromThere + " connections");
        return Optional.empty();
      }
      total++;
      if (client != null) perAddress.merge(client, 1, Integer::sum);
    }
    return Optional.of(new Runnable() {
      private boolean released;

      @Override
      public void run() {
        synchronized (ConnectionGate.this) {
          if (released) return;
          released = true;
          total--;
          if (client != null) perAddress.computeIfPresent(client, (a, n) -> n <= 1 ? null : n - 1);
        }
      }
    });
  }

  /** The key a connection counts under: its IPv4 address, or the /64 network of its IPv6 address. */
  static String client(InetAddress address) {
    if (address == null) return null;
    byte[] raw = address.getAddress();
    if (raw.length != 16) return address.getHostAddress();
    StringBuilder b = new StringBuilder("v6:");
    for (int i = 0; i < 8; i++) b.append(String.format("%02x", raw[i]));
    return b.append("::/64").toString();
  }

  synchronized int open() {
    return total;
  }

  private void refuse(InetAddress address, String why) {
    long count = refused.incrementAndGet();
    long now = System.nanoTime();
    if (now - lastLog >= LOG_EVERY_NANOS) {
      lastLog = now;
      log.info("connection refused from {}: {} (limits: {} per client, {} in all; {} refused since start)",
          address == null ? "an unknown address" : address.getHostAddress(), why, limits.perClient(), limits.max(), count);
    }
  }
}
