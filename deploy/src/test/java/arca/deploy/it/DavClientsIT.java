package arca.deploy.it;

import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The WebDAV gateway end to end against a real node (embedded default storage) with real clients, installed by
 * deploy/bin/ensure-dav-clients when missing: the litmus suite (every check of basic, copymove, props, locks and
 * http must pass), rclone's WebDAV backend syncing a 500-file tree up and back down ({@code rclone check
 * --download} finds no difference), and a scripted cadaver session; files written over /dav are read over /io and
 * /a and the reverse; Basic with the password or an app password, Bearer, ACLs and policies; and a big folder listed
 * with PROPFIND depth 1 (streamed, paged underneath).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DavClientsIT {
  static final String PASSWORD = "dav-clients-admin-password";
  static final String ALICE_PASSWORD = "alice-dav-password";

  Path work;
  NodeProcess node;
  Api api;
  String admin;
  String alice;
  String appPassword;
  String accessKeyId;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Run(int exit, String output) {}

  @BeforeAll
  void start() throws Exception {
    work = Files.createTempDirectory("arca-dav-clients-it");
    Path script = Path.of(System.getProperty("arca.repo", ".."), "deploy", "bin", "ensure-dav-clients").toAbsolutePath();
    Run ensure = run(work, Duration.ofSeconds(300), Map.of(), script.toString());
    if (ensure.exit() != 0) fail("cannot install litmus, cadaver and rclone:\n" + ensure.output());
    node = new NodeProcess(work.resolve("node"), Map.of("ARCA_ADMIN_PASSWORD", PASSWORD)).start();
    api = new Api(node.url());
    admin = api.token("admin", PASSWORD);
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", "alice", "password", ALICE_PASSWORD)));
    alice = api.token("alice", ALICE_PASSWORD);
    Api.Reply key = api.send("POST", "/a/access-keys", alice, Map.of("label", "dav app password"));
    assertStatus(201, key);
    accessKeyId = key.text("accessKeyId");
    appPassword = key.text("secretAccessKey");
  }

  @AfterAll
  void stop() throws Exception {
    if (node != null) {
      System.out.println(node.logTail());
      node.close();
    }
  }

  // ------------------------------------------------------------------------------------------------ litmus

  @Test
  void litmusPassesEverySuite() throws Exception {
    Run r = run(work, Duration.ofSeconds(300), Map.of(), "litmus", "-k", node.url() + "/dav/personal/", "alice", ALICE_PASSWORD);
    System.out.println(r.output());
    Matcher m = Pattern.compile("<- summary for `(\\w+)': of (\\d+) tests run: (\\d+) passed, (\\d+) failed").matcher(r.output());
    Map<String, int[]> suites = new LinkedHashMap<>();
    while (m.find()) suites.put(m.group(1), new int[] {Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4))});
    int run = suites.values().stream().mapToInt(c -> c[0]).sum();
    int passed = suites.values().stream().mapToInt(c -> c[1]).sum();
    int warnings = count(r.output(), "WARNING:");
    System.out.printf("litmus against /dav/: %d/%d passed, %d warnings (Apache mod_dav_fs on this machine kind: 104/104, 2 warnings)%n",
        passed, run, warnings);
    for (String suite : List.of("basic", "copymove", "props", "locks", "http")) {
      int[] c = suites.get(suite);
      assertTrue(c != null, "litmus suite '" + suite + "' did not run:\n" + r.output());
      assertEquals(0, c[2], "litmus suite '" + suite + "' failed " + c[2] + " of " + c[0] + ":\n" + r.output());
    }
  }

  private static int count(String s, String what) {
    int n = 0;
    for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) n++;
    return n;
  }

  // ------------------------------------------------------------------------------------------------ rclone

  @Test
  void rcloneSyncsATreeOf500FilesUpAndBack() throws Exception {
    Path up = work.resolve("rclone-up");
    Random random = new Random(5);
    for (int i = 0; i < 500; i++) {
      Path f = up.resolve("dir" + (i % 20)).resolve("sub" + (i % 3)).resolve("file " + i + (i % 7 == 0 ? " é&=+.bin" : ".bin"));
      Files.createDirectories(f.getParent());
      byte[] bytes = new byte[i % 50 == 0 ? 0 : random.nextInt(40_000)];
      random.nextBytes(bytes);
      Files.write(f, bytes);
    }
    String obscured = run(work, Duration.ofSeconds(30), Map.of(), "rclone", "obscure", ALICE_PASSWORD).output().trim();
    String remote = ":webdav,url='" + node.url() + "/dav/personal',vendor=other,user=alice,pass='" + obscured + "':rclone";
    long t0 = System.nanoTime();
    Run sync = run(work, Duration.ofSeconds(600), Map.of(), "rclone", "sync", "--transfers", "8", "--checkers", "8",
        up.toString(), remote);
    assertEquals(0, sync.exit(), sync.output());
    long upMs = (System.nanoTime() - t0) / 1_000_000;
    Path down = work.resolve("rclone-down");
    t0 = System.nanoTime();
    Run back = run(work, Duration.ofSeconds(600), Map.of(), "rclone", "sync", "--transfers", "8", "--checkers", "8",
        remote, down.toString());
    assertEquals(0, back.exit(), back.output());
    long downMs = (System.nanoTime() - t0) / 1_000_000;
    Run check = run(work, Duration.ofSeconds(600), Map.of(), "rclone", "check", "--download", up.toString(), remote);
    assertEquals(0, check.exit(), "rclone check found differences:\n" + check.output());
    try (var files = Files.walk(down)) {
      assertEquals(500, files.filter(Files::isRegularFile).count());
    }
    System.out.printf("rclone webdav: 500 files synced up in %.1f s, down in %.1f s, check --download clean%n", upMs / 1000.0, downMs / 1000.0);
    // the same files through /io and /a
    Path one = up.resolve("dir7/sub1/file 7 é&=+.bin");
    HttpResponse<byte[]> io = http.send(HttpRequest.newBuilder(URI.create(node.url() + "/io/personal/rclone/dir7/sub1/"
        + "file%207%20%C3%A9%26%3D%2B.bin")).header("Authorization", "Bearer " + alice).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, io.statusCode());
    assertArrayEquals(Files.readAllBytes(one), io.body());
  }

  // ------------------------------------------------------------------------------------------------ cadaver

  @Test
  void cadaverScriptedSession() throws Exception {
    Path home = work.resolve("cadaver-home");
    Files.createDirectories(home);
    Files.writeString(home.resolve(".netrc"), "machine 127.0.0.1 login alice password " + ALICE_PASSWORD + "\n");
    Files.setPosixFilePermissions(home.resolve(".netrc"), PosixFilePermissions.fromString("rw-------"));
    Path local = home.resolve("local.txt");
    Files.writeString(local, "cadaver was here\n".repeat(100));
    String script = String.join("\n", "mkcol cad", "cd cad", "put " + local + " one.txt", "mkcol sub", "move one.txt sub/two.txt",
        "get sub/two.txt " + home.resolve("back.txt"), "copy sub/two.txt three.txt", "ls", "delete three.txt", "ls sub", "quit", "");
    Run r = run(home, Duration.ofSeconds(60), Map.of("HOME", home.toString()), "sh", "-c",
        "printf '%s' \"$0\" | cadaver " + node.url() + "/dav/personal/", script);
    System.out.println(r.output());
    assertEquals(0, r.exit(), r.output());
    assertEquals(Files.readString(local), Files.readString(home.resolve("back.txt")));
    assertTrue(!r.output().contains("failed") && !r.output().contains("Failed"), r.output());
    assertStatus(200, api.get("/a/nodes/personal/cad/sub/two.txt", alice));
    assertStatus(404, api.get("/a/nodes/personal/cad/one.txt", alice));
    assertStatus(404, api.get("/a/nodes/personal/cad/three.txt", alice));
  }

  // ------------------------------------------------------------------------------------------------ across faces

  @Test
  void filesWrittenOverDavAreReadOverIoAndRestAndTheReverse() throws Exception {
    byte[] bytes = "written over WebDAV".getBytes(StandardCharsets.UTF_8);
    assertEquals(201, dav("MKCOL", "/dav/personal/cross", basic("alice", ALICE_PASSWORD), null, Map.of()).statusCode());
    HttpResponse<String> put = dav("PUT", "/dav/personal/cross/a.txt", basic("alice", ALICE_PASSWORD), bytes, Map.of());
    assertEquals(201, put.statusCode(), put.body());
    String etag = put.headers().firstValue("ETag").orElseThrow();
    HttpResponse<byte[]> io = http.send(HttpRequest.newBuilder(URI.create(node.url() + "/io/personal/cross/a.txt"))
        .header("Authorization", "Bearer " + alice).build(), HttpResponse.BodyHandlers.ofByteArray());
    assertArrayEquals(bytes, io.body());
    assertEquals(etag, io.headers().firstValue("ETag").orElseThrow(), "the same ETag over /dav and /io");
    Api.Reply stat = api.get("/a/nodes/personal/cross/a.txt", alice);
    assertStatus(200, stat);
    assertEquals(etag, "\"" + stat.text("etag") + "\"");

    assertEquals(200, api.putBytes("/io/personal/cross/b.txt", alice, "written over S3".getBytes()).statusCode());
    assertStatus(201, api.send("POST", "/a/nodes/personal/cross/folder", alice, null));
    HttpResponse<String> get = dav("GET", "/dav/personal/cross/b.txt", basic("alice", ALICE_PASSWORD), null, Map.of());
    assertEquals("written over S3", get.body());
    HttpResponse<String> list = dav("PROPFIND", "/dav/personal/cross/", basic("alice", ALICE_PASSWORD), null, Map.of("Depth", "1"));
    assertEquals(207, list.statusCode());
    for (String href : List.of("/dav/personal/cross/", "/dav/personal/cross/a.txt", "/dav/personal/cross/b.txt", "/dav/personal/cross/folder/")) {
      assertTrue(list.body().contains("<D:href>" + href + "</D:href>"), href + " in\n" + list.body());
    }
    assertTrue(list.body().contains("<D:getetag>" + etag.replace("\"", "&quot;") + "</D:getetag>"), list.body());
    // deleted over WebDAV: in the recycle bin of /a
    assertEquals(204, dav("DELETE", "/dav/personal/cross/a.txt", basic("alice", ALICE_PASSWORD), null, Map.of()).statusCode());
    assertStatus(404, api.get("/a/nodes/personal/cross/a.txt", alice));
    assertTrue(api.get("/a/trash/personal", alice).raw().body().contains("a.txt"));
  }

  // ------------------------------------------------------------------------------------------------ who may do what

  @Test
  void credentialsAclsAndPolicies() throws Exception {
    HttpResponse<String> anonymous = dav("PROPFIND", "/dav/", null, null, Map.of("Depth", "0"));
    assertEquals(401, anonymous.statusCode());
    assertTrue(anonymous.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic"), anonymous.headers().toString());
    assertEquals(401, dav("PROPFIND", "/dav/", basic("alice", "wrong"), null, Map.of("Depth", "0")).statusCode());
    // 5 failed attempts lock the account (its one login throttle, shared with the token endpoint): 429 + Retry-After
    for (int i = 0; i < 5; i++) {
      assertEquals(401, dav("PROPFIND", "/dav/", basic("mallory", "guess-" + i), null, Map.of("Depth", "0")).statusCode());
    }
    HttpResponse<String> throttled = dav("PROPFIND", "/dav/", basic("mallory", "guess-5"), null, Map.of("Depth", "0"));
    assertEquals(429, throttled.statusCode(), throttled.body());
    assertTrue(throttled.headers().firstValue("Retry-After").isPresent(), throttled.headers().toString());
    HttpResponse<String> top = dav("PROPFIND", "/dav/", basic("alice", appPassword), null, Map.of("Depth", "1"));
    assertEquals(207, top.statusCode(), "an app password (access key secret) with the login");
    assertTrue(top.body().contains("<D:href>/dav/personal/</D:href>"), top.body());
    assertEquals(207, dav("PROPFIND", "/dav/personal/", basic(accessKeyId, appPassword), null, Map.of("Depth", "0")).statusCode());
    assertEquals(207, dav("PROPFIND", "/dav/personal/", "Bearer " + alice, null, Map.of("Depth", "0")).statusCode());
    assertEquals(403, dav("PROPFIND", "/dav/personal/", basic("alice", ALICE_PASSWORD), null, Map.of()).statusCode(),
        "Depth infinity is refused");

    // a shared workspace alice may only read; one she may not see at all
    assertStatus(201, api.send("POST", "/a/workspaces", admin, Map.of("slug", "davteam", "label", "Team",
        "root", Map.of("datasource", "default", "path", "davteam"))));
    assertStatus(201, api.send("POST", "/a/workspaces", admin, Map.of("slug", "davhidden", "label", "Hidden",
        "root", Map.of("datasource", "default", "path", "davhidden"))));
    // a new workspace nothing was written to yet is an empty collection one can create in
    HttpResponse<String> fresh = dav("PROPFIND", "/dav/davhidden/", basic("admin", PASSWORD), null, Map.of("Depth", "1"));
    assertEquals(207, fresh.statusCode(), fresh.body());
    assertEquals(1, count(fresh.body(), "<D:response>"), fresh.body());
    assertEquals(201, dav("MKCOL", "/dav/davhidden/made", basic("admin", PASSWORD), null, Map.of()).statusCode());
    assertStatus(201, api.send("POST", "/a/nodes/davteam/docs", admin, null));
    assertStatus(201, api.send("POST", "/a/acls", admin, Map.of("workspace", "davteam", "path", "", "role", "user:alice", "action", "read")));
    IdentityEndToEnd.poll(() -> dav("PROPFIND", "/dav/davteam/docs", basic("alice", ALICE_PASSWORD), null, Map.of("Depth", "0")).statusCode(),
        s -> s == 207);
    assertEquals(403, dav("PUT", "/dav/davteam/docs/x.txt", basic("alice", ALICE_PASSWORD), "x".getBytes(), Map.of()).statusCode());
    assertEquals(404, dav("PROPFIND", "/dav/davhidden/", basic("alice", ALICE_PASSWORD), null, Map.of("Depth", "0")).statusCode());

    // a policy denying alice DELETE over WebDAV
    assertEquals(201, dav("PUT", "/dav/personal/keep.txt", basic("alice", ALICE_PASSWORD), "k".getBytes(), Map.of()).statusCode());
    assertStatus(201, api.send("POST", "/a/policies", admin, Map.of("id", "no-alice-dav-deletes", "label", "no deletes",
        "policies", List.of(Map.of("subjects", List.of("user:alice"), "resources", List.of("dav:personal/<.*>"),
            "actions", List.of("DELETE"), "effect", "deny")))));
    IdentityEndToEnd.poll(() -> dav("DELETE", "/dav/personal/none", basic("alice", ALICE_PASSWORD), null, Map.of()).statusCode(),
        s -> s == 403);
    assertEquals(403, dav("DELETE", "/dav/personal/keep.txt", basic("alice", ALICE_PASSWORD), null, Map.of()).statusCode());
    assertStatus(204, api.send("DELETE", "/a/policies/no-alice-dav-deletes", admin, null));
    IdentityEndToEnd.poll(() -> dav("DELETE", "/dav/personal/keep.txt", basic("alice", ALICE_PASSWORD), null, Map.of()).statusCode(),
        s -> s == 204);
  }

  // ------------------------------------------------------------------------------------------------ bad requests

  @Test
  void badRequestsGetClearErrors() throws Exception {
    String a = basic("alice", ALICE_PASSWORD);
    assertEquals(201, dav("MKCOL", "/dav/personal/bad", a, null, Map.of()).statusCode());
    assertEquals(201, dav("PUT", "/dav/personal/bad/f.txt", a, "f".getBytes(), Map.of()).statusCode());
    expect(400, "bad_request", dav("PROPFIND", "/dav/personal/bad", a, "<propfind xmlns='DAV:'><prop>".getBytes(), Map.of("Depth", "0")));
    expect(400, "bad_request", dav("COPY", "/dav/personal/bad/f.txt", a, null, Map.of()));
    expect(502, "bad_gateway", dav("COPY", "/dav/personal/bad/f.txt", a, null, Map.of("Destination", "http://elsewhere.example/dav/personal/x")));
    expect(400, "bad_request", dav("MOVE", "/dav/personal/bad", a, null, Map.of("Destination", node.url() + "/dav/personal/bad2", "Depth", "0")));
    expect(400, "bad_request", dav("PUT", "/dav/personal/bad/g.txt", a, "g".getBytes(), Map.of("If", "(<urn:uuid:x>")));
    expect(400, "invalid_path", dav("PUT", "/dav/personal/bad/%2e%2e/x.txt", a, "x".getBytes(), Map.of()));
    expect(409, "conflict", dav("PUT", "/dav/personal/bad/missing/x.txt", a, "x".getBytes(), Map.of()));
    expect(415, "unsupported_media_type", dav("MKCOL", "/dav/personal/bad/c", a, "<x/>".getBytes(), Map.of()));
    expect(405, "method_not_allowed", dav("GET", "/dav/personal/bad/", a, null, Map.of()));
    expect(403, "forbidden", dav("COPY", "/dav/personal/bad/f.txt", a, null, Map.of("Destination", node.url() + "/dav/personal/bad/f.txt")));
    assertEquals(201, dav("PUT", "/dav/personal/bad/g.txt", a, "g".getBytes(), Map.of()).statusCode());
    expect(412, "precondition_failed", dav("COPY", "/dav/personal/bad/f.txt", a, null,
        Map.of("Destination", node.url() + "/dav/personal/bad/g.txt", "Overwrite", "F")));
    expect(404, "not_found", dav("PROPFIND", "/dav/personal/bad/nothing", a, null, Map.of("Depth", "0")));
    HttpResponse<String> lock = dav("LOCK", "/dav/personal/bad/f.txt", a, ("<lockinfo xmlns='DAV:'><lockscope><exclusive/></lockscope>"
        + "<locktype><write/></locktype></lockinfo>").getBytes(), Map.of());
    assertEquals(200, lock.statusCode(), lock.body());
    HttpResponse<String> second = dav("LOCK", "/dav/personal/bad/f.txt", a, ("<lockinfo xmlns='DAV:'><lockscope><shared/></lockscope>"
        + "<locktype><write/></locktype></lockinfo>").getBytes(), Map.of());
    assertEquals(423, second.statusCode());
    assertTrue(second.body().contains("no-conflicting-lock"), second.body());
    HttpResponse<String> locked = dav("DELETE", "/dav/personal/bad", a, null, Map.of());
    assertEquals(423, locked.statusCode(), "a lock below a deleted collection binds the delete");
    assertTrue(locked.body().contains("<D:href>/dav/personal/bad/f.txt</D:href>"), locked.body());
    assertEquals(409, dav("UNLOCK", "/dav/personal/bad/f.txt", a, null, Map.of("Lock-Token", "<urn:uuid:00000000-0000-0000-0000-000000000000>")).statusCode());
    // a move onto the folder holding the source would trash the source first: refused, nothing moves
    expect(403, "forbidden", dav("MOVE", "/dav/personal/bad/g.txt", a, null, Map.of("Destination", node.url() + "/dav/personal/bad")));
    assertEquals(200, dav("GET", "/dav/personal/bad/g.txt", a, null, Map.of()).statusCode());
    // a lock on an unmapped URL adds a member to its collection: the collection's depth-0 lock applies
    assertEquals(201, dav("MKCOL", "/dav/personal/lockedcol", a, null, Map.of()).statusCode());
    String lockinfo = "<lockinfo xmlns='DAV:'><lockscope><exclusive/></lockscope><locktype><write/></locktype></lockinfo>";
    HttpResponse<String> colLock = dav("LOCK", "/dav/personal/lockedcol", a, lockinfo.getBytes(), Map.of("Depth", "0"));
    assertEquals(200, colLock.statusCode(), colLock.body());
    String colToken = colLock.headers().firstValue("Lock-Token").orElseThrow();
    assertEquals(423, dav("LOCK", "/dav/personal/lockedcol/new.txt", a, lockinfo.getBytes(), Map.of()).statusCode());
    HttpResponse<String> memberLock = dav("LOCK", "/dav/personal/lockedcol/new.txt", a, lockinfo.getBytes(),
        Map.of("If", "<" + node.url() + "/dav/personal/lockedcol> (" + colToken + ")"));
    assertEquals(201, memberLock.statusCode(), memberLock.body());
    String token = lock.headers().firstValue("Lock-Token").orElseThrow();
    // an untagged list is about the request URL, where this lock is not: the header does not hold
    assertEquals(412, dav("DELETE", "/dav/personal/bad", a, null, Map.of("If", "(" + token + ")")).statusCode());
    assertEquals(204, dav("DELETE", "/dav/personal/bad", a, null,
        Map.of("If", "<" + node.url() + "/dav/personal/bad/f.txt> (" + token + ")")).statusCode());
  }

  private static void expect(int status, String error, HttpResponse<String> r) {
    assertEquals(status, r.statusCode(), r.body());
    assertTrue(r.body().contains("\"error\":\"" + error + "\""), "JSON error '" + error + "' expected: " + r.body());
  }

  // ------------------------------------------------------------------------------------------------ big folder

  @Test
  void aBigFolderListsStreamedPageByPage() throws Exception {
    int n = Integer.getInteger("arca.dav.bigFolder", 1000);
    String folder = "/dav/personal/big";
    assertEquals(201, dav("MKCOL", folder, basic("alice", ALICE_PASSWORD), null, Map.of()).statusCode());
    long t0 = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    try {
      List<Future<Integer>> made = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String name = String.format("entry-%06d", i);
        made.add(pool.submit(() -> dav("MKCOL", folder + "/" + name, basic("alice", ALICE_PASSWORD), null, Map.of()).statusCode()));
      }
      for (Future<Integer> f : made) assertEquals(201, f.get());
    } finally {
      pool.shutdown();
      pool.awaitTermination(1, TimeUnit.MINUTES);
    }
    double createS = (System.nanoTime() - t0) / 1e9;
    t0 = System.nanoTime();
    HttpResponse<String> list = dav("PROPFIND", folder + "/", basic("alice", ALICE_PASSWORD), null, Map.of("Depth", "1"));
    double listS = (System.nanoTime() - t0) / 1e9;
    assertEquals(207, list.statusCode());
    assertEquals(n + 1, count(list.body(), "<D:response>"));
    assertTrue(list.headers().firstValue("Transfer-Encoding").orElse("").contains("chunked")
        || list.headers().firstValue("Content-Length").isEmpty(), "streamed, not buffered: " + list.headers().map());
    System.out.printf("PROPFIND depth 1 of a %d-entry folder: %.2f s (%d bytes); created with MKCOL by 16 clients in %.1f s%n",
        n, listS, list.body().length(), createS);
  }

  // ------------------------------------------------------------------------------------------------ helpers

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  HttpResponse<String> dav(String method, String path, String authorization, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node.url() + path)).timeout(Duration.ofSeconds(120))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    if (authorization != null) b.header("Authorization", authorization);
    headers.forEach(b::header);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Run run(Path dir, Duration timeout, Map<String, String> env, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Path out = Files.createTempFile(dir, "run", ".log");
    pb.redirectOutput(out.toFile());
    Process p = pb.start();
    p.getOutputStream().close();
    if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Run(-1, "timed out after " + timeout + ":\n" + Files.readString(out));
    }
    return new Run(p.exitValue(), Files.readString(out));
  }
}
