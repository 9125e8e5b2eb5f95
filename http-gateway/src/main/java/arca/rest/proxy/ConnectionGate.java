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
  private final ConcurrentHashMap<InetAddress, Integer> perAddress = new ConcurrentHashMap<>();
  private int total;
  private final AtomicLong refused = new AtomicLong();
  private volatile long lastLog = System.nanoTime() - LOG_EVERY_NANOS;

  ConnectionGate(ConnectionLimits limits) {
    this.limits = limits;
  }

  /** A connection from this address, if the limits allow it: release it when the connection ends. */
  Optional<Runnable> admit(InetAddress address) {
    boolean trusted = address != null && limits.trusted(address);
    synchronized (this) {
      int fromThere = address == null ? 0 : perAddress.getOrDefault(address, 0);
      int ceiling = trusted ? limits.max() : limits.max() - limits.reserved();
      if (total >= ceiling || !trusted && fromThere >= limits.perClient()) {
        refuse(address, total >= ceiling ? "the node has " + total + " connections" : "it has " + fromThere + " connections");
        return Optional.empty();
      }
      total++;
      if (address != null) perAddress.merge(address, 1, Integer::sum);
    }
    return Optional.of(new Runnable() {
      private boolean released;

      @Override
      public void run() {
        synchronized (ConnectionGate.this) {
          if (released) return;
          released = true;
          total--;
          if (address != null) perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        }
      }
    });
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
