package arca.rest.files.io;

import arca.rest.files.io.SigV4.Secret;
import arca.rest.files.io.SigV4Result.Rejected;
import arca.rest.files.io.SigV4Result.Verified;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pins the canonicalisation to the fixed examples of the AWS S3 documentation ("Authenticating Requests: Using the
 * Authorization Header" and "Query Parameters"), independent of any SDK, and covers the refusals.
 */
class SigV4Test {
  static final String AKID = "AKIAIOSFODNN7EXAMPLE";
  static final String SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  static final Instant DOC_TIME = Instant.parse("2013-05-24T00:00:00Z");
  static final String EMPTY = SigV4Crypto.EMPTY_SHA256;
  static final String HOST = "examplebucket.s3.amazonaws.com";

  static SigV4 verifier(Instant now) {
    return new SigV4(id -> id.equals(AKID) ? Optional.of(new Secret(SECRET)) : Optional.empty(), Clock.fixed(now, ZoneOffset.UTC));
  }

  static Map<String, List<String>> headers(String... nameValue) {
    Map<String, List<String>> h = new LinkedHashMap<>();
    for (int i = 0; i < nameValue.length; i += 2) h.put(nameValue[i], List.of(nameValue[i + 1]));
    return h;
  }

  static String auth(String signedHeaders, String signature) {
    return "AWS4-HMAC-SHA256 Credential=" + AKID + "/20130524/us-east-1/s3/aws4_request,SignedHeaders="
        + signedHeaders + ",Signature=" + signature;
  }

  static SigV4Request docGetObject(String signature) {
    return new SigV4Request("GET", "/test.txt", "", headers("Host", HOST, "Range", "bytes=0-9",
        "x-amz-content-sha256", EMPTY, "x-amz-date", "20130524T000000Z",
        "Authorization", auth("host;range;x-amz-content-sha256;x-amz-date",
            signature)));
  }

  @Test void awsDocGetObjectWithRange() {
    SigV4Result r = verifier(DOC_TIME).verify(docGetObject("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
    assertEquals(new Verified(AKID, EMPTY, Optional.empty()), r);
  }

  @Test void awsDocPutObjectWithDollarInKeyAndDateHeader() {
    SigV4Request put = new SigV4Request("PUT", "/test%24file.text", "", headers("Host", HOST,
        "Date", "Fri, 24 May 2013 00:00:00 GMT", "x-amz-date", "20130524T000000Z",
        "x-amz-storage-class", "REDUCED_REDUNDANCY",
        "x-amz-content-sha256", "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
        "Authorization", auth("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd")));
    assertEquals(new Verified(AKID, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072", Optional.empty()), verifier(DOC_TIME).verify(put));
  }

  @Test void awsDocGetBucketLifecycleAndListObjects() {
    SigV4Request lifecycle = new SigV4Request("GET", "/", "lifecycle", headers("Host", HOST,
        "x-amz-date", "20130524T000000Z", "x-amz-content-sha256", EMPTY,
        "Authorization", auth("host;x-amz-content-sha256;x-amz-date", "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")));
    SigV4Request list = new SigV4Request("GET", "/", "max-keys=2&prefix=J", headers("Host", HOST,
        "x-amz-date", "20130524T000000Z", "x-amz-content-sha256", EMPTY,
        "Authorization", auth("host;x-amz-content-sha256;x-amz-date", "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")));
    assertInstanceOf(Verified.class, verifier(DOC_TIME).verify(lifecycle));
    assertInstanceOf(Verified.class, verifier(DOC_TIME).verify(list));
  }

  static final String DOC_PRESIGNED_QUERY = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
      + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
      + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
      + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

  @Test void awsDocPresignedUrlVerifiesUntilItExpires() {
    SigV4Request get = new SigV4Request("GET", "/test.txt", DOC_PRESIGNED_QUERY, headers("Host", HOST));
    assertEquals(new Verified(AKID, SigV4.UNSIGNED_PAYLOAD, Optional.empty()), verifier(DOC_TIME.plusSeconds(86_400)).verify(get));
    assertEquals(new Rejected("AccessDenied", "Request has expired"), verifier(DOC_TIME.plusSeconds(86_401)).verify(get));
    assertRejected("AccessDenied", verifier(DOC_TIME.minus(Duration.ofMinutes(16))).verify(get));
  }

  @Test void presignGetReproducesTheAwsDocExample() {
    String query = SigV4.presignGet("GET", HOST, "/test.txt", AKID, new Secret(SECRET), "us-east-1", DOC_TIME, Duration.ofDays(1));
    assertEquals(DOC_PRESIGNED_QUERY, query);
  }

  @Test void presignGetLinksVerifyForAwkwardKeysAndRefuseOtherMethods() {
    String path = "/io/" + SigV4Canonical.encode("common/a b&c=d+e~f é/日本.txt", true);
    Instant now = Instant.parse("2026-11-23T10:00:00Z");
    String query = SigV4.presignGet("GET", "gw.example:8080", path, AKID, new Secret(SECRET), "eu-west-3", now, Duration.ofHours(1));
    SigV4 v = verifier(now.plusSeconds(60));
    assertInstanceOf(Verified.class, v.verify(new SigV4Request("GET", path, query, headers("Host", "gw.example:8080"))));
    assertRejected("SignatureDoesNotMatch", v.verify(new SigV4Request("PUT", path, query, headers("Host", "gw.example:8080"))));
    assertRejected("SignatureDoesNotMatch", v.verify(new SigV4Request("GET", path, query, headers("Host", "other:8080"))));
    assertThrows(IllegalArgumentException.class, () ->
        SigV4.presignGet("GET", "h", path, AKID, new Secret(SECRET), "us-east-1", now, Duration.ofDays(8)));
  }

  @Test void refusesWhatS3Refuses() {
    SigV4Request good = docGetObject("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    assertRejected("SignatureDoesNotMatch", verifier(DOC_TIME).verify(docGetObject("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb40")));
    assertRejected("RequestTimeTooSkewed", verifier(DOC_TIME.plus(Duration.ofMinutes(15).plusSeconds(1))).verify(good));
    assertRejected("RequestTimeTooSkewed", verifier(DOC_TIME.minus(Duration.ofMinutes(15).plusSeconds(1))).verify(good));
    assertInstanceOf(Verified.class, verifier(DOC_TIME.plus(Duration.ofMinutes(15))).verify(good));
    SigV4 nobody = new SigV4(id -> Optional.empty(), Clock.fixed(DOC_TIME, ZoneOffset.UTC));
    assertRejected("InvalidAccessKeyId", nobody.verify(good));
    assertRejected("AccessDenied", verifier(DOC_TIME).verify(new SigV4Request("GET", "/test.txt", "", headers("Host", HOST))));
    assertRejected("InvalidRequest", verifier(DOC_TIME).verify(withHeader(good, "Authorization", "AWS " + AKID + ":c2lnbmF0dXJl")));
  }

  @Test void refusesMalformedAuthorization() {
    SigV4Request good = docGetObject("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    String sig = ",Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
    for (String bad : List.of(
        "AWS4-HMAC-SHA256 Credential=" + AKID + "/20130524/us-east-1/s3/aws4_request,SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=" + AKID + "/20130524/us-east-1/s3,SignedHeaders=host" + sig,
        "AWS4-HMAC-SHA256 Credential=" + AKID + "/20130524/us-east-1/ec2/aws4_request,SignedHeaders=host" + sig,
        "AWS4-HMAC-SHA256 Credential=" + AKID + "/20130525/us-east-1/s3/aws4_request,SignedHeaders=host" + sig,
        "AWS4-HMAC-SHA256 Credential=" + AKID + "/20130524/us-east-1/s3/aws4_request,SignedHeaders=range" + sig)) {
      assertRejected("AuthorizationHeaderMalformed", verifier(DOC_TIME).verify(withHeader(good, "Authorization", bad)));
    }
    assertRejected("InvalidRequest", verifier(DOC_TIME).verify(without(good, "x-amz-content-sha256")));
    assertRejected("InvalidArgument", verifier(DOC_TIME).verify(withHeader(good, "x-amz-content-sha256", "abc")));
    assertRejected("AccessDenied", verifier(DOC_TIME).verify(withHeader(good, "x-amz-date", "yesterday")));
    assertRejected("AccessDenied", verifier(DOC_TIME).verify(without(good, "range")));
  }

  @Test void refusesUnsignedAmzHeaders() {
    SigV4Request good = docGetObject("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    SigV4Result r = verifier(DOC_TIME).verify(withHeader(good, "X-Amz-Copy-Source", "/io/secret"));
    assertRejected("AccessDenied", r);
    assertTrue(((Rejected) r).message().contains("x-amz-copy-source"));
  }

  @Test void refusesMalformedPresignedQueries() {
    String q = DOC_PRESIGNED_QUERY;
    SigV4 v = verifier(DOC_TIME);
    for (String bad : List.of(
        q.replace("X-Amz-Expires=86400&", ""),
        q.replace("X-Amz-Expires=86400", "X-Amz-Expires=604801"),
        q.replace("X-Amz-Expires=86400", "X-Amz-Expires=soon"),
        q.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1"),
        q.replace("X-Amz-Date=20130524T000000Z", "X-Amz-Date=2013-05-24"),
        q.replace("X-Amz-SignedHeaders=host", "X-Amz-SignedHeaders=range"))) {
      assertRejected("AuthorizationQueryParametersError", v.verify(new SigV4Request("GET", "/test.txt", bad, headers("Host", HOST))));
    }
    assertRejected("InvalidArgument", v.verify(new SigV4Request("GET", "/test.txt", q,
        headers("Host", HOST, "Authorization", auth("host", "00")))));
    assertRejected("SignatureDoesNotMatch", v.verify(new SigV4Request("GET", "/test.txt", q + "&extra=1", headers("Host", HOST))));
  }

  @Test void canonicalHeaderValuesAreTrimmedCollapsedAndJoined() {
    assertEquals("a b,c", SigV4Canonical.headerValue(List.of("  a   \t b ", " c")));
    assertEquals("Fri, 24 May", SigV4Canonical.headerValue(List.of("Fri,  24 May")));
    assertEquals("", SigV4Canonical.headerValue(List.of("   ")));
  }

  @Test void normalFormEncodesOnceWithUpperHexAndKeepsDotSegments() {
    assertEquals("/io/a%20b/%2B/~/./../%C3%A9%26", SigV4Canonical.normalPath("/io/a b/+/%7e/./../é%26"));
    assertEquals("/io//x/y", SigV4Canonical.normalPath("/io//x%2fy"));
    assertEquals("/", SigV4Canonical.normalPath(""));
    assertEquals("/io/100%25", SigV4Canonical.normalPath("/io/100%"));
  }

  static void assertRejected(String code, SigV4Result r) {
    Rejected rejected = assertInstanceOf(Rejected.class, r);
    assertEquals(code, rejected.code(), rejected.message());
  }

  static SigV4Request withHeader(SigV4Request r, String name, String value) {
    Map<String, List<String>> h = new LinkedHashMap<>(r.headers());
    h.put(name.toLowerCase(), List.of(value));
    return new SigV4Request(r.method(), r.rawPath(), r.rawQuery(), h);
  }

  static SigV4Request without(SigV4Request r, String name) {
    Map<String, List<String>> h = new LinkedHashMap<>(r.headers());
    h.remove(name);
    return new SigV4Request(r.method(), r.rawPath(), r.rawQuery(), h);
  }
}
