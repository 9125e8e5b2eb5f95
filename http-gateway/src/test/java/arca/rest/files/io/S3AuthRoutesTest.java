package arca.rest.files.io;

import arca.proto.workspace.Scope;
import arca.proto.workspace.Workspace;
import arca.rest.files.io.IoGateway.Key;
import arca.rest.files.io.IoGateway.Resp;
import arca.rest.testsupport.FakeWorkspaceService;
import io.grpc.Status;
import java.util.ArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Who may do what on /io: anonymous, bad tokens, bad signatures and unknown keys are refused with S3's codes;
 * presigned URLs; workspaces the caller may not use look missing; bad paths are 400; errors are always S3 XML.
 */
class S3AuthRoutesTest {
  static IoGateway gw;
  static Key aliceKey;
  static Key bobKey;
  static String admin;

  @BeforeAll
  static void start() {
    gw = new IoGateway("s3-auth", true);
    aliceKey = gw.accessKey("alice");
    bobKey = gw.accessKey("bob");
    admin = gw.token("root", "admin");
    gw.workspaces.put(Workspace.newBuilder().setSlug("projects").setScope(Scope.SCOPE_ADMIN)
        .setRoot(FakeWorkspaceService.root("default", "projects")).build());
    assertEquals(200, gw.bearer(admin, "PUT", "/io/projects/plan.txt", "plan".getBytes(StandardCharsets.UTF_8)).status());
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  static void assertS3Error(Resp r, int status, String code) {
    assertEquals(status, r.status(), r::toString);
    assertEquals(code, r.code(), r::toString);
    assertTrue(r.header("Content-Type").orElse("").startsWith("application/xml"), r::toString);
  }

  @Test
  void anonymousAndBadTokensAreRefused() {
    assertS3Error(gw.bearer(null, "GET", "/io?list-type=2", new byte[0]), 403, "AccessDenied");
    assertS3Error(gw.bearer(null, "PUT", "/io/common/x", new byte[] {1}), 403, "AccessDenied");
    assertS3Error(gw.bearer("not-a-jwt", "GET", "/io/common/x", new byte[0]), 403, "AccessDenied");
    assertS3Error(gw.bearer(null, "GET", "/io/common/x", new byte[0], "Authorization", "AWS AKID:c2ln"), 400, "InvalidRequest");
  }

  @Test
  void badSignaturesAndUnknownKeys() {
    byte[] body = "x".getBytes(StandardCharsets.UTF_8);
    assertS3Error(gw.signed(new Key(aliceKey.id(), "wrong-secret-wrong-secret-wrong-secret-00"), "PUT", "/io/common/sig.txt", body),
        403, "SignatureDoesNotMatch");
    assertS3Error(gw.signed(new Key("AK000000000000009999", "s".repeat(40)), "GET", "/io/common/sig.txt", new byte[0]),
        403, "InvalidAccessKeyId");
    assertEquals(404, gw.signed(aliceKey, "GET", "/io/common/sig.txt", new byte[0]).status(), "nothing was stored");
  }

  @Test
  void presignedGet() {
    assertEquals(200, gw.signed(aliceKey, "PUT", "/io/common/shared%20file.txt", "shared".getBytes(StandardCharsets.UTF_8)).status());
    String target = gw.presign(aliceKey, "GET", "/io/common/shared%20file.txt", Duration.ofMinutes(5));
    Resp r = gw.bearer(null, "GET", target, new byte[0]);
    assertEquals(200, r.status(), r::toString);
    assertEquals("shared", r.text());
    assertS3Error(gw.bearer(null, "GET", target.replace("shared%20file", "shared%20filf"), new byte[0]), 403, "SignatureDoesNotMatch");
  }

  @Test
  void workspacesTheCallerMayNotUseLookMissing() {
    assertEquals(200, gw.signed(bobKey, "PUT", "/io/personal/bob-only.txt", "bob".getBytes(StandardCharsets.UTF_8)).status());
    assertS3Error(gw.signed(aliceKey, "GET", "/io/personal/bob-only.txt", new byte[0]), 404, "NoSuchKey");
    assertEquals("bob", gw.signed(bobKey, "GET", "/io/personal/bob-only.txt", new byte[0]).text());
    assertS3Error(gw.signed(aliceKey, "GET", "/io/projects/plan.txt", new byte[0]), 404, "NoSuchKey");
    assertS3Error(gw.signed(aliceKey, "PUT", "/io/projects/new.txt", new byte[] {1}), 404, "NoSuchKey");
    assertS3Error(gw.signed(aliceKey, "GET", "/io/nosuchworkspace/x", new byte[0]), 404, "NoSuchKey");
    assertEquals("plan", gw.bearer(admin, "GET", "/io/projects/plan.txt", new byte[0]).text());
  }

  @Test
  void badPathsAre400() {
    assertS3Error(gw.bearer(admin, "PUT", "/io/common/../projects/x", new byte[] {1}), 400, "InvalidObjectName");
    assertS3Error(gw.bearer(admin, "PUT", "/io/common/a/./b", new byte[] {1}), 400, "InvalidObjectName");
    assertS3Error(gw.bearer(admin, "PUT", "/io/common/a//b", new byte[] {1}), 400, "InvalidObjectName");
    assertS3Error(gw.bearer(admin, "PUT", "/io/common/ctl%01x", new byte[] {1}), 400, "InvalidObjectName");
    assertS3Error(gw.bearer(admin, "PUT", "/io/common/" + "n".repeat(256), new byte[] {1}), 400, "InvalidObjectName");
    assertS3Error(gw.bearer(admin, "PUT", "/io/common/" + "d/".repeat(600) + "x", new byte[] {1}), 400, "KeyTooLongError");
    assertS3Error(gw.bearer(admin, "GET", "/io/common/%C3%28", new byte[0]), 400, "InvalidURI");
    assertS3Error(gw.bearer(admin, "PUT", "/io/common", new byte[] {1}), 400, "InvalidObjectName");
  }

  @Test
  void everyErrorIsS3Xml() {
    assertS3Error(gw.bearer(admin, "POST", "/io/common/x", new byte[0]), 405, "MethodNotAllowed");
    assertS3Error(gw.bearer(admin, "PATCH", "/io/common/x", new byte[] {1}), 405, "MethodNotAllowed");
    assertS3Error(gw.bearer(admin, "GET", "/io?list-type=2&max-keys=abc", new byte[0]), 400, "InvalidArgument");
    assertS3Error(gw.bearer(admin, "GET", "/io?list-type=2&delimiter=%7C", new byte[0]), 501, "NotImplemented");
    assertS3Error(gw.bearer(admin, "POST", "/io?delete", "<Delete>".getBytes(StandardCharsets.UTF_8)), 400, "MalformedXML");
  }

  @Test
  void aServiceDownIs503() {
    gw.tree.down = Status.UNAVAILABLE;
    try {
      assertS3Error(gw.bearer(admin, "GET", "/io/common/x", new byte[0]), 503, "ServiceUnavailable");
    } finally {
      gw.tree.down = null;
    }
    gw.tokens.down = Status.UNAVAILABLE;
    try {
      assertS3Error(gw.signed(new Key("AK000000000000008888", "s".repeat(40)), "GET", "/io/common/x", new byte[0]),
          503, "ServiceUnavailable");
    } finally {
      gw.tokens.down = null;
    }
  }

  /** Sends a PUT with Expect: 100-continue over a raw socket; returns the status lines the server sent, in order. */
  static List<String> expectContinue(String path, String token, byte[] body) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", gw.port)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
      out.write(("PUT " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + body.length + "\r\n"
          + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "Expect: 100-continue\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      List<String> statuses = new ArrayList<>();
      String first = in.readLine();
      statuses.add(first);
      if (first.contains(" 100 ")) {
        while (!in.readLine().isEmpty()) { }
        out.write(body);
        out.flush();
        statuses.add(in.readLine());
      }
      return statuses;
    }
  }

  @Test
  void expectContinueUpload() throws Exception {
    byte[] body = new byte[300_000];
    assertEquals(List.of("HTTP/1.1 100 Continue", "HTTP/1.1 200 OK"), expectContinue("/io/common/continued.bin", admin, body));
    assertEquals(body.length, gw.bearer(admin, "GET", "/io/common/continued.bin", new byte[0]).body().length);
    assertEquals(List.of("HTTP/1.1 403 Forbidden"), expectContinue("/io/common/refused.bin", null, body),
        "refused before the body is sent");
  }

  @Test
  void bodiesLargerThanTheServerLimitStream() {
    byte[] body = new byte[9 * 1024 * 1024 + 3];
    body[body.length - 1] = 7;
    Resp put = gw.signed(aliceKey, "PUT", "/io/common/large.bin", Map.of(), Map.of(), body, false, false);
    assertEquals(200, put.status(), put::toString);
    Resp head = gw.signed(aliceKey, "HEAD", "/io/common/large.bin", new byte[0]);
    assertEquals(Integer.toString(body.length), head.header("Content-Length").orElseThrow());
    Resp tail = gw.signed(aliceKey, "GET", "/io/common/large.bin", Map.of(), Map.of("Range", "bytes=-1"), new byte[0], true, false);
    assertEquals(206, tail.status());
    assertEquals(7, tail.body()[0]);
  }

  @Test
  void signaturesVerifyWithoutTheRawRequestUriHeader() throws Exception {
    try (IoGateway plain = new IoGateway("s3-auth-plain", false)) {
      Key k = plain.accessKey("carol");
      String path = SdkSigner.objectPath("common/odd (1)!$&'=+,;@~ é.txt");
      Resp put = plain.signed(k, "PUT", path, Map.of(), Map.of("Content-Type", "text/plain"), "odd".getBytes(StandardCharsets.UTF_8), true, false);
      assertEquals(200, put.status(), put::toString);
      Resp list = plain.signed(k, "GET", "/io", Map.of("list-type", List.of("2"), "prefix", List.of("common/odd (1)")),
          Map.of(), new byte[0], true, false);
      assertEquals(List.of("common/odd (1)!$&amp;&apos;=+,;@~ é.txt"), list.all("Key"), list::toString);
    }
  }
}
