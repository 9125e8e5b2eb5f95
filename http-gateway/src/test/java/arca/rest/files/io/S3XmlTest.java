package arca.rest.files.io;

import arca.rest.files.io.S3Xml.DeleteError;
import arca.rest.files.io.S3Xml.ListParts;
import arca.rest.files.io.S3Xml.ListV2;
import arca.rest.files.io.S3Xml.ObjectEntry;
import arca.rest.files.io.S3Xml.PartEntry;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The response documents: exact shape where clients are strict, escaping, URL encoding of keys, well-formedness. */
class S3XmlTest {
  static final Instant T = Instant.parse("2026-11-23T21:00:00Z");
  static final String DECL = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  static final String NS = " xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"";

  @Test void errorDocumentIsExactlyS3s() {
    assertEquals(DECL + "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message>"
            + "<Resource>/io/a&amp;b &lt;c&gt;</Resource><RequestId>r-1</RequestId></Error>",
        S3Xml.error("NoSuchKey", "The specified key does not exist.", "/io/a&b <c>", "r-1"));
  }

  @Test void listObjectsV2HasS3sFieldsInS3sOrder() {
    ListV2 r = new ListV2("io", "docs/", "/", 2, true, "tok", "next+/=", null, false,
        List.of(new ObjectEntry("docs/a.txt", Instant.parse("2026-11-23T21:00:00.5Z"), "5d41402abc4b2a76b9719d911017c592", 5)),
        List.of("docs/sub/"));
    assertEquals(DECL + "<ListBucketResult" + NS + "><Name>io</Name><Prefix>docs/</Prefix><Delimiter>/</Delimiter>"
        + "<MaxKeys>2</MaxKeys><KeyCount>2</KeyCount><IsTruncated>true</IsTruncated><ContinuationToken>tok</ContinuationToken>"
        + "<NextContinuationToken>next+/=</NextContinuationToken><Contents><Key>docs/a.txt</Key>"
        + "<LastModified>2026-11-23T21:00:00.500Z</LastModified><ETag>&quot;5d41402abc4b2a76b9719d911017c592&quot;</ETag>"
        + "<Size>5</Size><StorageClass>STANDARD</StorageClass></Contents>"
        + "<CommonPrefixes><Prefix>docs/sub/</Prefix></CommonPrefixes></ListBucketResult>", S3Xml.listObjectsV2(r));
  }

  @Test void emptyListingStillHasAnEmptyPrefix() {
    String xml = S3Xml.listObjectsV2(new ListV2("io", null, null, 1000, false, null, null, null, false, List.of(), List.of()));
    assertTrue(xml.contains("<Prefix></Prefix><MaxKeys>1000</MaxKeys><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated></ListBucketResult>"), xml);
  }

  @Test void keysWithMarkupAndWhitespaceRoundTripThroughAnXmlParser() {
    List<String> keys = List.of("a&b <c>.txt", "q\"uote's", "tab\there", "cr\rlf\n", " lead and trail ", "\u00e9/\u65e5\u672c.txt", "emoji \ud83d\ude00");
    List<ObjectEntry> entries = new ArrayList<>();
    for (String k : keys) entries.add(new ObjectEntry(k, T, "e", 1));
    String xml = S3Xml.listObjectsV2(new ListV2("io", "", null, 1000, false, null, null, "a&b", false, entries, List.of("p<&>/")));
    assertEquals(keys, texts(xml, "Key"));
    assertEquals(List.of("", "p<&>/"), texts(xml, "Prefix"));
    assertEquals(List.of("a&b"), texts(xml, "StartAfter"));
  }

  @Test void controlCharactersAreCharacterReferencesAsInS3() {
    StringBuilder sb = new StringBuilder();
    S3Xml.escape(sb, "a\u0001b\u001fc\td\re\nf\u007f");
    assertEquals("a&#x1;b&#x1F;c&#x9;d&#xD;e&#xA;f&#x7F;", sb.toString());
  }

  @Test void encodingTypeUrlEncodesKeysPrefixesDelimiterAndStartAfter() {
    String key = "a b+c/\u00e9&=~*%.txt\u0001";
    String xml = S3Xml.listObjectsV2(new ListV2("io", "a b/", "/", 1000, false, null, null, "x y", true,
        List.of(new ObjectEntry(key, T, "e", 1)), List.of("a b/c d/")));
    assertEquals(List.of("a+b%2Bc/%C3%A9%26%3D%7E*%25.txt%01"), texts(xml, "Key"));
    assertEquals(List.of("a+b/", "a+b/c+d/"), texts(xml, "Prefix"));
    assertEquals(List.of("x+y"), texts(xml, "StartAfter"));
    assertEquals(List.of("url"), texts(xml, "EncodingType"));
    assertEquals(key, URLDecoder.decode(texts(xml, "Key").get(0), StandardCharsets.UTF_8));
    for (String k : List.of("\u0000\u0001\u001f", "&<>\"'", "\ud83d\ude00 +", "100% real")) {
      assertEquals(k, URLDecoder.decode(S3Xml.urlEncodeKey(k), StandardCharsets.UTF_8));
    }
  }

  @Test void listAllMyBucketsHasTheOneBucket() {
    String xml = S3Xml.listBuckets("u-1", "alice & bob", T);
    assertEquals(List.of("io"), texts(xml, "Name"));
    assertEquals(List.of("alice & bob"), texts(xml, "DisplayName"));
    assertEquals(List.of("2026-11-23T21:00:00.000Z"), texts(xml, "CreationDate"));
    assertEquals("ListAllMyBucketsResult", parse(xml).getDocumentElement().getTagName());
  }

  @Test void multipartDocuments() {
    String initiate = S3Xml.initiateMultipartUpload("io", "a&b.bin", "u~1=x");
    assertEquals(DECL + "<InitiateMultipartUploadResult" + NS + "><Bucket>io</Bucket><Key>a&amp;b.bin</Key>"
        + "<UploadId>u~1=x</UploadId></InitiateMultipartUploadResult>", initiate);
    String complete = S3Xml.completeMultipartUpload("http://h/io/a%26b.bin", "io", "a&b.bin", "abc-2");
    assertEquals(List.of("\"abc-2\""), texts(complete, "ETag"));
    assertEquals(List.of("a&b.bin"), texts(complete, "Key"));
    String parts = S3Xml.listParts(new ListParts("io", "k", "u", 0, 2, 1000, false,
        List.of(new PartEntry(1, T, "p1", 5_242_880), new PartEntry(2, T, "\"p2\"", 3))));
    assertEquals(List.of("1", "2"), texts(parts, "PartNumber"));
    assertEquals(List.of("\"p1\"", "\"p2\""), texts(parts, "ETag"));
    assertEquals(List.of("5242880", "3"), texts(parts, "Size"));
    assertEquals(List.of("2"), texts(parts, "NextPartNumberMarker"));
    assertEquals(List.of("false"), texts(parts, "IsTruncated"));
  }

  @Test void copyResults() {
    assertEquals(DECL + "<CopyObjectResult" + NS + "><LastModified>2026-11-23T21:00:00.000Z</LastModified>"
        + "<ETag>&quot;e&quot;</ETag></CopyObjectResult>", S3Xml.copyObjectResult(T, "e"));
    assertEquals("CopyPartResult", parse(S3Xml.copyPartResult(T, "e")).getDocumentElement().getTagName());
  }

  @Test void deleteResultListsDeletedAndFailedKeys() {
    String xml = S3Xml.deleteResult(List.of("a&b", "c"), List.of(new DeleteError("d<e>", "AccessDenied", "Access Denied")));
    assertEquals(List.of("a&b", "c", "d<e>"), texts(xml, "Key"));
    assertEquals(List.of("AccessDenied"), texts(xml, "Code"));
    assertEquals(DECL + "<DeleteResult" + NS + "></DeleteResult>", S3Xml.deleteResult(List.of(), List.of()));
  }

  @Test void locationConstraintIsEmptyForUsEast1() {
    assertEquals(DECL + "<LocationConstraint" + NS + "/>", S3Xml.locationConstraint("us-east-1"));
    assertEquals(DECL + "<LocationConstraint" + NS + "/>", S3Xml.locationConstraint(""));
    assertEquals(List.of("eu-west-3"), texts(S3Xml.locationConstraint("eu-west-3"), "LocationConstraint"));
  }

  @Test void optionalElementsAreLeftOut() {
    String xml = S3Xml.listObjectsV2(new ListV2("io", "p", null, 10, false, null, null, null, false, List.of(), List.of()));
    for (String absent : List.of("Delimiter", "ContinuationToken", "NextContinuationToken", "StartAfter", "EncodingType")) {
      assertFalse(xml.contains("<" + absent + ">"), absent);
    }
  }

  static Document parse(String xml) {
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newDefaultInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      return f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new AssertionError("not well-formed: " + xml, e);
    }
  }

  static List<String> texts(String xml, String tag) {
    NodeList nodes = parse(xml).getElementsByTagName(tag);
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < nodes.getLength(); i++) texts.add(nodes.item(i).getTextContent());
    return texts;
  }
}
