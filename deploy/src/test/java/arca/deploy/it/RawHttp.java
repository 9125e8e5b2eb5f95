package arca.deploy.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for what java.net.http refuses to send: control bytes in the request line, bodies
 * shorter than their Content-Length, malformed headers. The answer is read until the server closes the connection
 * (requests carry {@code Connection: close}) or {@code timeout} passes.
 */
final class RawHttp {
  /** An answer: status (0 when the connection closed without one), lower-case header names, body text. */
  record Answer(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  private RawHttp() {}

  /** Sends {@code head} (request line and headers, without the blank line) and {@code body}, then reads the answer. */
  static Answer send(int port, String head, byte[] body, boolean closeOutputAfterBody, Duration timeout) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
      s.setSoTimeout((int) timeout.toMillis());
      try {
        s.getOutputStream().write((head + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) s.getOutputStream().write(body);
        s.getOutputStream().flush();
        if (closeOutputAfterBody) s.shutdownOutput();
      } catch (SocketException answeredEarly) {
        // the server refused before taking everything (a body or header too large): its answer is there to read
      }
      return parse(readAll(s.getInputStream()));
    }
  }

  /** A request with {@code Connection: close}, {@code Host} and the given extra header lines. */
  static Answer request(int port, String method, String target, String headers, byte[] body) throws IOException {
    String head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nConnection: close"
        + (headers.isEmpty() ? "" : "\r\n" + headers)
        + (body == null ? "" : "\r\nContent-Length: " + body.length);
    return send(port, head, body, false, Duration.ofSeconds(30));
  }

  private static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      for (int n; (n = in.read(buf)) >= 0; ) out.write(buf, 0, n);
    } catch (SocketTimeoutException | SocketException stopped) {
      // what arrived so far is the answer
    }
    return out.toByteArray();
  }

  static Answer parse(byte[] raw) {
    String text = new String(raw, StandardCharsets.UTF_8);
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.1 ") || end < 0) return new Answer(0, Map.of(), text);
    String[] lines = text.substring(0, end).split("\r\n");
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    return new Answer(Integer.parseInt(lines[0].substring(9, 12)), headers, text.substring(end + 4));
  }
}
