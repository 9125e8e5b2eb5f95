package arca.rest.files.io;

import arca.proto.tree.StatRequest;
import arca.rest.files.io.IoGateway.Key;
import arca.rest.files.io.IoGateway.Resp;
import arca.rest.testsupport.FakeObjectsService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Objects on /io: PUT, GET, HEAD, DELETE with a bearer token and with SigV4; ranges, conditions, digests, copy. */
class S3ObjectRoutesTest {
  static IoGateway gw;
  static String alice;
  static Key aliceKey;

  @BeforeAll
  static void start() {
    gw = new IoGateway("s3-objects", true);
    alice = gw.token("alice");
    aliceKey = gw.accessKey("alice");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

  static String md5(byte[] b) { return FakeObjectsService.hex("MD5", b); }

  @Test
  void putGetHeadDeleteWithBearer() {
    byte[] body = bytes("hello, object");
    Resp put = gw.bearer(alice, "PUT", "/io/common/docs/a%20b.txt", body, "Content-Type", "text/plain");
    assertEquals(200, put.status(), put::toString);
    assertEquals("\"" + md5(body) + "\"", put.header("ETag").orElseThrow());

    Resp get = gw.bearer(alice, "GET", "/io/common/docs/a%20b.txt", new byte[0]);
    assertEquals(200, get.status(), get::toString);
    assertArrayEquals(body, get.body());
    assertEquals("\"" + md5(body) + "\"", get.header("ETag").orElseThrow());
    assertEquals("bytes", get.header("Accept-Ranges").orElseThrow());
    assertTrue(get.header("Content-Type").orElseThrow().startsWith("text/plain"), get.headers()::toString);
    assertTrue(get.header("Last-Modified").isPresent());
    assertTrue(get.header("x-amz-request-id").isPresent());

    Resp head = gw.bearer(alice, "HEAD", "/io/common/docs/a%20b.txt", new byte[0]);
    assertEquals(200, head.status());
    assertEquals(Optional.of(Integer.toString(body.length)), head.header("Content-Length"), head.headers()::toString);
    assertEquals(0, head.body().length);

    assertEquals("docs", gw.tree.stat(StatRequest.newBuilder().setDatasource("default")
        .setPath("common/docs").build()).toCompletableFuture().join().getName(), "PUT made the missing folder");
    assertEquals(204, gw.bearer(alice, "DELETE", "/io/common/docs/a%20b.txt", new byte[0]).status());
    Resp gone = gw.bearer(alice, "GET", "/io/common/docs/a%20b.txt", new byte[0]);
    assertEquals(404, gone.status());
    assertEquals("NoSuchKey", gone.code());
    assertTrue(gone.header("Content-Type").orElseThrow().startsWith("application/xml"));
    assertEquals(204, gw.bearer(alice, "DELETE", "/io/common/docs/a%20b.txt", new byte[0]).status(), "deleting a missing key");
  }

  @Test
  void overwriteDeletesTheReplacedBlob() {
    long before = gw.objects.count("default");
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/over.txt", bytes("one")).status());
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/over.txt", bytes("two two")).status());
    assertEquals(before + 1, gw.objects.count("default"));
    assertEquals("two two", gw.bearer(alice, "GET", "/io/common/over.txt", new byte[0]).text());
    assertEquals(204, gw.bearer(alice, "DELETE", "/io/common/over.txt", new byte[0]).status());
    assertEquals(before, gw.objects.count("default"));
  }

  @Test
  void putGetWithSigV4() {
    byte[] body = bytes("signed bytes & more");
    String path = SdkSigner.objectPath("personal/notes/a&b=c+d~e (1).txt");
    Resp put = gw.signed(aliceKey, "PUT", path, Map.of(), Map.of("Content-Type", "text/plain; charset=utf-8"), body, true, false);
    assertEquals(200, put.status(), put::toString);
    Resp unsigned = gw.signed(aliceKey, "PUT", path, Map.of(), Map.of(), body, false, false);
    assertEquals(200, unsigned.status(), unsigned::toString);
    Resp chunked = gw.signed(aliceKey, "PUT", path, Map.of(), Map.of(), body, true, true);
    assertEquals(200, chunked.status(), chunked::toString);
    Resp get = gw.signed(aliceKey, "GET", path, new byte[0]);
    assertEquals(200, get.status(), get::toString);
    assertArrayEquals(body, get.body());
    assertEquals("signed bytes & more", new String(gw.bearer(alice, "GET", path, new byte[0]).body(), StandardCharsets.UTF_8),
        "personal resolves to the caller's own root whatever the authentication");
  }

  @Test
  void rangesAnswer206AndUnsatisfiableIs416() {
    byte[] body = bytes("0123456789");
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/range.txt", body).status());
    Resp r = gw.bearer(alice, "GET", "/io/common/range.txt", new byte[0], "Range", "bytes=2-5");
    assertEquals(206, r.status());
    assertEquals("2345", r.text());
    assertEquals("bytes 2-5/10", r.header("Content-Range").orElseThrow());
    assertEquals("789", gw.bearer(alice, "GET", "/io/common/range.txt", new byte[0], "Range", "bytes=7-").text());
    assertEquals("6789", gw.bearer(alice, "GET", "/io/common/range.txt", new byte[0], "Range", "bytes=-4").text());
    assertEquals("89", gw.bearer(alice, "GET", "/io/common/range.txt", new byte[0], "Range", "bytes=8-100").text());
    assertEquals("0123456789", gw.bearer(alice, "GET", "/io/common/range.txt", new byte[0], "Range", "bytes=-50").text());
    Resp bad = gw.bearer(alice, "GET", "/io/common/range.txt", new byte[0], "Range", "bytes=10-");
    assertEquals(416, bad.status());
    assertEquals("InvalidRange", bad.code());
    Resp ignored = gw.bearer(alice, "GET", "/io/common/range.txt", new byte[0], "Range", "bytes=1-2,4-5");
    assertEquals(200, ignored.status(), "several ranges: the whole object, as S3 does");
  }

  @Test
  void conditionalRequests() {
    byte[] body = bytes("conditional");
    String etag = "\"" + md5(body) + "\"";
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/cond.txt", body).status());
    String path = "/io/common/cond.txt";
    assertEquals(200, gw.bearer(alice, "GET", path, new byte[0], "If-Match", etag).status());
    assertEquals("PreconditionFailed", gw.bearer(alice, "GET", path, new byte[0], "If-Match", "\"abc\"").code());
    assertEquals(412, gw.bearer(alice, "HEAD", path, new byte[0], "If-Match", "\"abc\"").status());
    assertEquals(304, gw.bearer(alice, "GET", path, new byte[0], "If-None-Match", etag).status());
    assertEquals(200, gw.bearer(alice, "GET", path, new byte[0], "If-None-Match", "\"other\"").status());
    DateTimeFormatter http = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    String future = http.format(Instant.now().plusSeconds(3600));
    String past = http.format(Instant.now().minusSeconds(3600));
    assertEquals(304, gw.bearer(alice, "GET", path, new byte[0], "If-Modified-Since", future).status());
    assertEquals(200, gw.bearer(alice, "GET", path, new byte[0], "If-Modified-Since", past).status());
    assertEquals(412, gw.bearer(alice, "GET", path, new byte[0], "If-Unmodified-Since", past).status());
    Resp conditionalPut = gw.bearer(alice, "PUT", path, bytes("x"), "If-None-Match", "*");
    assertEquals(412, conditionalPut.status(), conditionalPut::toString);
    assertEquals("conditional", gw.bearer(alice, "GET", path, new byte[0]).text());
  }

  @Test
  void digestsAreChecked() {
    long before = gw.objects.count("default");
    byte[] body = bytes("digest me");
    String md5 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(md5(body)));
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/md5.txt", body, "Content-MD5", md5).status());
    String wrong = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(md5(bytes("other"))));
    Resp bad = gw.bearer(alice, "PUT", "/io/common/md5-bad.txt", body, "Content-MD5", wrong);
    assertEquals(400, bad.status());
    assertEquals("BadDigest", bad.code());
    assertEquals("InvalidDigest", gw.bearer(alice, "PUT", "/io/common/md5-bad.txt", body, "Content-MD5", "nope").code());
    Resp sha = gw.bearer(alice, "PUT", "/io/common/md5-bad.txt", body, "x-amz-content-sha256", "0".repeat(64));
    assertEquals("XAmzContentSHA256Mismatch", sha.code());
    assertEquals(404, gw.bearer(alice, "GET", "/io/common/md5-bad.txt", new byte[0]).status(), "nothing indexed");
    assertEquals(before + 1, gw.objects.count("default"), "no blob left by the refused uploads");
  }

  @Test
  void foldersFromTrailingSlashKeys() {
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/made/by/client/", new byte[0]).status());
    Resp marker = gw.bearer(alice, "HEAD", "/io/common/made/by/client/", new byte[0]);
    assertEquals(200, marker.status());
    assertEquals(404, gw.bearer(alice, "GET", "/io/common/made/by/client", new byte[0]).status(), "a folder is no object");
    assertEquals(204, gw.bearer(alice, "DELETE", "/io/common/made/by/client/", new byte[0]).status());
    assertEquals(404, gw.bearer(alice, "HEAD", "/io/common/made/by/client/", new byte[0]).status(), "empty folder removed");
    assertEquals(0, gw.tree.trashed(), "removed for good, not left in the bin");
  }

  @Test
  void copyObject() {
    byte[] body = bytes("copy me");
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/copy/src.txt", body, "Content-Type", "text/x-src").status());
    Resp copied = gw.bearer(alice, "PUT", "/io/personal/copied.txt", new byte[0],
        "x-amz-copy-source", "/io/common/copy/src.txt");
    assertEquals(200, copied.status(), copied::toString);
    assertEquals("\"" + md5(body) + "\"", copied.first("ETag").replace("&quot;", "\""));
    Resp get = gw.bearer(alice, "GET", "/io/personal/copied.txt", new byte[0]);
    assertArrayEquals(body, get.body());
    assertTrue(get.header("Content-Type").orElseThrow().startsWith("text/x-src"));
    assertEquals("NoSuchKey", gw.bearer(alice, "PUT", "/io/personal/c2.txt", new byte[0],
        "x-amz-copy-source", "io/common/copy/missing.txt").code());
  }

  @Test
  void multiObjectDelete() {
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/multi/a", bytes("a")).status());
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/multi/b", bytes("b")).status());
    String xml = "<Delete><Object><Key>common/multi/a</Key></Object><Object><Key>common/multi/b</Key></Object>"
        + "<Object><Key>common/multi/never</Key></Object><Object><Key>common/../x</Key></Object></Delete>";
    Resp r = gw.bearer(alice, "POST", "/io?delete", bytes(xml), "Content-Type", "application/xml");
    assertEquals(200, r.status(), r::toString);
    assertEquals(List.of("common/multi/a", "common/multi/b", "common/multi/never"), r.all("Key").subList(0, 3));
    assertTrue(r.text().contains("<Code>InvalidObjectName</Code>"), r::toString);
    assertEquals(404, gw.bearer(alice, "GET", "/io/common/multi/a", new byte[0]).status());
  }
}
