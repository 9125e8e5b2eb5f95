package arca.deploy.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bad-input corpus (issue 11, items 10 and 12): malformed input at every face of the shared node — bad JSON,
 * wrong types, huge bodies and headers, bad percent-encoding, {@code ..}, NUL and control bytes in paths and names,
 * overlong names, bad ranges, bad and hostile XML in PROPFIND/PROPPATCH, uploads cut before their declared length,
 * bad SigV4, bad Depth/If/Destination/Overwrite headers, bad query parameters. Every answer is a 4xx (never a 5xx),
 * names no storage path and no server version, and the node logs none of it at ERROR or with a stack trace, and
 * no raw control character.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityBadInputIT {
  private static final byte[] NINE_MIB = "<a>".concat("x".repeat(9 * 1024 * 1024)).concat("</a>").getBytes(StandardCharsets.US_ASCII);
  private int port;
  private Path log;
  private long logStart;
  private String login;
  private String user;
  private String admin;
  private String basic;

  @BeforeAll
  void node() throws Exception {
    NodeProcess node = SharedNode.get();
    port = node.httpPort;
    log = node.dataDir.resolve("node.log");
    logStart = Files.size(log);
    Api api = SharedNode.api();
    admin = api.token("admin", SharedNode.ADMIN_PASSWORD);
    login = SharedNode.newLogin("badinput");
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", login, "password", "bad-input-pass-1")));
    user = "Bearer " + api.token(login, "bad-input-pass-1");
    basic = "Basic " + Base64.getEncoder().encodeToString((login + ":bad-input-pass-1").getBytes(StandardCharsets.UTF_8));
    assertEquals(200, RawHttp.request(port, "PUT", "/io/personal/f.txt", auth(user), "0123456789".getBytes()).status());
    assertEquals(201, RawHttp.request(port, "POST", "/a/nodes/personal/folder", auth(user), null).status());
  }

  private static String auth(String value) {
    return "Authorization: " + value;
  }

  /** One malformed request: what it is, and the raw request (head without the final blank line, body). */
  private record Case(String what, String method, String target, String headers, byte[] body) {}

  private final List<String> failures = new ArrayList<>();

  private void expect4xx(Case c) throws Exception {
    RawHttp.Answer a = RawHttp.request(port, c.method(), c.target(), c.headers(), c.body());
    check(c.what(), a, a.status() >= 400 && a.status() < 500);
  }

  private void check(String what, RawHttp.Answer a, boolean ok) {
    String body = a.body().length() > 300 ? a.body().substring(0, 300) : a.body();
    if (!ok) failures.add(what + ": " + a.status() + " " + body);
    if (body.contains("personal/" + login)) failures.add(what + ": names the storage path: " + body);
    String server = a.header("Server");
    if (server != null && (server.contains("akka") || server.matches(".*\\d.*"))) failures.add(what + ": Server: " + server);
  }

  @Test
  void everyFaceAnswersMalformedInputWith4xxAndLogsNoErrorOrStackTrace() throws Exception {
    String json = "Content-Type: application/json\r\n";
    String xml = "Content-Type: application/xml\r\n";
    List<Case> cases = new ArrayList<>(List.of(
        // /a: JSON bodies
        new Case("truncated JSON", "POST", "/a/users", json + auth(admin), "{\"login\":".getBytes()),
        new Case("JSON array", "POST", "/a/users", json + auth(admin), "[]".getBytes()),
        new Case("wrong type", "POST", "/a/users", json + auth(admin), "{\"login\":5,\"password\":\"pass-pass-1\"}".getBytes()),
        new Case("unknown field", "POST", "/a/users", json + auth(admin), "{\"login\":\"x1\",\"password\":\"pass-pass-1\",\"x\":1}".getBytes()),
        new Case("not UTF-8", "POST", "/a/users", json + auth(admin), new byte[] {'{', '"', 'l', '"', ':', '"', (byte) 0xff, '"', '}'}),
        new Case("deep nesting", "POST", "/a/users", json + auth(admin), "[".repeat(100_000).getBytes()),
        new Case("20 MiB JSON", "POST", "/a/users", json + auth(admin), ("{\"login\":\"" + "x".repeat(20 << 20) + "\"}").getBytes()),
        new Case("move to a number", "PATCH", "/a/nodes/personal/folder", json + auth(user), "{\"to\":5}".getBytes()),
        new Case("copy without target", "POST", "/a/nodes/personal/f.txt?action=copy", json + auth(user), "{}".getBytes()),
        new Case("unknown action", "POST", "/a/nodes/personal/f.txt?action=explode", json + auth(user), "{}".getBytes()),
        // /a: query parameters
        new Case("limit not a number", "GET", "/a/nodes/personal?children&limit=abc", auth(user), null),
        new Case("limit zero", "GET", "/a/nodes/personal?children&limit=0", auth(user), null),
        new Case("limit huge", "GET", "/a/nodes/personal?children&limit=99999999999999999999", auth(user), null),
        new Case("negative offset", "GET", "/a/nodes/personal?children&offset=-1", auth(user), null),
        new Case("bad sort", "GET", "/a/nodes/personal?children&sort=colour", auth(user), null),
        new Case("bad order", "GET", "/a/nodes/personal?children&order=up", auth(user), null),
        new Case("forged cursor", "GET", "/a/nodes/personal?children&cursor=Zm9yZ2Vk", auth(user), null),
        new Case("bad query escape", "GET", "/a/nodes/personal?children&cursor=%ZZ", auth(user), null),
        new Case("users limit", "GET", "/a/users?limit=abc", auth(admin), null),
        new Case("workspaces offset", "GET", "/a/workspaces?offset=-5", auth(user), null),
        // /a: paths and names
        new Case("bad escape in path", "GET", "/a/nodes/personal/%ZZ", auth(user), null),
        new Case("escaped NUL in path", "GET", "/a/nodes/personal/a%00b", auth(user), null),
        new Case("escaped control in name", "POST", "/a/nodes/personal/a%01b", auth(user), null),
        new Case("escaped newline in name", "POST", "/a/nodes/personal/a%0D%0Ab", auth(user), null),
        new Case("dot-dot", "GET", "/a/nodes/personal/../../etc", auth(user), null),
        new Case("escaped dot-dot", "POST", "/a/nodes/personal/%2E%2E/x", auth(user), null),
        new Case("overlong name", "POST", "/a/nodes/personal/" + "n".repeat(300), auth(user), null),
        new Case("overlong URI", "GET", "/a/nodes/personal/" + "n/".repeat(5000), auth(user), null),
        new Case("move out of the workspace", "PATCH", "/a/nodes/personal/folder", json + auth(user), "{\"to\":\"../../x\"}".getBytes()),
        new Case("move to a NUL name", "PATCH", "/a/nodes/personal/folder", json + auth(user), "{\"to\":\"a\\u0000b\"}".getBytes()),
        // headers
        new Case("huge header", "GET", "/a/nodes", auth(user) + "\r\nX-Big: " + "h".repeat(100_000), null),
        new Case("many headers", "GET", "/a/nodes", auth(user) + "\r\nX-H: 1".repeat(300), null),
        new Case("bad bearer", "GET", "/a/nodes", "Authorization: Bearer a.b.c", null),
        new Case("bad basic", "PROPFIND", "/dav/personal/", "Authorization: Basic %%%", null),
        new Case("bad content length", "POST", "/a/users", json + auth(admin) + "\r\nContent-Length: -5", null),
        // /io
        new Case("io bad escape", "GET", "/io/personal/%ZZ", auth(user), null),
        new Case("io NUL in key", "PUT", "/io/personal/a%00b", auth(user), "x".getBytes()),
        new Case("io control in key", "PUT", "/io/personal/a%1Bb", auth(user), "x".getBytes()),
        new Case("io dot-dot", "PUT", "/io/personal/../../x", auth(user), "x".getBytes()),
        new Case("io overlong key", "PUT", "/io/personal/" + "k".repeat(1100), auth(user), "x".getBytes()),
        new Case("io range past the end", "GET", "/io/personal/f.txt", auth(user) + "\r\nRange: bytes=999999-", null),
        new Case("io bad max-keys", "GET", "/io?list-type=2&max-keys=abc", auth(user), null),
        new Case("io negative max-keys", "GET", "/io?list-type=2&max-keys=-1", auth(user), null),
        new Case("io forged continuation", "GET", "/io?list-type=2&continuation-token=%25%25", auth(user), null),
        new Case("io bad part number", "PUT", "/io/personal/m.bin?partNumber=abc&uploadId=x", auth(user), "x".getBytes()),
        new Case("io part number zero", "PUT", "/io/personal/m.bin?partNumber=0&uploadId=x", auth(user), "x".getBytes()),
        new Case("io unknown upload", "POST", "/io/personal/m.bin?uploadId=nope", xml + auth(user), "<CompleteMultipartUpload/>".getBytes()),
        new Case("io malformed multi-delete", "POST", "/io?delete", xml + auth(user), "<Delete><Object>".getBytes()),
        new Case("io XXE multi-delete", "POST", "/io?delete", xml + auth(user), xxe("Delete").getBytes()),
        new Case("io bad Content-MD5", "PUT", "/io/personal/md5.bin", auth(user) + "\r\nContent-MD5: !!!", "x".getBytes()),
        new Case("io bad payload hash", "PUT", "/io/personal/sha.bin", auth(user) + "\r\nx-amz-content-sha256: zz", "x".getBytes()),
        new Case("io bad copy source", "PUT", "/io/personal/c.bin", auth(user) + "\r\nx-amz-copy-source: %ZZ", null),
        // SigV4
        new Case("sigv4 garbage", "GET", "/io/personal/f.txt", "Authorization: AWS4-HMAC-SHA256 garbage", null),
        new Case("sigv4 unknown key", "GET", "/io/personal/f.txt", "Authorization: AWS4-HMAC-SHA256 Credential=NOPE/20260101/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;x-amz-date, Signature=00\r\nx-amz-date: 20260101T000000Z", null),
        new Case("sigv4 bad date", "GET", "/io/personal/f.txt", "Authorization: AWS4-HMAC-SHA256 Credential=A/x/y/s3/aws4_request, "
            + "SignedHeaders=host, Signature=zz\r\nx-amz-date: yesterday", null),
        new Case("sigv2", "GET", "/io/personal/f.txt", "Authorization: AWS abc:def", null),
        new Case("presigned garbage", "GET", "/io/personal/f.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=%2F%2F"
            + "&X-Amz-Date=x&X-Amz-Expires=abc&X-Amz-SignedHeaders=host&X-Amz-Signature=zz", "", null),
        // /dav
        new Case("dav bad escape", "GET", "/dav/personal/%ZZ", auth(basic), null),
        new Case("dav NUL in name", "MKCOL", "/dav/personal/a%00b", auth(basic), null),
        new Case("dav control in name", "PUT", "/dav/personal/a%07b", auth(basic), "x".getBytes()),
        new Case("dav overlong name", "MKCOL", "/dav/personal/" + "n".repeat(300), auth(basic), null),
        new Case("dav dot-dot", "GET", "/dav/personal/../../etc/passwd", auth(basic), null),
        new Case("dav range past the end", "GET", "/dav/personal/f.txt", auth(basic) + "\r\nRange: bytes=999999-", null),
        new Case("propfind malformed XML", "PROPFIND", "/dav/personal/", xml + auth(basic) + "\r\nDepth: 0", "<D:propfind xmlns:D=\"DAV:\"><D:prop>".getBytes()),
        new Case("propfind XXE", "PROPFIND", "/dav/personal/", xml + auth(basic) + "\r\nDepth: 0", xxe("D:propfind").getBytes()),
        new Case("propfind entity expansion", "PROPFIND", "/dav/personal/", xml + auth(basic) + "\r\nDepth: 0", laughs().getBytes()),
        new Case("propfind over 8 MiB", "PROPFIND", "/dav/personal/", xml + auth(basic) + "\r\nDepth: 0", NINE_MIB),
        new Case("proppatch over 8 MiB", "PROPPATCH", "/dav/personal/f.txt", xml + auth(basic), NINE_MIB),
        new Case("proppatch malformed", "PROPPATCH", "/dav/personal/f.txt", xml + auth(basic), "<D:propertyupdate xmlns:D=\"DAV:\"><D:set>".getBytes()),
        new Case("lock malformed", "LOCK", "/dav/personal/f.txt", xml + auth(basic), "<D:lockinfo xmlns:D=\"DAV:\">".getBytes()),
        new Case("bad Depth", "PROPFIND", "/dav/personal/", auth(basic) + "\r\nDepth: 7", null),
        new Case("bad copy Depth", "COPY", "/dav/personal/folder", auth(basic) + "\r\nDepth: 5\r\nDestination: /dav/personal/folder2", null),
        new Case("bad If", "PUT", "/dav/personal/f.txt", auth(basic) + "\r\nIf: (<garbage", "x".getBytes()),
        new Case("bad If tag", "DELETE", "/dav/personal/f.txt", auth(basic) + "\r\nIf: <%ZZ> ([nope])", null),
        new Case("no Destination", "MOVE", "/dav/personal/f.txt", auth(basic), null),
        new Case("bad Destination URL", "MOVE", "/dav/personal/f.txt", auth(basic) + "\r\nDestination: http://[::1", null),
        new Case("bad Destination escape", "COPY", "/dav/personal/f.txt", auth(basic) + "\r\nDestination: /dav/personal/%ZZ", null),
        new Case("NUL Destination", "COPY", "/dav/personal/f.txt", auth(basic) + "\r\nDestination: /dav/personal/a%00b", null),
        new Case("Destination dot-dot", "COPY", "/dav/personal/f.txt", auth(basic) + "\r\nDestination: /dav/personal/../../x", null),
        new Case("bad Overwrite", "COPY", "/dav/personal/f.txt", auth(basic) + "\r\nOverwrite: maybe\r\nDestination: /dav/personal/g.txt", null)));
    for (Case c : cases) expect4xx(c);
    // RFC 4918 10.7: a Timeout the server cannot use is a request it may ignore (the default applies): never a 5xx
    RawHttp.Answer lock = RawHttp.request(port, "LOCK", "/dav/personal/locked.txt", auth(basic) + "\r\nTimeout: Second-abc", lockBody());
    check("unusable Timeout", lock, lock.status() > 0 && lock.status() < 500);
    // uploads cut before their declared length (the connection half-closed after part of the body)
    for (String[] cut : List.of(new String[] {"PUT", "/io/personal/cut.bin"}, new String[] {"PUT", "/dav/personal/cut.bin"},
        new String[] {"POST", "/a/users"}, new String[] {"PUT", "/io/personal/cut-part.bin?partNumber=1&uploadId=x"})) {
      RawHttp.Answer a = RawHttp.send(port, cut[0] + " " + cut[1] + " HTTP/1.1\r\nHost: x\r\n" + auth(cut[1].startsWith("/a/") ? admin : user)
          + "\r\nContent-Type: application/json\r\nContent-Length: 100000", "{\"login\":\"".concat("x".repeat(999)).getBytes(),
          true, Duration.ofSeconds(30));
      check("truncated " + cut[0] + " " + cut[1], a, a.status() == 0 || a.status() >= 400 && a.status() < 500);
    }
    // raw control bytes in the request line and headers (Akka HTTP refuses them before any route)
    for (String raw : List.of("GET /a/nodes/x\u0000\u001b[31mred HTTP/1.1", "GET /healthz HTTP/1.1\r\nX-Bad: a\u0000b",
        "GET /a/nodes\u0007 HTTP/1.1", "GET /healthz HTTP/1.1\r\nX-Bad: a\rb")) {
      RawHttp.Answer a = RawHttp.send(port, raw + "\r\nHost: x\r\nConnection: close", null, false, Duration.ofSeconds(10));
      check("raw " + raw.replaceAll("\\p{Cntrl}", "?"), a, a.status() >= 400 && a.status() < 500);
    }
    // errors name what the client sent, not where it is stored (the personal workspace lives at personal/<login>)
    for (Case c : List.of(new Case("missing parent", "GET", "/a/nodes/personal/missing/deeper", auth(user), null),
        new Case("file as folder", "POST", "/a/nodes/personal/f.txt/sub", auth(user), null),
        new Case("file as folder (dav)", "PROPFIND", "/dav/personal/f.txt/sub", auth(basic) + "\r\nDepth: 0", null),
        new Case("file as folder (io)", "PUT", "/io/personal/f.txt/sub", auth(user), "x".getBytes()),
        new Case("copy of a missing file", "POST", "/a/nodes/personal/gone.txt?action=copy", json + auth(user), "{\"to\":\"x\"}".getBytes()))) {
      expect4xx(c);
    }
    assertTrue(failures.isEmpty(), "answers that are not 4xx or name too much:\n" + String.join("\n", failures));
    assertLogClean();
  }

  @Test
  void foldersWithSpacesAndNonAsciiNamesGetAValidLocation() throws Exception {
    for (String[] name : List.of(new String[] {"My%20Docs", "/a/nodes/personal/My%20Docs"},
        new String[] {"Caf%C3%A9", "/a/nodes/personal/Caf%C3%A9"}, new String[] {"a%23b%3Fc", "/a/nodes/personal/a%23b%3Fc"},
        new String[] {"%E6%96%87%E6%9B%B8", "/a/nodes/personal/%E6%96%87%E6%9B%B8"})) {
      RawHttp.Answer a = RawHttp.request(port, "POST", "/a/nodes/personal/" + name[0], auth(user), null);
      assertEquals(201, a.status(), a.body());
      assertEquals(name[1], a.header("Location"));
      assertEquals(200, RawHttp.request(port, "GET", a.header("Location"), auth(user), null).status());
    }
    assertLogClean();
  }

  /** The node's log since this class started: no ERROR, no stack trace, no raw control character. */
  private void assertLogClean() throws Exception {
    Thread.sleep(500);
    byte[] all = Files.readAllBytes(log);
    String written = new String(all, (int) logStart, all.length - (int) logStart, StandardCharsets.UTF_8);
    List<String> bad = new ArrayList<>();
    for (String line : written.split("\n", -1)) {
      if (line.contains(" ERROR ") || line.startsWith("\tat ") || line.startsWith("Caused by") || line.matches(".*[\\x00-\\x08\\x0b-\\x1f\\x7f].*")) {
        bad.add(line.replaceAll("\\p{Cntrl}", "?"));
      }
    }
    assertFalse(!bad.isEmpty(), "node log lines written for bad input:\n" + String.join("\n", bad.subList(0, Math.min(40, bad.size()))));
  }

  private static String xxe(String root) {
    return "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><" + root
        + " xmlns:D=\"DAV:\"><D:prop><D:displayname>&e;</D:displayname></D:prop></" + root + ">";
  }

  private static String laughs() {
    StringBuilder b = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY l0 \"lol\">");
    for (int i = 1; i < 10; i++) b.append("<!ENTITY l").append(i).append(" \"").append(("&l" + (i - 1) + ";").repeat(10)).append("\">");
    return b.append("]><D:propfind xmlns:D=\"DAV:\"><D:prop><D:x>&l9;</D:x></D:prop></D:propfind>").toString();
  }

  private static byte[] lockBody() {
    return ("<?xml version=\"1.0\"?><D:lockinfo xmlns:D=\"DAV:\"><D:lockscope><D:exclusive/></D:lockscope>"
        + "<D:locktype><D:write/></D:locktype></D:lockinfo>").getBytes(StandardCharsets.UTF_8);
  }
}
