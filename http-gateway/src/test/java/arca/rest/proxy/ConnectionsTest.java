package arca.rest.proxy;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.Route;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.concat;
import static akka.http.javadsl.server.Directives.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public port's connection handling over a real binding: the per-client and global limits with the trusted
 * proxy's reserve, the header and keep-alive timeouts, and that a long answer is never cut by them.
 */
class ConnectionsTest {
  static ActorSystem<Void> system;
  static int port;
  static final ConnectionLimits LIMITS = new ConnectionLimits(12, 3, 2, Duration.ofMillis(3000), Duration.ofMillis(1500),
      List.of(ConnectionLimits.Cidr.parse("127.0.0.1")));

  @BeforeAll
  static void bind() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "connections-test", ConfigFactory.parseString(
        "arca.http.idle-timeout = 60s").withFallback(ConfigFactory.load()));
    Route route = concat(
        path("ok", () -> complete("ok")),
        // an answer streaming for 4 s: longer than both timeouts
        path("slow", () -> complete(HttpResponse.create().withEntity(HttpEntities.createChunked(
            ContentTypes.TEXT_PLAIN_UTF8, Source.tick(Duration.ZERO, Duration.ofMillis(500), ByteString.fromString("x"))
                .take(8).mapMaterializedValue(c -> NotUsed.getInstance()))))));
    port = Http.get(system).newServerAt("127.0.0.1", 0)
        .withSettings(Gateway.publicSettings(system.settings().config(), LIMITS))
        .bindFlow(Connections.handler(route.flow(system), LIMITS))
        .toCompletableFuture().get(10, TimeUnit.SECONDS).localAddress().getPort();
    try (Socket warmUp = open("127.0.0.99")) {
      assertTrue(get(warmUp, "/ok").startsWith("HTTP/1.1 200"));
    }
  }

  @AfterAll
  static void stop() {
    system.terminate();
  }

  static Socket open(String from) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(from, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
    return s;
  }

  /** Whether the server closes the socket within {@code millis} (false: still open then). */
  static boolean closesWithin(Socket s, long millis) throws IOException {
    s.setSoTimeout((int) millis);
    try {
      InputStream in = s.getInputStream();
      while (in.read() >= 0) { /* an answer, then the close */ }
      return true;
    } catch (SocketTimeoutException open) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  static String get(Socket s, String path) throws IOException {
    s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    s.setSoTimeout(10_000);
    byte[] buf = new byte[4096];
    int n = s.getInputStream().read(buf);
    return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.US_ASCII);
  }

  @Test
  void aClientGetsItsShareAndNoMore() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) held.add(open("127.0.0.2"));
      Socket fourth = open("127.0.0.2");
      held.add(fourth);
      assertTrue(closesWithin(fourth, 1_500), "a fourth connection from one address is closed at once (not at the 3 s header timeout)");
      assertTrue(get(open("127.0.0.3"), "/ok").startsWith("HTTP/1.1 200"), "another address is served");
      for (int i = 0; i < 3; i++) assertFalse(closesWithin(held.get(i), 100), "the first three stay open");
    } finally {
      for (Socket s : held) s.close();
    }
  }

  @Test
  void theReserveIsLeftForTheTrustedProxy() throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int a = 10; a < 14; a++) for (int i = 0; i < 3; i++) held.add(open("127.0.0." + a));
      Thread.sleep(200);
      // 10 of 12 are open for untrusted clients: an 11th is refused, the trusted proxy is served
      Socket refused = open("127.0.0.20");
      held.add(refused);
      assertTrue(closesWithin(refused, 1_500));
      Socket proxy = open("127.0.0.1");
      held.add(proxy);
      assertTrue(get(proxy, "/ok").startsWith("HTTP/1.1 200"));
    } finally {
      for (Socket s : held) s.close();
    }
  }

  @Test
  void idleAndSlowHeaderConnectionsAreClosedAtTheHeaderTimeout() throws Exception {
    try (Socket idle = open("127.0.0.4"); Socket slow = open("127.0.0.4")) {
      long start = System.nanoTime();
      for (char c : "GET /ok HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaa".toCharArray()) {
        try {
          slow.getOutputStream().write(c);
        } catch (IOException closed) {
          break;
        }
        Thread.sleep(100);
      }
      assertTrue(closesWithin(slow, 4_000), "slow headers cut");
      assertTrue(closesWithin(idle, 4_000), "idle connection closed");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis >= 2_700 && millis < 6_000, "closed after " + millis + " ms");
    }
  }

  @Test
  void aKeptAliveConnectionMayWaitUpToTheKeepAliveTimeoutAndALongAnswerIsNotCut() throws Exception {
    try (Socket s = open("127.0.0.5")) {
      assertTrue(get(s, "/ok").startsWith("HTTP/1.1 200"));
      Thread.sleep(800);
      assertTrue(get(s, "/ok").startsWith("HTTP/1.1 200"), "a second request within the keep-alive timeout");
      s.getOutputStream().write("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      StringBuilder answer = new StringBuilder();
      long start = System.nanoTime();
      for (int c; (c = in.read()) >= 0; ) {
        answer.append((char) c);
        if (answer.toString().endsWith("0\r\n\r\n")) break;
      }
      assertEquals(8, answer.toString().split("\r\nx\r\n", -1).length - 1, "the 4 s answer arrives whole: " + answer);
      assertTrue((System.nanoTime() - start) / 1_000_000 >= 3_000);
      assertTrue(closesWithin(s, 3_000), "then idle: closed at the keep-alive timeout");
    }
  }

  @Test
  void aHeadOfAStreamedAnswerEndsItToo() throws Exception {
    try (Socket s = open("127.0.0.6")) {
      s.getOutputStream().write("HEAD /slow HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      long start = System.nanoTime();
      assertTrue(closesWithin(s, 4_000), "the keep-alive timeout runs after a HEAD's answer");
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertTrue(millis < 3_500, "closed after " + millis + " ms: the HEAD's answer ended when its headers were sent");
    }
  }

  @Test
  void trustedProxiesAreAddressesOrBlocks() throws Exception {
    ConnectionLimits.Cidr block = ConnectionLimits.Cidr.parse("10.1.0.0/16");
    assertTrue(block.contains(InetAddress.getByName("10.1.200.3")));
    assertFalse(block.contains(InetAddress.getByName("10.2.0.1")));
    assertFalse(block.contains(InetAddress.getByName("::1")));
    assertTrue(ConnectionLimits.Cidr.parse("fd00::/8").contains(InetAddress.getByName("fd12::1")));
    assertTrue(ConnectionLimits.Cidr.parse("192.168.1.7").contains(InetAddress.getByName("192.168.1.7")));
    assertThrows(IllegalArgumentException.class, () -> ConnectionLimits.Cidr.parse("lb.example.com"));
    assertThrows(IllegalArgumentException.class, () -> ConnectionLimits.Cidr.parse("10.0.0.0/33"));
  }
}
