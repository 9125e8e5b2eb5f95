package arca.rest.files.io;

import arca.rest.files.io.SdkSigner.Payload;
import arca.rest.files.io.SdkSigner.Signed;
import arca.rest.files.io.SigV4.Secret;
import arca.rest.files.io.SigV4Result.Rejected;
import arca.rest.files.io.SigV4Result.Verified;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The AWS SDK v2 signer as oracle: requests it signs verify, and changing any signed part of them (method, one
 * byte of the path or query, a signed header, the secret), the key id or the clock is refused with S3's code.
 */
class SigV4SdkOracleTest {
  static final String AKID = "AKIDSDKORACLE";
  static final String SECRET = "sdk/secret+key=oracle";
  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  static final SdkSigner SDK = new SdkSigner(AKID, SECRET, NOW);
  static final List<String> KEYS = List.of("common/docs/a b.txt", "a&b=c+d~e.txt", "\u00e9/\u65e5\u672c.txt",
      "x/(1)!*'$@:,;[].txt", "two  spaces/ end ", "100%.txt", "~/.hidden/..//x", "tab\tand\u007fdel");

  /** One kind of request the gateway will see, signed by the SDK. */
  record Case(String name, String method, String path, Map<String, List<String>> query, Map<String, String> headers,
              byte[] body, Payload payload) {
    Signed sign() { return SDK.sign(method, path, query, headers, body, payload); }

    @Override public String toString() { return name; }
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    byte[] body = "hello, object".getBytes(StandardCharsets.UTF_8);
    for (String key : KEYS) {
      String path = SdkSigner.objectPath(key);
      cases.add(new Case("PUT signed " + key, "PUT", path, Map.of(),
          Map.of("Content-Type", "text/plain", "x-amz-meta-note", "  two   words "), body, Payload.SIGNED));
      cases.add(new Case("PUT unsigned " + key, "PUT", path, Map.of(), Map.of("Content-Type", "text/plain"), body, Payload.UNSIGNED));
      cases.add(new Case("GET range " + key, "GET", path, Map.of(), Map.of("Range", "bytes=0-9"), new byte[0], Payload.SIGNED));
    }
    Map<String, List<String>> list = new LinkedHashMap<>();
    list.put("list-type", List.of("2"));
    list.put("prefix", List.of("a b/\u00e9&=+"));
    list.put("delimiter", List.of("/"));
    list.put("continuation-token", List.of("MTIz/+=~tok en"));
    list.put("start-after", List.of("a b/x"));
    list.put("encoding-type", List.of("url"));
    cases.add(new Case("ListObjectsV2", "GET", "/io", list, Map.of(), new byte[0], Payload.SIGNED));
    cases.add(new Case("CreateMultipartUpload", "POST", SdkSigner.objectPath("mp/a b&c.bin"),
        Map.of("uploads", List.of("")), Map.of(), new byte[0], Payload.SIGNED));
    cases.add(new Case("UploadPart", "PUT", SdkSigner.objectPath("mp/a b&c.bin"),
        Map.of("partNumber", List.of("3"), "uploadId", List.of("u~1=x+y/z")), Map.of(), body, Payload.SIGNED));
    cases.add(new Case("UploadPart chunked", "PUT", SdkSigner.objectPath("mp/a b&c.bin"),
        Map.of("partNumber", List.of("4"), "uploadId", List.of("u~1=x+y/z")), Map.of(), body, Payload.CHUNKED));
    cases.add(new Case("PutObject chunked with trailer", "PUT", SdkSigner.objectPath("\u00e9 t.bin"),
        Map.of(), Map.of(), body, Payload.CHUNKED_TRAILER));
    cases.add(new Case("DeleteObjects", "POST", "/io", Map.of("delete", List.of("")),
        Map.of("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg=="), "<Delete/>".getBytes(StandardCharsets.UTF_8), Payload.SIGNED));
    return cases;
  }

  static SigV4 verifier(Instant now, String secret) {
    return new SigV4(id -> id.equals(AKID) ? Optional.of(new Secret(secret)) : Optional.empty(), Clock.fixed(now, ZoneOffset.UTC));
  }

  @ParameterizedTest(name = "{0}") @MethodSource("cases")
  void sdkSignedRequestsVerify(Case c) {
    SigV4Request r = c.sign().request();
    Verified v = assertInstanceOf(Verified.class, verifier(NOW, SECRET).verify(r));
    assertEquals(AKID, v.accessKeyId());
    assertEquals(r.header("x-amz-content-sha256").orElseThrow(), v.contentSha256());
    assertEquals(c.payload() == Payload.UNSIGNED, v.contentSha256().equals(SigV4.UNSIGNED_PAYLOAD));
    assertEquals(v.contentSha256().startsWith("STREAMING-"), v.chunkSeed().isPresent());
    assertInstanceOf(Verified.class, verifier(NOW.minus(SigV4.MAX_SKEW), SECRET).verify(r));
  }

  @ParameterizedTest(name = "{0}") @MethodSource("cases")
  void everyChangeIsRefused(Case c) {
    SigV4Request r = c.sign().request();
    SigV4 v = verifier(NOW, SECRET);
    String otherMethod = r.method().equals("GET") ? "HEAD" : "GET";
    assertCode("SignatureDoesNotMatch", v.verify(new SigV4Request(otherMethod, r.rawPath(), r.rawQuery(), r.headers())));
    assertCode("SignatureDoesNotMatch", v.verify(new SigV4Request(r.method(), flipLastByte(r.rawPath()), r.rawQuery(), r.headers())));
    String query = r.rawQuery().isEmpty() ? "x-id=1" : flipLastByte(r.rawQuery());
    assertCode("SignatureDoesNotMatch", v.verify(new SigV4Request(r.method(), r.rawPath(), query, r.headers())));
    for (String name : r.headers().keySet()) {
      if (name.equals("x-amz-date") || name.equals("authorization") || name.equals("x-amz-content-sha256")) continue;
      if (!r.header("authorization").orElseThrow().contains(name)) continue;
      Map<String, List<String>> h = new LinkedHashMap<>(r.headers());
      h.put(name, List.of(flipLastByte(r.header(name).orElseThrow())));
      assertCode("SignatureDoesNotMatch", v.verify(new SigV4Request(r.method(), r.rawPath(), r.rawQuery(), h)));
    }
    assertCode("SignatureDoesNotMatch", verifier(NOW, flipLastByte(SECRET)).verify(r));
    assertCode("InvalidAccessKeyId", new SigV4(id -> Optional.empty(), Clock.fixed(NOW, ZoneOffset.UTC)).verify(r));
    assertCode("RequestTimeTooSkewed", verifier(NOW.plus(Duration.ofMinutes(16)), SECRET).verify(r));
    assertCode("RequestTimeTooSkewed", verifier(NOW.minus(Duration.ofMinutes(16)), SECRET).verify(r));
  }

  @ParameterizedTest(name = "{0}") @MethodSource("keys")
  void sdkPresignedGetVerifiesUntilItExpires(String key) {
    Map<String, List<String>> query = Map.of("response-content-disposition", List.of("attachment; filename=\"a b.txt\""));
    SigV4Request r = SDK.presign("GET", SdkSigner.objectPath(key), query, Duration.ofHours(1));
    assertEquals(new Verified(AKID, SigV4.UNSIGNED_PAYLOAD, Optional.empty()), verifier(NOW, SECRET).verify(r));
    assertInstanceOf(Verified.class, verifier(NOW.plus(Duration.ofHours(1)), SECRET).verify(r));
    assertEquals(new Rejected("AccessDenied", "Request has expired"),
        verifier(NOW.plus(Duration.ofHours(1)).plusSeconds(1), SECRET).verify(r));
    assertCode("SignatureDoesNotMatch", verifier(NOW, SECRET).verify(new SigV4Request("PUT", r.rawPath(), r.rawQuery(), r.headers())));
    assertCode("SignatureDoesNotMatch", verifier(NOW, SECRET).verify(new SigV4Request("GET", flipLastByte(r.rawPath()), r.rawQuery(), r.headers())));
    String otherDisposition = r.rawQuery().replace("attachment", "attachmenT");
    assertNotEquals(r.rawQuery(), otherDisposition);
    assertCode("SignatureDoesNotMatch", verifier(NOW, SECRET).verify(new SigV4Request("GET", r.rawPath(), otherDisposition, r.headers())));
    assertCode("SignatureDoesNotMatch", verifier(NOW, flipLastByte(SECRET)).verify(r));
  }

  @Test void sdkPresignedUrlsLongerThanSevenDaysAreRefused() {
    SigV4Request r = SDK.presign("GET", "/io/a", Map.of(), Duration.ofDays(7));
    assertInstanceOf(Verified.class, verifier(NOW, SECRET).verify(r));
    SigV4Request tooLong = new SigV4Request("GET", r.rawPath(), r.rawQuery().replace("X-Amz-Expires=604800", "X-Amz-Expires=604801"), r.headers());
    assertCode("AuthorizationQueryParametersError", verifier(NOW, SECRET).verify(tooLong));
  }

  /** A client that signs its own, non-normal spelling of the path (unescaped sub-delimiters, lower-case hex). */
  @Test void pathSignedAsSentIsAcceptedWhenItIsNotS3NormalForm() {
    for (String wirePath : List.of("/io/a=b&c(1)!$,;:@.txt", "/io/%c3%a9/%e6%97%a5.txt", "/io/%7Etilde+plus.txt")) {
      SigV4Request r = SDK.sign("GET", wirePath, Map.of(), Map.of(), new byte[0], Payload.SIGNED).request();
      assertNotEquals(wirePath, SigV4Canonical.normalPath(wirePath));
      assertInstanceOf(Verified.class, verifier(NOW, SECRET).verify(r), wirePath);
    }
  }

  /** A client that signs S3's normal form but sends the path spelled otherwise (as s3cmd-style quoting may). */
  @Test void normalFormIsAcceptedWhatevertheWireSpelling() {
    SigV4Request r = SDK.sign("GET", SdkSigner.objectPath("x/(1)!=&\u00e9.txt"), Map.of(), Map.of(), new byte[0], Payload.SIGNED).request();
    for (String wirePath : List.of("/io/x/(1)!=&%c3%a9.txt", "/io/x/%281%29%21%3D%26\u00e9.txt", "/io/%78/(1)!=&%C3%A9.txt")) {
      SigV4Request respelled = new SigV4Request("GET", wirePath, r.rawQuery(), r.headers());
      assertInstanceOf(Verified.class, verifier(NOW, SECRET).verify(respelled), wirePath);
    }
  }

  /** Query values with spaces, plus signs and slashes: '+' on the wire is a plus, never a space. */
  @Test void queryPlusIsAPlusAndSpellingsOfTheSameValueAgree() {
    Map<String, List<String>> q = Map.of("prefix", List.of("a+b c/d"));
    SigV4Request r = SDK.sign("GET", "/io", q, Map.of(), new byte[0], Payload.SIGNED).request();
    assertTrue(r.rawQuery().contains("a%2Bb%20c%2Fd"), r.rawQuery());
    SigV4 v = verifier(NOW, SECRET);
    assertInstanceOf(Verified.class, v.verify(new SigV4Request("GET", "/io", "prefix=a%2Bb%20c/d", r.headers())));
    assertCode("SignatureDoesNotMatch", v.verify(new SigV4Request("GET", "/io", "prefix=a+b+c/d", r.headers())));
  }

  static List<String> keys() { return KEYS; }

  static void assertCode(String code, SigV4Result r) {
    assertEquals(code, assertInstanceOf(Rejected.class, r).code());
  }

  static String flipLastByte(String s) {
    char last = s.charAt(s.length() - 1);
    return s.substring(0, s.length() - 1) + (char) (last == 'A' ? 'B' : last == ' ' ? '_' : last ^ 1);
  }
}
