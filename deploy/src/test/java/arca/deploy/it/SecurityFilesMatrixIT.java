package arca.deploy.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 11, items 4 and 5, on a real node: a policy written for one face holds on every node an operation touches,
 * on /a, /io and /dav (the policy x operation x face matrix, run with a deny of DELETE, a deny of everything, and no
 * policy, so that it fails both ways; /io both with a bearer token and with an access key through s3cmd); and listings on every face leave out what a deny ACL keeps from the caller
 * (the ACL x listing matrix). Its own users, workspace and policy group (deleted afterwards).
 */
class SecurityFilesMatrixIT {
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  static Api api;
  static String base;
  static String admin;
  static String bobLogin;
  static String bobPassword = "bob-" + UUID.randomUUID();
  static String bob;
  static String ws;
  static String group;
  /** s3cmd's configuration with bob's access key, and its working folder. */
  static Path s3cfg;
  static Path work;

  @BeforeAll
  static void setUp() throws Exception {
    api = SharedNode.api();
    base = api.base();
    admin = api.token("admin", SharedNode.ADMIN_PASSWORD);
    bobLogin = SharedNode.newLogin("mx");
    ws = "mx-" + UUID.randomUUID().toString().substring(0, 8);
    group = "mx-" + UUID.randomUUID().toString().substring(0, 8);
    IdentityEndToEnd.assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", bobLogin, "password", bobPassword)));
    bob = api.token(bobLogin, bobPassword);
    IdentityEndToEnd.assertStatus(201, api.send("POST", "/a/workspaces", admin, Map.of("slug", ws, "label", "Matrix",
        "root", Map.of("datasource", "default", "path", ws))));
    for (String action : List.of("read", "write")) {
      IdentityEndToEnd.assertStatus(201, api.send("POST", "/a/acls", admin, Map.of("workspace", ws, "path", "", "role", "user:" + bobLogin, "action", action)));
    }
    IdentityEndToEnd.assertStatus(201, api.send("POST", "/a/acls", admin, Map.of("workspace", ws, "path", "docs/private", "role", "user:" + bobLogin, "action", "deny")));
    IdentityEndToEnd.assertStatus(201, api.send("POST", "/a/acls", admin, Map.of("workspace", ws, "path", "ro", "role", "user:" + bobLogin, "action", "read")));

    // /io with an access key too: s3cmd signs with bob's key (SigV4)
    work = Files.createTempDirectory("arca-files-matrix");
    Path script = Path.of(System.getProperty("arca.repo", ".."), "deploy", "bin", "ensure-s3-clients").toAbsolutePath();
    DavClientsIT.Run ensure = DavClientsIT.run(work, Duration.ofSeconds(300), Map.of(), script.toString());
    if (ensure.exit() != 0) fail("cannot install s3cmd:\n" + ensure.output());
    Api.Reply key = api.send("POST", "/a/access-keys", bob, Map.of("label", "files matrix"));
    IdentityEndToEnd.assertStatus(201, key);
    URI url = URI.create(base);
    s3cfg = work.resolve("s3cfg");
    Files.writeString(s3cfg, String.join("\n", "[default]", "access_key = " + key.text("accessKeyId"),
        "secret_key = " + key.text("secretAccessKey"), "host_base = " + url.getHost() + ":" + url.getPort(),
        "host_bucket = " + url.getHost() + ":" + url.getPort(), "use_https = False", "signature_v2 = False", ""));
    Files.writeString(work.resolve("up.txt"), "changed");
  }

  /** An s3cmd command as bob, as a status: 200 when it succeeds, 403 when S3 refused it, else 1000 + its exit code. */
  static int s3cmd(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("s3cmd", "-c", s3cfg.toString(), "--no-progress"));
    cmd.addAll(List.of(args));
    DavClientsIT.Run r = DavClientsIT.run(work, Duration.ofSeconds(60), Map.of(), cmd.toArray(String[]::new));
    if (r.exit() == 0) return 200;
    return r.output().contains("403") || r.output().contains("AccessDenied") ? 403 : 1000 + r.exit();
  }

  @AfterAll
  static void tearDown() throws Exception {
    if (api != null) api.send("DELETE", "/a/policies/" + group, admin, null);
    if (work != null) {
      // s3cmd's configuration holds bob's secret
      try (var files = Files.walk(work)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ requests

  static HttpResponse<String> call(String method, String path, Map<String, String> headers, byte[] body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static Map<String, String> bearer(String token, String... more) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Authorization", "Bearer " + token);
    for (int i = 0; i + 1 < more.length; i += 2) h.put(more[i], more[i + 1]);
    return h;
  }

  static Map<String, String> basic(String... more) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Authorization", DavClientsIT.basic(bobLogin, bobPassword));
    for (int i = 0; i + 1 < more.length; i += 2) h.put(more[i], more[i + 1]);
    return h;
  }

  static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

  static String json(String s) { return "{\"to\": \"" + s + "\"}"; }

  static void put(String path, String content) throws Exception {
    int s = call("PUT", "/io/" + ws + "/" + path, bearer(admin), bytes(content)).statusCode();
    assertEquals(200, s, "fixture " + path);
  }

  /** The content at a path, as the admin reads it (null when nothing is there). */
  static String content(String path) throws Exception {
    HttpResponse<String> r = call("GET", "/io/" + ws + "/" + path, bearer(admin), null);
    return r.statusCode() == 200 ? r.body() : null;
  }

  static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  /** Polls (up to 20 s) until the condition holds: policies reach a gateway within about 5 s. */
  static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) return;
      Thread.sleep(200);
    }
    fail("timed out waiting for " + what);
  }

  // ------------------------------------------------------------------------------------------------ the policy matrix

  enum Op { READ, LIST, CREATE, OVERWRITE, DELETE, MOVE_OUT, MOVE_IN, COPY_OUT, COPY_IN, RENAME_OVERWRITE, RESTORE }

  enum Face { A, IO, IO_KEY, DAV }

  /** The node actions each operation does under the guarded folder, and so whether each policy refuses it. */
  static boolean refusedBy(String policy, Op op) {
    if (policy.equals("none")) return false;
    if (policy.equals("deny-all")) return true;
    return op == Op.DELETE || op == Op.MOVE_OUT || op == Op.RENAME_OVERWRITE;  // deny-delete: what removes a guarded node
  }

  static boolean supported(Face f, Op op) {
    return switch (f) {
      case A -> op != Op.OVERWRITE;
      case IO, IO_KEY -> op != Op.MOVE_OUT && op != Op.MOVE_IN && op != Op.RENAME_OVERWRITE && op != Op.RESTORE;
      case DAV -> op != Op.RESTORE;
    };
  }

  /** One case's files: {@code g} under the guarded folder, {@code f} under the free one. */
  record Fixture(String g, String f, String trashUuid) {}

  static Fixture fixture(String name, Op op) throws Exception {
    String g = "guard/" + name;
    String f = "free/" + name;
    put(g + "/f.txt", "orig");
    put(g + "/b.txt", "bee");
    put(f + "/f.txt", "free");
    String uuid = null;
    if (op == Op.RESTORE) {
      put(g + "/t.txt", "trashed");
      uuid = api.send("DELETE", "/a/nodes/" + ws + "/" + g + "/t.txt", admin, null).text("uuid");
    }
    return new Fixture(g, f, uuid);
  }

  static int run(Face face, Op op, Fixture x) throws Exception {
    String n = "/a/nodes/" + ws + "/";
    String io = "/io/" + ws + "/";
    String dav = "/dav/" + ws + "/";
    return switch (face) {
      case A -> switch (op) {
        case READ -> api.get(n + x.g() + "/f.txt", bob).status();
        case LIST -> api.get(n + x.g() + "?children", bob).status();
        case CREATE -> api.send("POST", n + x.g() + "/newdir", bob, null).status();
        case DELETE -> api.send("DELETE", n + x.g() + "/f.txt", bob, null).status();
        case MOVE_OUT -> api.send("PATCH", n + x.g() + "/f.txt", bob, json(x.f() + "/moved.txt")).status();
        case MOVE_IN -> api.send("PATCH", n + x.f() + "/f.txt", bob, json(x.g() + "/moved.txt")).status();
        case COPY_OUT -> api.send("POST", n + x.g() + "/f.txt?action=copy", bob, json(x.f() + "/copied.txt")).status();
        case COPY_IN -> api.send("POST", n + x.f() + "/f.txt?action=copy", bob, json(x.g() + "/copied.txt")).status();
        case RENAME_OVERWRITE -> api.send("PATCH", n + x.g() + "/f.txt", bob,
            "{\"to\": \"" + x.g() + "/b.txt\", \"overwrite\": true}").status();
        case RESTORE -> api.send("POST", "/a/trash/" + ws + "/" + x.trashUuid() + "?action=restore", bob, null).status();
        default -> throw new IllegalArgumentException(op.name());
      };
      case IO -> switch (op) {
        case READ -> call("GET", io + x.g() + "/f.txt", bearer(bob), null).statusCode();
        case LIST -> call("GET", "/io?list-type=2&prefix=" + q(ws + "/" + x.g() + "/"), bearer(bob), null).statusCode();
        case CREATE -> call("PUT", io + x.g() + "/new.txt", bearer(bob), bytes("new")).statusCode();
        case OVERWRITE -> call("PUT", io + x.g() + "/f.txt", bearer(bob), bytes("changed")).statusCode();
        case DELETE -> call("DELETE", io + x.g() + "/f.txt", bearer(bob), null).statusCode();
        case COPY_OUT -> call("PUT", io + x.f() + "/copied.txt", bearer(bob, "x-amz-copy-source", "/io/" + ws + "/" + x.g() + "/f.txt"), new byte[0]).statusCode();
        case COPY_IN -> call("PUT", io + x.g() + "/copied.txt", bearer(bob, "x-amz-copy-source", "/io/" + ws + "/" + x.f() + "/f.txt"), new byte[0]).statusCode();
        default -> throw new IllegalArgumentException(op.name());
      };
      case IO_KEY -> {
        String s3 = "s3://io/" + ws + "/";
        String up = work.resolve("up.txt").toString();
        yield switch (op) {
          case READ -> s3cmd("get", "--force", s3 + x.g() + "/f.txt", work.resolve("down.txt").toString());
          case LIST -> s3cmd("ls", s3 + x.g() + "/");
          case CREATE -> s3cmd("put", up, s3 + x.g() + "/new.txt");
          case OVERWRITE -> s3cmd("put", up, s3 + x.g() + "/f.txt");
          case DELETE -> s3cmd("del", s3 + x.g() + "/f.txt");
          case COPY_OUT -> s3cmd("cp", s3 + x.g() + "/f.txt", s3 + x.f() + "/copied.txt");
          case COPY_IN -> s3cmd("cp", s3 + x.f() + "/f.txt", s3 + x.g() + "/copied.txt");
          default -> throw new IllegalArgumentException(op.name());
        };
      }
      case DAV -> switch (op) {
        case READ -> call("GET", dav + x.g() + "/f.txt", basic(), null).statusCode();
        case LIST -> call("PROPFIND", dav + x.g() + "/", basic("Depth", "1"), null).statusCode();
        case CREATE -> call("PUT", dav + x.g() + "/new.txt", basic(), bytes("new")).statusCode();
        case OVERWRITE -> call("PUT", dav + x.g() + "/f.txt", basic(), bytes("changed")).statusCode();
        case DELETE -> call("DELETE", dav + x.g() + "/f.txt", basic(), null).statusCode();
        case MOVE_OUT -> call("MOVE", dav + x.g() + "/f.txt", basic("Destination", dav + x.f() + "/moved.txt"), null).statusCode();
        case MOVE_IN -> call("MOVE", dav + x.f() + "/f.txt", basic("Destination", dav + x.g() + "/moved.txt"), null).statusCode();
        case COPY_OUT -> call("COPY", dav + x.g() + "/f.txt", basic("Destination", dav + x.f() + "/copied.txt"), null).statusCode();
        case COPY_IN -> call("COPY", dav + x.f() + "/f.txt", basic("Destination", dav + x.g() + "/copied.txt"), null).statusCode();
        case RENAME_OVERWRITE -> call("MOVE", dav + x.g() + "/f.txt", basic("Destination", dav + x.g() + "/b.txt", "Overwrite", "T"), null).statusCode();
        default -> throw new IllegalArgumentException(op.name());
      };
    };
  }

  /** What the operation changed, as the admin sees it: asserted unchanged when refused, changed when allowed. */
  static void checkState(Face face, Op op, Fixture x, boolean refused) throws Exception {
    String g = x.g();
    String f = x.f();
    switch (op) {
      case READ, LIST -> { }
      case CREATE -> assertEquals(!refused, content(face == Face.A ? g + "/newdir/" : g + "/new.txt") != null, "created");
      case OVERWRITE -> assertEquals(refused ? "orig" : "changed", content(g + "/f.txt"));
      case DELETE -> assertEquals(refused ? "orig" : null, content(g + "/f.txt"));
      case MOVE_OUT -> {
        assertEquals(refused ? "orig" : null, content(g + "/f.txt"), "the source");
        assertEquals(refused ? null : "orig", content(f + "/moved.txt"), "the target");
      }
      case MOVE_IN -> {
        assertEquals(refused ? "free" : null, content(f + "/f.txt"), "the source");
        assertEquals(refused ? null : "free", content(g + "/moved.txt"), "the target");
      }
      case COPY_OUT -> {
        assertEquals("orig", content(g + "/f.txt"));
        assertEquals(refused ? null : "orig", content(f + "/copied.txt"));
      }
      case COPY_IN -> assertEquals(refused ? null : "free", content(g + "/copied.txt"));
      case RENAME_OVERWRITE -> {
        assertEquals(refused ? "orig" : null, content(g + "/f.txt"));
        assertEquals(refused ? "bee" : "orig", content(g + "/b.txt"));
      }
      case RESTORE -> assertEquals(refused ? null : "trashed", content(g + "/t.txt"));
    }
  }

  static void setPolicy(String policy) throws Exception {
    api.send("DELETE", "/a/policies/" + group, admin, null);
    if (policy.equals("none")) return;
    String actions = policy.equals("deny-all") ? "<.*>" : "DELETE";
    // written for /a only: it must hold on /io and /dav too
    IdentityEndToEnd.assertStatus(201, api.send("POST", "/a/policies", admin, Map.of("id", group, "policies", List.of(Map.of(
        "subjects", List.of("user:" + bobLogin), "resources", List.of("rest:/a/nodes/" + ws + "/guard<(/.*)?>"),
        "actions", List.of(actions), "effect", "deny")))));
  }

  /**
   * Waits until the node applies this policy (or its absence), told apart from the one before by probes: a read of a
   * guarded file (refused by deny-all only), then its removal (refused by deny-delete too).
   */
  static void awaitPolicy(String policy) throws Exception {
    await("policy " + policy, () -> {
      try {
        put("guard/probe.txt", "p");
        // through /a, the face the policy names: its request gate applies it whatever the node checks do
        int read = api.get("/a/nodes/" + ws + "/guard/probe.txt", bob).status();
        if (policy.equals("deny-all")) return read == 403;
        if (read != 200) return false;
        int remove = api.send("DELETE", "/a/nodes/" + ws + "/guard/probe.txt", bob, null).status();
        return policy.equals("deny-delete") ? remove == 403 : remove == 200;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @Test
  void policiesHoldOnEveryNodeOfEveryOperationOnEveryFace() throws Exception {
    List<String> policies = List.of("deny-delete", "deny-all", "none");
    Map<String, Map<String, String>> matrix = new LinkedHashMap<>();
    List<String> failures = new ArrayList<>();
    for (String policy : policies) {
      setPolicy(policy);
      awaitPolicy(policy);
      for (Face face : Face.values()) {
        for (Op op : Op.values()) {
          if (!supported(face, op)) continue;
          String name = policy + "-" + face.name().toLowerCase() + "-" + op.name().toLowerCase().replace('_', '-');
          Fixture x = fixture(name, op);
          boolean refused = refusedBy(policy, op);
          int status = run(face, op, x);
          String row = face + " " + op;
          matrix.computeIfAbsent(row, k -> new LinkedHashMap<>()).put(policy, status + (refused ? " (refuse)" : " (allow)"));
          try {
            // a bin entry whose original path the caller may not read is hidden: restoring it answers 404
            if (refused) assertEquals(op == Op.RESTORE && policy.equals("deny-all") ? 404 : 403, status, "refused");
            else assertTrue(status >= 200 && status < 300, "allowed, got " + status);
            checkState(face, op, x, refused);
          } catch (AssertionError e) {
            failures.add(policy + " / " + row + ": " + e.getMessage());
          }
        }
      }
    }
    StringBuilder out = new StringBuilder(String.format("%n%-22s", "face operation"));
    for (String p : policies) out.append(String.format("%-20s", p));
    matrix.forEach((row, cells) -> {
      out.append(String.format("%n%-22s", row));
      for (String p : policies) out.append(String.format("%-20s", cells.getOrDefault(p, "-")));
    });
    System.out.println("SecurityFilesMatrixIT policy x operation x face:" + out);
    assertTrue(failures.isEmpty(), String.join("\n", failures));
  }

  // ------------------------------------------------------------------------------------------------ the ACL matrix

  @Test
  void listingsOnEveryFaceAndDepthLeaveOutWhatAnAclDenies() throws Exception {
    String secret = "SECRET-" + UUID.randomUUID();
    String secretEtag = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes(secret)));
    put("docs/a.txt", "a");
    put("docs/b.txt", "b");
    put("docs/private/s.txt", secret);
    put("docs/private/deep/d.txt", secret);
    put("ro/r.txt", "r");
    // the recycle bin holds an entry from the denied folder
    put("docs/private/gone.txt", secret);
    api.send("DELETE", "/a/nodes/" + ws + "/docs/private/gone.txt", admin, null);
    Map<String, String> seen = new LinkedHashMap<>();

    // /a/nodes children, one per page by cursor and by offset
    for (String folder : List.of("", "docs")) {
      List<String> names = new ArrayList<>();
      String cursor = null;
      for (int i = 0; i < 20; i++) {
        Api.Reply r = api.get("/a/nodes/" + ws + (folder.isEmpty() ? "" : "/" + folder) + "?children&limit=1"
            + (cursor == null ? "" : "&cursor=" + q(cursor)), bob);
        IdentityEndToEnd.assertStatus(200, r);
        seen.put("/a/nodes " + folder + " page " + i, r.raw().body());
        r.json().get("children").forEach(c -> names.add(c.get("name").asText()));
        if (!r.json().has("nextCursor")) break;
        cursor = r.json().get("nextCursor").asText();
      }
      assertFalse(names.contains("private"), names::toString);
      assertEquals(names.stream().distinct().toList(), names);
      if (folder.equals("docs")) {
        assertEquals(List.of("a.txt", "b.txt"), names);
        assertEquals(2, api.get("/a/nodes/" + ws + "/docs?children", bob).json().get("total").asInt(), "total counts what is shown");
        List<String> byOffset = new ArrayList<>();
        for (int o = 0; o < 3; o++) {
          api.get("/a/nodes/" + ws + "/docs?children&limit=1&offset=" + o, bob).json().get("children").forEach(c -> byOffset.add(c.get("name").asText()));
        }
        assertEquals(names, byOffset);
      }
    }
    IdentityEndToEnd.assertStatus(404, api.get("/a/nodes/" + ws + "/docs/private?children", bob));

    // S3 ListObjects V2 (and V1), with and without delimiter, pages of one
    for (String prefix : List.of(ws + "/", ws + "/docs/", ws + "/docs/private/", ws + "/docs/pr")) {
      for (String delimiter : List.of("", "&delimiter=/")) {
        for (String version : List.of("list-type=2", "")) {
          String token = null;
          for (int i = 0; i < 30; i++) {
            String paging = token == null ? "" : version.isEmpty() ? "&marker=" + q(token) : "&continuation-token=" + q(token);
            HttpResponse<String> r = call("GET", "/io?" + version + "&max-keys=1&prefix=" + q(prefix) + delimiter + paging, bearer(bob), null);
            assertEquals(200, r.statusCode(), r::body);
            // the answer repeats the prefix asked: that is the client's own text, not a name the listing shows
            seen.put("/io " + version + " " + prefix + delimiter + " page " + i, r.body().replace("<Prefix>" + prefix + "</Prefix>", ""));
            if (!r.body().contains("<IsTruncated>true</IsTruncated>")) break;
            token = version.isEmpty() ? between(r.body(), "NextMarker") : between(r.body(), "NextContinuationToken");
          }
        }
      }
    }

    // PROPFIND Depth 1 of the parent, of the workspace, and of the denied folder itself
    for (String path : List.of("", "docs/")) {
      HttpResponse<String> r = call("PROPFIND", "/dav/" + ws + "/" + path, basic("Depth", "1"), null);
      assertEquals(207, r.statusCode(), r::body);
      seen.put("PROPFIND " + path, r.body());
    }
    assertEquals(404, call("PROPFIND", "/dav/" + ws + "/docs/private/", basic("Depth", "1"), null).statusCode());

    // the recycle bin
    Api.Reply bin = api.get("/a/trash/" + ws, bob);
    IdentityEndToEnd.assertStatus(200, bin);
    seen.put("/a/trash", bin.raw().body());
    assertEquals(bin.json().get("items").size(), bin.json().get("total").asInt(), "total counts what is shown");

    System.out.println("SecurityFilesMatrixIT ACL x listing: " + seen.size() + " listings checked: " + seen.keySet());
    seen.forEach((where, body) -> {
      assertFalse(body.contains("private"), where + " shows the denied folder: " + body);
      assertFalse(body.contains(secretEtag), where + " shows the denied file's ETag");
    });
    // the read-only folder is listed (it may be read) but not written
    assertTrue(api.get("/a/nodes/" + ws + "?children", bob).raw().body().contains("\"name\":\"ro\""), "ro is listed");
    assertEquals(403, call("PUT", "/io/" + ws + "/ro/w.txt", bearer(bob), bytes("w")).statusCode());
    // the admin still sees everything
    assertTrue(call("GET", "/io?list-type=2&prefix=" + q(ws + "/docs/"), bearer(admin), null).body().contains(secretEtag));
  }

  static String between(String xml, String element) {
    int s = xml.indexOf("<" + element + ">");
    int e = xml.indexOf("</" + element + ">");
    return s < 0 || e < 0 ? null : xml.substring(s + element.length() + 2, e);
  }
}
