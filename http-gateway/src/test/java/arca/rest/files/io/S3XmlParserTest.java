package arca.rest.files.io;

import arca.rest.files.io.S3XmlParser.CompletedPart;
import arca.rest.files.io.S3XmlParser.DeleteRequest;
import arca.rest.files.io.S3XmlParser.ObjectId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The request bodies as real clients send them, and everything S3 refuses, including XXE. */
class S3XmlParserTest {
  /** Sent by s3cmd 2.3.0: no namespace, bare ETags. */
  static final String S3CMD_COMPLETE = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>"
      + "<ETag>b8699f552b771d9e597789bafa05b704</ETag></Part><Part><PartNumber>2</PartNumber>"
      + "<ETag>262d2dfec53962eb21b7689a4f4e378b</ETag></Part></CompleteMultipartUpload>";
  /** Sent by rclone 1.60.1: S3 namespace, quotes as character references, ETag before PartNumber. */
  static final String RCLONE_COMPLETE = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      + "<Part><ETag>&#34;b8699f552b771d9e597789bafa05b704&#34;</ETag><PartNumber>1</PartNumber></Part>"
      + "<Part><ETag>&#34;262d2dfec53962eb21b7689a4f4e378b&#34;</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>";
  /** Sent by s3cmd 2.3.0 for {@code del --recursive}. */
  static final String S3CMD_DELETE = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete><Object><Key>mp/a&amp;b &lt;c&gt;.txt"
      + "</Key></Object><Object><Key>mp/x y&amp;z.bin</Key></Object></Delete>";
  static final List<CompletedPart> TWO_PARTS = List.of(new CompletedPart(1, "b8699f552b771d9e597789bafa05b704"),
      new CompletedPart(2, "262d2dfec53962eb21b7689a4f4e378b"));

  @Test void completeMultipartUploadFromRealClients() {
    assertEquals(TWO_PARTS, S3XmlParser.completeMultipartUpload(bytes(S3CMD_COMPLETE)));
    assertEquals(TWO_PARTS, S3XmlParser.completeMultipartUpload(bytes(RCLONE_COMPLETE)));
  }

  @Test void completeMultipartUploadSkipsChecksumsAndComments() {
    String sdk = "<?xml version=\"1.0\"?>\n<!-- c --><CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\n"
        + "  <Part>\n    <ChecksumCRC32>AAAAAA==</ChecksumCRC32><ETag>\"e1\"</ETag>\n    <PartNumber> 3 </PartNumber>\n  </Part>\n"
        + "  <Part><PartNumber>10000</PartNumber><ETag>e2-1</ETag><Extra><Nested/></Extra></Part>\n</CompleteMultipartUpload>";
    assertEquals(List.of(new CompletedPart(3, "e1"), new CompletedPart(10000, "e2-1")),
        S3XmlParser.completeMultipartUpload(bytes(sdk)));
  }

  @Test void completeMultipartUploadRoundTrip() {
    StringBuilder sb = new StringBuilder("<CompleteMultipartUpload>");
    for (int i = 1; i <= S3XmlParser.MAX_PARTS; i++) sb.append("<Part><PartNumber>").append(i).append("</PartNumber><ETag>\"e").append(i).append("\"</ETag></Part>");
    List<CompletedPart> parts = S3XmlParser.completeMultipartUpload(bytes(sb.append("</CompleteMultipartUpload>").toString()));
    assertEquals(S3XmlParser.MAX_PARTS, parts.size());
    assertEquals(new CompletedPart(9999, "e9999"), parts.get(9998));
    String tooMany = sb.toString().replace("</CompleteMultipartUpload>", "<Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>");
    assertCode("MalformedXML", () -> S3XmlParser.completeMultipartUpload(bytes(tooMany)));
  }

  @Test void completeMultipartUploadRefusals() {
    assertCode("InvalidPartOrder", () -> complete(part(2, "a") + part(1, "b")));
    assertCode("InvalidPartOrder", () -> complete(part(1, "a") + part(1, "b")));
    assertCode("InvalidPart", () -> complete(part(1, "a") + "<Part><PartNumber>2</PartNumber></Part>"));
    assertCode("InvalidPart", () -> complete(part(1, "\"\"")));
    assertCode("InvalidArgument", () -> complete(part(0, "a")));
    assertCode("InvalidArgument", () -> complete(part(10_001, "a")));
    assertCode("MalformedXML", () -> complete("<Part><PartNumber>one</PartNumber><ETag>a</ETag></Part>"));
    assertCode("MalformedXML", () -> complete("<Part><ETag>a</ETag></Part>"));
    assertCode("MalformedXML", () -> complete(""));
    assertCode("MalformedXML", () -> complete(part(1, "a") + "<Part>"));
    assertCode("MalformedXML", () -> S3XmlParser.completeMultipartUpload(bytes("")));
    assertCode("MalformedXML", () -> S3XmlParser.completeMultipartUpload(bytes("not xml")));
    assertCode("MalformedXML", () -> S3XmlParser.completeMultipartUpload(bytes(S3CMD_DELETE)));
    assertCode("MalformedXML", () -> S3XmlParser.completeMultipartUpload(bytes(S3CMD_COMPLETE + "<more/>")));
    assertCode("MalformedXML", () -> S3XmlParser.completeMultipartUpload(new byte[S3XmlParser.MAX_BODY_BYTES + 1]));
  }

  @Test void deleteFromRealClient() {
    assertEquals(new DeleteRequest(false, List.of(new ObjectId("mp/a&b <c>.txt", null), new ObjectId("mp/x y&z.bin", null))),
        S3XmlParser.delete(bytes(S3CMD_DELETE)));
  }

  @Test void deleteQuietVersionsAndWhitespaceInKeys() {
    String xml = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
        + "<Object><Key> spaced key </Key><VersionId>v1</VersionId></Object>"
        + "<Object><Key>tab\tcr&#xD;lf&#xA;</Key></Object></Delete>";
    assertEquals(new DeleteRequest(true, List.of(new ObjectId(" spaced key ", "v1"), new ObjectId("tab\tcr\rlf\n", null))),
        S3XmlParser.delete(bytes(xml)));
  }

  @Test void deleteRefusals() {
    assertCode("MalformedXML", () -> S3XmlParser.delete(bytes("<Delete><Quiet>true</Quiet></Delete>")));
    assertCode("MalformedXML", () -> S3XmlParser.delete(bytes("<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object></Delete>")));
    assertCode("MalformedXML", () -> S3XmlParser.delete(bytes("<Delete><Object><Key></Key></Object></Delete>")));
    assertCode("MalformedXML", () -> S3XmlParser.delete(bytes("<Delete><Object><VersionId>v</VersionId></Object></Delete>")));
    assertCode("MalformedXML", () -> S3XmlParser.delete(bytes("<Delete><Object><Key>a<b/></Key></Object></Delete>")));
    assertCode("MalformedXML", () -> S3XmlParser.delete(bytes(S3CMD_COMPLETE)));
    StringBuilder many = new StringBuilder("<Delete>");
    for (int i = 0; i <= S3XmlParser.MAX_DELETE_KEYS; i++) many.append("<Object><Key>k").append(i).append("</Key></Object>");
    assertCode("MalformedXML", () -> S3XmlParser.delete(bytes(many.append("</Delete>").toString())));
  }

  @Test void externalEntitiesAndDtdsAreRefused() {
    List<String> attacks = List.of(
        "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
            + "<Delete><Object><Key>&xxe;</Key></Object></Delete>",
        "<?xml version=\"1.0\"?><!DOCTYPE d SYSTEM \"http://127.0.0.1:9/evil.dtd\"><Delete><Object><Key>k</Key></Object></Delete>",
        "<!DOCTYPE d [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
            + "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><Delete><Object><Key>&c;</Key></Object></Delete>",
        "<Delete><Object><Key>&undeclared;</Key></Object></Delete>");
    for (String xml : attacks) {
      S3Exception e = assertThrows(S3Exception.class, () -> S3XmlParser.delete(bytes(xml)), xml);
      assertEquals("MalformedXML", e.code());
      assertFalse(e.getMessage().contains("root:"), e.getMessage());
    }
    assertCode("MalformedXML", () -> S3XmlParser.completeMultipartUpload(bytes(
        "<!DOCTYPE c [<!ENTITY xxe SYSTEM \"file:///etc/hostname\">]><CompleteMultipartUpload>"
            + "<Part><PartNumber>1</PartNumber><ETag>&xxe;</ETag></Part></CompleteMultipartUpload>")));
  }

  static List<CompletedPart> complete(String parts) {
    return S3XmlParser.completeMultipartUpload(bytes("<CompleteMultipartUpload>" + parts + "</CompleteMultipartUpload>"));
  }

  static String part(int number, String etag) {
    return "<Part><PartNumber>" + number + "</PartNumber><ETag>" + etag + "</ETag></Part>";
  }

  static byte[] bytes(String s) { return s.getBytes(StandardCharsets.UTF_8); }

  static void assertCode(String code, Executable e) {
    S3Exception s3 = assertThrows(S3Exception.class, e);
    assertEquals(code, s3.code(), s3.getMessage());
  }
}
