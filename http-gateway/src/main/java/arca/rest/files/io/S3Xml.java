package arca.rest.files.io;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The XML documents the {@code /io} gateway answers with, shaped as S3 shapes them so that S3 clients parse them
 * unchanged. Keys may hold any character, including control characters, which are written as character references
 * as S3 does; a client that cannot read those asks for {@code encoding-type=url} and gets keys URL-encoded instead.
 * Null optional fields are left out. Request bodies are read by {@link S3XmlParser}.
 */
public final class S3Xml {
  public static final String NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/";
  private static final String DECLARATION = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  private static final DateTimeFormatter ISO_MILLIS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** One object in a listing; {@code etag} without quotes. */
  public record ObjectEntry(String key, Instant lastModified, String etag, long size) {}

  /** A ListObjectsV2 answer; {@code urlEncoded} when the request said {@code encoding-type=url}. */
  public record ListV2(String bucket, String prefix, String delimiter, int maxKeys, boolean truncated,
                       String continuationToken, String nextContinuationToken, String startAfter,
                       boolean urlEncoded, List<ObjectEntry> contents, List<String> commonPrefixes) {}

  /** A ListObjects (version 1) answer; {@code nextMarker} is null unless the answer is truncated. */
  public record ListV1(String bucket, String prefix, String delimiter, String marker, int maxKeys, boolean truncated,
                       String nextMarker, boolean urlEncoded, List<ObjectEntry> contents, List<String> commonPrefixes) {}

  /** One uploaded part of a multipart upload; {@code etag} without quotes. */
  public record PartEntry(int partNumber, Instant lastModified, String etag, long size) {}

  /** A ListParts answer. */
  public record ListParts(String bucket, String key, String uploadId, int partNumberMarker,
                          int nextPartNumberMarker, int maxParts, boolean truncated, List<PartEntry> parts) {}

  /** A key a multi-object delete could not remove. */
  public record DeleteError(String key, String code, String message) {}

  private S3Xml() {}

  /** S3's error document (no namespace, as S3 sends it). */
  public static String error(String code, String message, String resource, String requestId) {
    StringBuilder sb = new StringBuilder(256).append(DECLARATION).append("<Error>");
    element(sb, "Code", code);
    element(sb, "Message", message);
    element(sb, "Resource", resource);
    element(sb, "RequestId", requestId);
    return sb.append("</Error>").toString();
  }

  /** ListObjects, version 1 (what s3cmd lists with): Marker and NextMarker instead of continuation tokens. */
  public static String listObjectsV1(ListV1 r) {
    boolean url = r.urlEncoded();
    StringBuilder sb = open(256 + 200 * r.contents().size(), "ListBucketResult");
    element(sb, "Name", r.bucket());
    element(sb, "Prefix", keyText(r.prefix() == null ? "" : r.prefix(), url));
    element(sb, "Marker", keyText(r.marker() == null ? "" : r.marker(), url));
    element(sb, "MaxKeys", Integer.toString(r.maxKeys()));
    element(sb, "Delimiter", r.delimiter() == null ? null : keyText(r.delimiter(), url));
    element(sb, "IsTruncated", Boolean.toString(r.truncated()));
    element(sb, "NextMarker", r.nextMarker() == null ? null : keyText(r.nextMarker(), url));
    element(sb, "EncodingType", url ? "url" : null);
    entries(sb, r.contents(), r.commonPrefixes(), url);
    return close(sb, "ListBucketResult");
  }

  public static String listObjectsV2(ListV2 r) {
    boolean url = r.urlEncoded();
    StringBuilder sb = open(256 + 200 * r.contents().size(), "ListBucketResult");
    element(sb, "Name", r.bucket());
    element(sb, "Prefix", keyText(r.prefix() == null ? "" : r.prefix(), url));
    element(sb, "Delimiter", r.delimiter() == null ? null : keyText(r.delimiter(), url));
    element(sb, "MaxKeys", Integer.toString(r.maxKeys()));
    element(sb, "KeyCount", Integer.toString(r.contents().size() + r.commonPrefixes().size()));
    element(sb, "IsTruncated", Boolean.toString(r.truncated()));
    element(sb, "ContinuationToken", r.continuationToken());
    element(sb, "NextContinuationToken", r.nextContinuationToken());
    element(sb, "StartAfter", r.startAfter() == null ? null : keyText(r.startAfter(), url));
    element(sb, "EncodingType", url ? "url" : null);
    entries(sb, r.contents(), r.commonPrefixes(), url);
    return close(sb, "ListBucketResult");
  }

  private static void entries(StringBuilder sb, List<ObjectEntry> contents, List<String> commonPrefixes, boolean url) {
    for (ObjectEntry o : contents) {
      sb.append("<Contents>");
      element(sb, "Key", keyText(o.key(), url));
      element(sb, "LastModified", timestamp(o.lastModified()));
      element(sb, "ETag", quoted(o.etag()));
      element(sb, "Size", Long.toString(o.size()));
      element(sb, "StorageClass", "STANDARD");
      sb.append("</Contents>");
    }
    for (String p : commonPrefixes) {
      sb.append("<CommonPrefixes>");
      element(sb, "Prefix", keyText(p, url));
      sb.append("</CommonPrefixes>");
    }
  }

  /** ListBuckets: the gateway has the one bucket {@code io}. */
  public static String listBuckets(String ownerId, String ownerDisplayName, Instant created) {
    StringBuilder sb = open(384, "ListAllMyBucketsResult").append("<Owner>");
    element(sb, "ID", ownerId);
    element(sb, "DisplayName", ownerDisplayName);
    sb.append("</Owner><Buckets><Bucket>");
    element(sb, "Name", "io");
    element(sb, "CreationDate", timestamp(created));
    sb.append("</Bucket></Buckets>");
    return close(sb, "ListAllMyBucketsResult");
  }

  public static String initiateMultipartUpload(String bucket, String key, String uploadId) {
    StringBuilder sb = open(256, "InitiateMultipartUploadResult");
    element(sb, "Bucket", bucket);
    element(sb, "Key", key);
    element(sb, "UploadId", uploadId);
    return close(sb, "InitiateMultipartUploadResult");
  }

  public static String completeMultipartUpload(String location, String bucket, String key, String etag) {
    StringBuilder sb = open(256, "CompleteMultipartUploadResult");
    element(sb, "Location", location);
    element(sb, "Bucket", bucket);
    element(sb, "Key", key);
    element(sb, "ETag", quoted(etag));
    return close(sb, "CompleteMultipartUploadResult");
  }

  public static String listParts(ListParts r) {
    StringBuilder sb = open(384 + 160 * r.parts().size(), "ListPartsResult");
    element(sb, "Bucket", r.bucket());
    element(sb, "Key", r.key());
    element(sb, "UploadId", r.uploadId());
    element(sb, "StorageClass", "STANDARD");
    element(sb, "PartNumberMarker", Integer.toString(r.partNumberMarker()));
    element(sb, "NextPartNumberMarker", Integer.toString(r.nextPartNumberMarker()));
    element(sb, "MaxParts", Integer.toString(r.maxParts()));
    element(sb, "IsTruncated", Boolean.toString(r.truncated()));
    for (PartEntry p : r.parts()) {
      sb.append("<Part>");
      element(sb, "PartNumber", Integer.toString(p.partNumber()));
      element(sb, "LastModified", timestamp(p.lastModified()));
      element(sb, "ETag", quoted(p.etag()));
      element(sb, "Size", Long.toString(p.size()));
      sb.append("</Part>");
    }
    return close(sb, "ListPartsResult");
  }

  /** CopyObject's answer. */
  public static String copyObjectResult(Instant lastModified, String etag) { return copyResult("CopyObjectResult", lastModified, etag); }

  /** UploadPartCopy's answer: the same fields under another name. */
  public static String copyPartResult(Instant lastModified, String etag) { return copyResult("CopyPartResult", lastModified, etag); }

  /** A multi-object delete's answer; in quiet mode the caller passes no deleted keys. */
  public static String deleteResult(List<String> deletedKeys, List<DeleteError> errors) {
    StringBuilder sb = open(128 + 64 * (deletedKeys.size() + errors.size()), "DeleteResult");
    for (String key : deletedKeys) {
      sb.append("<Deleted>");
      element(sb, "Key", key);
      sb.append("</Deleted>");
    }
    for (DeleteError e : errors) {
      sb.append("<Error>");
      element(sb, "Key", e.key());
      element(sb, "Code", e.code());
      element(sb, "Message", e.message());
      sb.append("</Error>");
    }
    return close(sb, "DeleteResult");
  }

  /** GetBucketVersioning of a bucket that never had versioning turned on. */
  public static String versioningUnset() {
    return DECLARATION + "<VersioningConfiguration xmlns=\"" + NAMESPACE + "\"/>";
  }

  /** GetBucketLocation; S3 answers an empty element for us-east-1. */
  public static String locationConstraint(String region) {
    StringBuilder sb = new StringBuilder(160).append(DECLARATION).append("<LocationConstraint xmlns=\"").append(NAMESPACE);
    if (region == null || region.isEmpty() || region.equals("us-east-1")) return sb.append("\"/>").toString();
    sb.append("\">");
    escape(sb, region);
    return sb.append("</LocationConstraint>").toString();
  }

  /** Text escaped for element content: markup characters as entities, control characters as {@code &#x..;}. */
  static void escape(StringBuilder sb, String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> sb.append("&amp;");
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&apos;");
        default -> {
          if (c < 0x20 || c == 0x7f) {
            sb.append("&#x").append(Integer.toHexString(c).toUpperCase(Locale.ROOT)).append(';');
          } else {
            sb.append(c);
          }
        }
      }
    }
  }

  /**
   * A key as S3 writes it under {@code encoding-type=url}: UTF-8 bytes, letters, digits, {@code - _ . / *} kept,
   * space as {@code +}, everything else percent-encoded (clients decode it as a form value).
   */
  static String urlEncodeKey(String key) {
    StringBuilder sb = new StringBuilder(key.length() + 16);
    for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
          || c == '-' || c == '_' || c == '.' || c == '/' || c == '*') {
        sb.append((char) c);
      } else if (c == ' ') {
        sb.append('+');
      } else {
        sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return sb.toString();
  }

  private static String keyText(String key, boolean urlEncoded) { return urlEncoded ? urlEncodeKey(key) : key; }

  private static String copyResult(String root, Instant lastModified, String etag) {
    StringBuilder sb = open(192, root);
    element(sb, "LastModified", timestamp(lastModified));
    element(sb, "ETag", quoted(etag));
    return close(sb, root);
  }

  private static String timestamp(Instant t) { return ISO_MILLIS.format(t); }

  private static String quoted(String etag) { return etag.startsWith("\"") ? etag : "\"" + etag + "\""; }

  private static StringBuilder open(int capacity, String root) {
    return new StringBuilder(capacity).append(DECLARATION).append('<').append(root)
        .append(" xmlns=\"").append(NAMESPACE).append("\">");
  }

  private static String close(StringBuilder sb, String root) { return sb.append("</").append(root).append('>').toString(); }

  private static void element(StringBuilder sb, String name, String text) {
    if (text == null) return;
    sb.append('<').append(name).append('>');
    escape(sb, text);
    sb.append("</").append(name).append('>');
  }
}
