package arca.rest.files.io;

import arca.rest.files.io.IoGateway.Key;
import arca.rest.files.io.IoGateway.Resp;
import arca.rest.testsupport.FakeObjectsService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Multipart uploads on /io: create, upload parts (SigV4), list, complete with S3's ETag, abort, refusals. */
class S3MultipartRoutesTest {
  static IoGateway gw;
  static Key key;
  static final byte[] PART1 = random(5 * 1024 * 1024 + 17, 1);
  static final byte[] PART2 = random(1000, 2);

  @BeforeAll
  static void start() {
    gw = new IoGateway("s3-multipart", true);
    key = gw.accessKey("alice");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  static String create(String path) {
    Resp r = gw.signed(key, "POST", path, Map.of("uploads", List.of("")), Map.of("Content-Type", "video/mp4"), new byte[0], true, false);
    assertEquals(200, r.status(), r::toString);
    return r.first("UploadId");
  }

  static Resp part(String path, String uploadId, int number, byte[] body) {
    return gw.signed(key, "PUT", path, Map.of("partNumber", List.of(Integer.toString(number)), "uploadId", List.of(uploadId)),
        Map.of(), body, false, false);
  }

  static Resp complete(String path, String uploadId, String xml) {
    return gw.signed(key, "POST", path, Map.of("uploadId", List.of(uploadId)), Map.of("Content-Type", "application/xml"),
        xml.getBytes(StandardCharsets.UTF_8), true, false);
  }

  static String partXml(int number, String etag) {
    return "<Part><PartNumber>" + number + "</PartNumber><ETag>" + etag + "</ETag></Part>";
  }

  @Test
  void roundTripWithS3Etag() {
    long blobsBefore = gw.objects.count("default");
    String path = "/io/personal/videos/big%20one.mp4";
    String uploadId = create(path);
    Resp p1 = part(path, uploadId, 1, PART1);
    assertEquals(200, p1.status(), p1::toString);
    assertEquals("\"" + FakeObjectsService.hex("MD5", PART1) + "\"", p1.header("ETag").orElseThrow());
    Resp p2 = part(path, uploadId, 2, PART2);
    assertEquals(200, p2.status(), p2::toString);

    Resp parts = gw.signed(key, "GET", path, Map.of("uploadId", List.of(uploadId)), Map.of(), new byte[0], true, false);
    assertEquals(200, parts.status(), parts::toString);
    assertEquals(List.of("1", "2"), parts.all("PartNumber"));
    assertEquals(List.of(Integer.toString(PART1.length), Integer.toString(PART2.length)), parts.all("Size"));

    Resp wrong = complete(path, uploadId, "<CompleteMultipartUpload>" + partXml(1, p1.header("ETag").orElseThrow())
        + partXml(2, "\"0123\"") + "</CompleteMultipartUpload>");
    assertEquals("InvalidPart", wrong.code(), wrong::toString);

    Resp done = complete(path, uploadId, "<CompleteMultipartUpload>" + partXml(1, p1.header("ETag").orElseThrow())
        + partXml(2, p2.header("ETag").orElseThrow()) + "</CompleteMultipartUpload>");
    assertEquals(200, done.status(), done::toString);
    ByteArrayOutputStream md5s = new ByteArrayOutputStream();
    md5s.writeBytes(HexFormat.of().parseHex(FakeObjectsService.hex("MD5", PART1)));
    md5s.writeBytes(HexFormat.of().parseHex(FakeObjectsService.hex("MD5", PART2)));
    String etag = FakeObjectsService.hex("MD5", md5s.toByteArray()) + "-2";
    assertEquals("&quot;" + etag + "&quot;", done.first("ETag"));

    Resp get = gw.signed(key, "GET", path, new byte[0]);
    assertEquals(200, get.status());
    assertEquals("\"" + etag + "\"", get.header("ETag").orElseThrow());
    assertTrue(get.header("Content-Type").orElseThrow().startsWith("video/mp4"));
    ByteArrayOutputStream whole = new ByteArrayOutputStream();
    whole.writeBytes(PART1);
    whole.writeBytes(PART2);
    assertArrayEquals(whole.toByteArray(), get.body());
    assertEquals(blobsBefore + 1, gw.objects.count("default"), "parts and marker deleted, the object's blob kept");
    assertEquals(0, gw.tree.trashed());
    assertEquals("NoSuchUpload", part(path, uploadId, 3, PART2).code(), "a completed upload is gone");
  }

  @Test
  void smallPartsButTheLastAreRefused() {
    String path = "/io/personal/small.bin";
    String uploadId = create(path);
    String e1 = part(path, uploadId, 1, PART2).header("ETag").orElseThrow();
    String e2 = part(path, uploadId, 2, PART2).header("ETag").orElseThrow();
    Resp r = complete(path, uploadId, "<CompleteMultipartUpload>" + partXml(1, e1) + partXml(2, e2) + "</CompleteMultipartUpload>");
    assertEquals("EntityTooSmall", r.code(), r::toString);
    Resp one = complete(path, uploadId, "<CompleteMultipartUpload>" + partXml(2, e2) + "</CompleteMultipartUpload>");
    assertEquals(200, one.status(), "a single (last) part may be small: " + one);
    assertEquals(PART2.length, gw.signed(key, "GET", path, new byte[0]).body().length);
  }

  @Test
  void abortRemovesEverything() {
    long blobsBefore = gw.objects.count("default");
    String path = "/io/common/aborted.bin";
    String uploadId = create(path);
    assertEquals(200, part(path, uploadId, 1, PART2).status());
    Resp abort = gw.signed(key, "DELETE", path, Map.of("uploadId", List.of(uploadId)), Map.of(), new byte[0], true, false);
    assertEquals(204, abort.status(), abort::toString);
    assertEquals(blobsBefore, gw.objects.count("default"));
    Resp gone = gw.signed(key, "GET", path, Map.of("uploadId", List.of(uploadId)), Map.of(), new byte[0], true, false);
    assertEquals(404, gone.status());
    assertEquals("NoSuchUpload", gone.code());
  }

  @Test
  void anUploadIdOnlyWorksForItsKey() {
    String uploadId = create("/io/common/one.bin");
    assertEquals("NoSuchUpload", part("/io/common/other.bin", uploadId, 1, PART2).code());
    assertEquals("NoSuchUpload", part("/io/common/one.bin", "not-an-id", 1, PART2).code());
    assertEquals("InvalidArgument", part("/io/common/one.bin", uploadId, 10001, PART2).code());
    assertEquals("MalformedXML", complete("/io/common/one.bin", uploadId, "<nope").code());
  }
}
