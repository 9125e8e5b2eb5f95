package arca.rest.proxy;

import com.typesafe.config.Config;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The public port's connection limits ({@code arca.http.connections}): at most {@code max} connections in all, at
 * most {@code perClient} from one remote address, and the last {@code reserved} of {@code max} only for the trusted
 * proxies (the load balancer: its health checks and requests still get through when other addresses fill the
 * node). Trusted proxies have no per-client limit (the clients behind them are the proxy's to limit). A connection
 * must deliver its first request's headers within {@code headerTimeout}, and a kept-alive connection its next
 * request within {@code keepAliveTimeout} of the previous answer's end.
 */
public record ConnectionLimits(int max, int perClient, int reserved, Duration headerTimeout, Duration keepAliveTimeout,
                               List<Cidr> trustedProxies) {

  public ConnectionLimits {
    if (max < 1 || perClient < 1 || reserved < 0 || reserved >= max) {
      throw new IllegalArgumentException("arca.http.connections: max and per-client must be at least 1, reserved below max");
    }
    if (headerTimeout.isNegative() || headerTimeout.isZero() || keepAliveTimeout.isNegative() || keepAliveTimeout.isZero()) {
      throw new IllegalArgumentException("arca.http.connections: the timeouts must be positive");
    }
    trustedProxies = List.copyOf(trustedProxies);
  }

  public static ConnectionLimits of(Config config) {
    Config c = config.getConfig("arca.http.connections");
    List<Cidr> trusted = new ArrayList<>();
    for (String s : c.getString("trusted-proxies").split(",")) {
      if (!s.isBlank()) trusted.add(Cidr.parse(s.trim()));
    }
    return new ConnectionLimits(c.getInt("max"), c.getInt("per-client"), c.getInt("reserved"),
        c.getDuration("header-timeout"), c.getDuration("keep-alive-timeout"), trusted);
  }

  public boolean trusted(InetAddress address) {
    return trustedProxies.stream().anyMatch(c -> c.contains(address));
  }

  /** An address block: {@code 10.0.0.0/8}, {@code fd00::/8}, or one address (all its bits). */
  public record Cidr(byte[] network, int bits) {
    public static Cidr parse(String text) {
      int slash = text.indexOf('/');
      String host = slash < 0 ? text : text.substring(0, slash);
      if (!host.matches("[0-9a-fA-F.:]+")) {
        throw new IllegalArgumentException("arca.http.connections.trusted-proxies: '" + text + "' is not an IP address or block");
      }
      try {
        byte[] address = InetAddress.getByName(host).getAddress();
        int bits = slash < 0 ? address.length * 8 : Integer.parseInt(text.substring(slash + 1));
        if (bits < 0 || bits > address.length * 8) throw new NumberFormatException();
        return new Cidr(address, bits);
      } catch (UnknownHostException | NumberFormatException e) {
        throw new IllegalArgumentException("arca.http.connections.trusted-proxies: '" + text + "' is not an IP address or block");
      }
    }

    public boolean contains(InetAddress address) {
      byte[] a = address.getAddress();
      if (a.length != network.length) return false;
      int shift = a.length * 8 - bits;
      return new BigInteger(1, a).shiftRight(shift).equals(new BigInteger(1, network).shiftRight(shift));
    }
  }
}
