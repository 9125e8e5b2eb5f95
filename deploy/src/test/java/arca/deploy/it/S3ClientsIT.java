package arca.deploy.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The S3-compatible /io gateway end to end with real clients (s3cmd and rclone, installed by
 * deploy/bin/ensure-s3-clients when missing) against a real node (embedded default storage): the node's URL is the
 * endpoint, path style, bucket {@code io}, keys {@code <workspace>/<path>}. Covers single-part and multipart uploads
 * (0 B to 200 MiB, compared by SHA-256 on disk), S3's multipart ETag, keys with {@code & = + spaces é 日本}, listings,
 * sync up and down, recursive delete, rclone's byte-level check, sync and purge, a Range GET with a bearer token and
 * the file's stat under /a/nodes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ClientsIT {
  static final String PASSWORD = "s3-clients-admin-password";
  static final String WEIRD = "a & b = c + d é 日本.txt";
  static final long MIB = 1024 * 1024;

  Path work;
  Path cfg;
  NodeProcess node;
  /** The address the clients use (this class: one node; a subclass: a cluster's nginx). */
  String baseUrl;
  int port;
  Api api;
  String alice;
  String accessKeyId;
  String secret;
  final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  record Run(int exit, String output, List<String> command) {
    String describe() {
      return String.join(" ", command) + "\n-> exit " + exit + "\n" + output;
    }
  }

  @BeforeAll
  void start() throws Exception {
    work = Files.createTempDirectory("arca-s3-clients-it");
    Path script = Path.of(System.getProperty("arca.repo", ".."), "deploy", "bin", "ensure-s3-clients").toAbsolutePath();
    Run ensure = run(Duration.ofSeconds(300), Map.of(), script.toString());
    if (ensure.exit() != 0) fail("cannot install s3cmd and rclone:\n" + ensure.describe());

    startServer();
    api = new Api(baseUrl);
    String admin = api.token("admin", PASSWORD);
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", "alice", "password", "alice-password")));
    alice = api.token("alice", "alice-password");
    Api.Reply key = api.send("POST", "/a/access-keys", alice, Map.of("label", "s3 clients IT"));
    assertStatus(201, key);
    accessKeyId = key.text("accessKeyId");
    secret = key.text("secretAccessKey");
    assertTrue(accessKeyId != null && secret != null, key.raw().body());

    cfg = work.resolve("s3cfg");
    Files.writeString(cfg, String.join("\n",
        "[default]",
        "access_key = " + accessKeyId,
        "secret_key = " + secret,
        "host_base = 127.0.0.1:" + port,
        "host_bucket = 127.0.0.1:" + port,
        "use_https = False",
        "signature_v2 = False",
        ""));
  }

  /** Starts what the clients talk to and sets {@link #baseUrl} and {@link #port}. */
  void startServer() throws Exception {
    node = new NodeProcess(work.resolve("node"), Map.of("ARCA_ADMIN_PASSWORD", PASSWORD)).start();
    baseUrl = node.url();
    port = node.httpPort;
  }

  void stopServer() throws Exception {
    if (node != null) {
      System.out.println(node.logTail());
      node.close();
    }
  }

  @AfterAll
  void stop() throws Exception {
    try {
      stopServer();
    } finally {
      if (work != null) deleteTree(work);
    }
  }

  // ---------------------------------------------------------------- s3cmd

  @Test
  void s3cmdPutGetOfEverySize() throws Exception {
    Path dir = Files.createDirectories(work.resolve("s3cmd-sizes"));
    Map<String, Long> sizes = new TreeMap<>(Map.of("zero.bin", 0L, "one.bin", 1L, "five-mib-plus-one.bin", 5 * MIB + 1,
        "two-hundred-mib.bin", 200 * MIB));
    for (Map.Entry<String, Long> e : sizes.entrySet()) {
      Path f = randomFile(dir.resolve(e.getKey()), e.getValue(), e.getKey().hashCode());
      String uri = "s3://io/common/docs/" + e.getKey();
      long t0 = System.nanoTime();
      s3cmdOk(Duration.ofSeconds(90), "put", f.toString(), uri);
      long t1 = System.nanoTime();
      Path back = dir.resolve(e.getKey() + ".back");
      s3cmdOk(Duration.ofSeconds(90), "get", "--force", uri, back.toString());
      long t2 = System.nanoTime();
      assertEquals(e.getValue(), Files.size(back), uri);
      assertEquals(sha256(f), sha256(back), "SHA-256 of " + uri + " after the round trip");
      if (e.getValue() >= 100 * MIB) {
        double mib = e.getValue() / (double) MIB;
        System.out.printf("S3ClientsIT figures: s3cmd put %.0f MiB: %.1f MiB/s (%.2f s), get: %.1f MiB/s (%.2f s)%n",
            mib, mib / ((t1 - t0) / 1e9), (t1 - t0) / 1e9, mib / ((t2 - t1) / 1e9), (t2 - t1) / 1e9);
      }
      Files.delete(back);
    }
    Run ls = s3cmdOk(Duration.ofSeconds(30), "ls", "s3://io/common/docs/");
    Map<String, Long> listed = s3cmdListing(ls.output());
    for (Map.Entry<String, Long> e : sizes.entrySet()) {
      assertEquals(e.getValue(), listed.get("s3://io/common/docs/" + e.getKey()), "size of " + e.getKey() + " in\n" + ls.describe());
    }
    deleteTree(dir);
  }

  @Test
  void s3cmdMultipartUploadHasS3sETag() throws Exception {
    Path dir = Files.createDirectories(work.resolve("s3cmd-multipart"));
    Path f = randomFile(dir.resolve("big.bin"), 13 * MIB, 13);
    String key = "common/mp/big file & more.bin";
    s3cmdOk(Duration.ofSeconds(60), "--multipart-chunk-size-mb=5", "put", f.toString(), "s3://io/" + key);
    HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/io/" + encodeKey(key)))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).header("Authorization", "Bearer " + alice)
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.discarding());
    assertEquals(200, head.statusCode(), head.headers().map().toString());
    String etag = head.headers().firstValue("ETag").orElse("");
    assertTrue(etag.replace("\"", "").matches("[0-9a-f]{32}-3"), "ETag of a 3-part upload: " + etag);
    assertEquals(13 * MIB, head.headers().firstValueAsLong("Content-Length").orElse(-1));
    Path back = dir.resolve("big.back");
    s3cmdOk(Duration.ofSeconds(60), "get", "--force", "s3://io/" + key, back.toString());
    assertEquals(sha256(f), sha256(back));
    deleteTree(dir);
  }

  @Test
  void s3cmdKeyWithReservedAndNonAsciiCharacters() throws Exception {
    Path dir = Files.createDirectories(work.resolve("s3cmd-weird"));
    Path f = randomFile(dir.resolve("weird.bin"), 4096, 7);
    String uri = "s3://io/common/weird/" + WEIRD;
    s3cmdOk(Duration.ofSeconds(30), "put", f.toString(), uri);
    Run ls = s3cmdOk(Duration.ofSeconds(30), "ls", "s3://io/common/weird/");
    assertEquals(Long.valueOf(4096), s3cmdListing(ls.output()).get(uri), ls.describe());
    Path back = dir.resolve("weird.back");
    s3cmdOk(Duration.ofSeconds(30), "get", "--force", uri, back.toString());
    assertEquals(-1L, Files.mismatch(f, back));
    Api.Reply stat = api.get("/a/nodes/common/weird/" + encodeKey(WEIRD), alice);
    assertStatus(200, stat);
    assertEquals(WEIRD, stat.text("name"));
    s3cmdOk(Duration.ofSeconds(30), "del", uri);
    assertStatus(404, api.get("/a/nodes/common/weird/" + encodeKey(WEIRD), alice));
    deleteTree(dir);
  }

  @Test
  void s3cmdSyncUpAndDownThenDeleteRecursively() throws Exception {
    Path tree = tree(work.resolve("s3cmd-tree"), 21);
    s3cmdOk(Duration.ofSeconds(60), "sync", tree + "/", "s3://io/personal/tree/");
    Run ls = s3cmdOk(Duration.ofSeconds(30), "ls", "-r", "s3://io/personal/tree/");
    Map<String, Long> listed = s3cmdListing(ls.output());
    Map<String, Long> expected = new TreeMap<>();
    files(tree).forEach((rel, p) -> expected.put("s3://io/personal/tree/" + rel, size(p)));
    assertEquals(expected, listed, ls.describe());

    Path down = Files.createDirectories(work.resolve("s3cmd-tree-down"));
    s3cmdOk(Duration.ofSeconds(60), "sync", "s3://io/personal/tree/", down + "/");
    assertSameTree(tree, down);

    s3cmdOk(Duration.ofSeconds(60), "del", "-r", "s3://io/personal/tree/");
    Run after = s3cmdOk(Duration.ofSeconds(30), "ls", "-r", "s3://io/personal/tree/");
    assertEquals(Map.of(), s3cmdListing(after.output()), after.describe());
    for (String rel : files(tree).keySet()) {
      assertStatus(404, api.get("/a/nodes/personal/tree/" + encodeKey(rel), alice));
      Run get = s3cmd(Duration.ofSeconds(30), "get", "--force", "s3://io/personal/tree/" + rel, work.resolve("gone").toString());
      assertTrue(get.exit() != 0, "a deleted object is still served:\n" + get.describe());
    }
    deleteTree(tree);
    deleteTree(down);
  }

  // ---------------------------------------------------------------- rclone

  @Test
  void rcloneCopyCheckSyncLsPurge() throws Exception {
    Path tree = tree(work.resolve("rclone-tree"), 42);
    randomFile(tree.resolve("sub/multipart-12mib.bin"), 12 * MIB, 12); // over the 5M upload cutoff: 3 parts
    rcloneOk(Duration.ofSeconds(60), "copy", tree.toString(), "arca:io/common/rtree");
    Run check = rclone(Duration.ofSeconds(60), "check", "--download", tree.toString(), "arca:io/common/rtree");
    assertEquals(0, check.exit(), check.describe());
    assertTrue(check.output().contains("0 differences found"), check.describe());
    assertEquals(rcloneExpected(tree), rcloneListing(rcloneOk(Duration.ofSeconds(30), "ls", "arca:io/common/rtree")));

    // a file deleted locally disappears remotely with sync
    Files.delete(tree.resolve("sub/deep/" + WEIRD));
    Files.delete(tree.resolve("top.txt"));
    rcloneOk(Duration.ofSeconds(60), "sync", tree.toString(), "arca:io/common/rtree");
    Map<String, Long> afterSync = rcloneListing(rcloneOk(Duration.ofSeconds(30), "ls", "arca:io/common/rtree"));
    assertFalse(afterSync.containsKey("sub/deep/" + WEIRD), afterSync.toString());
    assertFalse(afterSync.containsKey("top.txt"), afterSync.toString());
    assertEquals(rcloneExpected(tree), afterSync);
    assertStatus(404, api.get("/a/nodes/common/rtree/top.txt", alice));
    Run again = rclone(Duration.ofSeconds(60), "check", "--download", tree.toString(), "arca:io/common/rtree");
    assertEquals(0, again.exit(), again.describe());

    rcloneOk(Duration.ofSeconds(60), "purge", "arca:io/common/rtree");
    Run ls = rclone(Duration.ofSeconds(30), "ls", "arca:io/common/rtree");
    assertEquals(Map.of(), rcloneListing(ls), ls.describe());
    assertFalse(rcloneListing(rcloneOk(Duration.ofSeconds(30), "ls", "arca:io/common/")).keySet().stream()
        .anyMatch(k -> k.startsWith("rtree/")), "purged objects listed");
    deleteTree(tree);
  }

  // ---------------------------------------------------------------- plain HTTP with a bearer token

  @Test
  void rangeGetAndStatWithABearerToken() throws Exception {
    Path dir = Files.createDirectories(work.resolve("http"));
    Path f = randomFile(dir.resolve("range.bin"), 300_000, 300);
    s3cmdOk(Duration.ofSeconds(30), "put", f.toString(), "s3://io/common/docs/range.bin");

    HttpResponse<byte[]> range = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/io/common/docs/range.bin"))
        .header("Authorization", "Bearer " + alice).header("Range", "bytes=100-199").timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(206, range.statusCode(), new String(range.body(), StandardCharsets.UTF_8));
    assertEquals("bytes 100-199/300000", range.headers().firstValue("Content-Range").orElse(""));
    byte[] all = Files.readAllBytes(f);
    assertArrayEquals(Arrays.copyOfRange(all, 100, 200), range.body());

    Api.Reply stat = api.get("/a/nodes/common/docs/range.bin", alice);
    assertStatus(200, stat);
    assertEquals(300_000L, stat.json().get("size").asLong(), stat.raw().body());
    String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(all));
    assertEquals(md5, stat.text("etag"), stat.raw().body());
    deleteTree(dir);
  }

  // ---------------------------------------------------------------- clients

  Run s3cmd(Duration timeout, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("s3cmd", "-c", cfg.toString(), "--no-progress"));
    cmd.addAll(List.of(args));
    return run(timeout, Map.of(), cmd.toArray(String[]::new));
  }

  Run s3cmdOk(Duration timeout, String... args) throws Exception {
    Run r = s3cmd(timeout, args);
    assertEquals(0, r.exit(), r.describe());
    return r;
  }

  Run rclone(Duration timeout, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("rclone", "--s3-chunk-size", "5M", "--s3-upload-cutoff", "5M"));
    cmd.addAll(List.of(args));
    return run(timeout, Map.of(
        "RCLONE_CONFIG", work.resolve("rclone.conf").toString(),
        "RCLONE_CONFIG_ARCA_TYPE", "s3",
        "RCLONE_CONFIG_ARCA_PROVIDER", "Other",
        "RCLONE_CONFIG_ARCA_ACCESS_KEY_ID", accessKeyId,
        "RCLONE_CONFIG_ARCA_SECRET_ACCESS_KEY", secret,
        "RCLONE_CONFIG_ARCA_ENDPOINT", baseUrl,
        "RCLONE_CONFIG_ARCA_FORCE_PATH_STYLE", "true"), cmd.toArray(String[]::new));
  }

  Run rcloneOk(Duration timeout, String... args) throws Exception {
    Run r = rclone(timeout, args);
    assertEquals(0, r.exit(), r.describe());
    return r;
  }

  /** Runs a client with a timeout; stdout and stderr go to a file (no pipe to fill), returned as text. */
  Run run(Duration timeout, Map<String, String> env, String... command) throws Exception {
    Path out = Files.createTempFile(work, "cmd", ".out");
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
    Map<String, String> e = pb.environment();
    // AWS_CA_BUNDLE breaks rclone's S3 backend; proxies must not see loopback traffic
    for (String k : List.of("AWS_CA_BUNDLE", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")) e.remove(k);
    e.putAll(env);
    Process p = pb.start();
    boolean done = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
    if (!done) {
      p.destroyForcibly().waitFor();
    }
    String output = Files.readString(out, StandardCharsets.UTF_8);
    Files.delete(out);
    if (!done) fail("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command) + "\n" + output);
    return new Run(p.exitValue(), output, List.of(command));
  }

  private static final Pattern S3CMD_LINE = Pattern.compile("^\\S+\\s+\\S+\\s+(\\d+)\\s+(s3://.*)$");
  private static final Pattern RCLONE_LINE = Pattern.compile("^\\s*(\\d+) (.*)$");

  /** s3cmd ls: {@code date time size uri} per object (DIR lines skipped). */
  static Map<String, Long> s3cmdListing(String output) {
    Map<String, Long> out = new TreeMap<>();
    for (String line : output.split("\n")) {
      Matcher m = S3CMD_LINE.matcher(line);
      if (m.matches()) out.put(m.group(2), Long.parseLong(m.group(1)));
    }
    return out;
  }

  /** rclone ls: {@code size path} per object. */
  static Map<String, Long> rcloneListing(Run ls) {
    Map<String, Long> out = new TreeMap<>();
    for (String line : ls.output().split("\n")) {
      Matcher m = RCLONE_LINE.matcher(line);
      if (m.matches()) out.put(m.group(2), Long.parseLong(m.group(1)));
    }
    return out;
  }

  static Map<String, Long> rcloneExpected(Path tree) throws IOException {
    Map<String, Long> out = new TreeMap<>();
    files(tree).forEach((rel, p) -> out.put(rel, size(p)));
    return out;
  }

  // ---------------------------------------------------------------- files

  /** A small tree: nested folders, an empty file, a key with reserved and non-ASCII characters. */
  static Path tree(Path root, long seed) throws IOException {
    randomFile(root.resolve("top.txt"), 1234, seed);
    randomFile(root.resolve("empty.txt"), 0, seed + 1);
    randomFile(root.resolve("sub/a.bin"), 70_000, seed + 2);
    randomFile(root.resolve("sub/b + c.bin"), 512, seed + 3);
    randomFile(root.resolve("sub/deep/" + WEIRD), 2048, seed + 4);
    randomFile(root.resolve("sub/deep/er/x=y.dat"), 1_000_001, seed + 5);
    return root;
  }

  /** Random bytes written in 1 MiB chunks (never the whole file in memory). */
  static Path randomFile(Path f, long size, long seed) throws IOException {
    Files.createDirectories(f.getParent());
    Random random = new Random(seed);
    byte[] buf = new byte[(int) Math.min(MIB, Math.max(size, 1))];
    try (OutputStream out = Files.newOutputStream(f)) {
      for (long left = size; left > 0; ) {
        int n = (int) Math.min(buf.length, left);
        random.nextBytes(buf);
        out.write(buf, 0, n);
        left -= n;
      }
    }
    return f;
  }

  static String sha256(Path f) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(f)) {
      for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
    }
    return HexFormat.of().formatHex(md.digest());
  }

  /** Regular files under root by relative path ('/' separated). */
  static Map<String, Path> files(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      return s.filter(Files::isRegularFile).collect(Collectors.toMap(p -> root.relativize(p).toString().replace('\\', '/'),
          p -> p, (a, b) -> a, TreeMap::new));
    }
  }

  static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }

  static void assertSameTree(Path expected, Path actual) throws IOException {
    Map<String, Path> a = files(expected);
    Map<String, Path> b = files(actual);
    assertEquals(a.keySet(), b.keySet(), "files of " + actual);
    for (String rel : a.keySet()) {
      assertEquals(-1L, Files.mismatch(a.get(rel), b.get(rel)), "bytes of " + rel);
    }
  }

  /** A key or path for a URL: each segment percent-encoded (%20 for spaces), '/' kept. */
  static String encodeKey(String key) {
    return Arrays.stream(key.split("/", -1)).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
        .collect(Collectors.joining("/"));
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) return;
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
