package arca.rest.files.io;

import akka.http.javadsl.model.HttpRequest;

import arca.rest.files.PercentDecoding;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One request to the {@code /io} gateway, addressed path-style with the node's URL as the S3 endpoint:
 * {@code /io} is the bucket {@code io}, {@code /io/<key>} an object (keys are {@code <workspace>/<path>}).
 * {@code rawPath} and {@code rawQuery} are exactly as sent (what a signature covers); the key and the query
 * parameters are decoded ({@code +} is a plus in the path and a space in the query, as S3 reads them). {@code key}
 * is null at the bucket level; {@code bucket} is always {@code io} (the service level, ListBuckets, is the
 * endpoint's root, which is not S3's on this server).
 */
public record S3Call(String method, String rawPath, String rawQuery, String bucket, String key,
                     Map<String, String> params) {
  public static final String BUCKET = "io";
  /** S3's limit on a key: 1024 bytes of UTF-8. */
  public static final int MAX_KEY_BYTES = 1024;
  /** The header Akka HTTP adds with the request target as sent, when raw-request-uri-header is on. */
  static final String RAW_REQUEST_URI = "Raw-Request-URI";

  public boolean has(String param) { return params.containsKey(param); }

  public Optional<String> param(String name) { return Optional.ofNullable(params.get(name)); }

  /** The path S3 names in error documents. */
  public String resource() {
    return bucket == null ? "/" : key == null ? "/" + bucket : "/" + bucket + "/" + key;
  }

  /**
   * Reads the request target: from the {@code Raw-Request-URI} header when Akka HTTP adds it, else from the parsed
   * URI, whose path Akka re-encodes (a signature made over another spelling still verifies when the decoded path
   * is the same: see {@link SigV4}).
   */
  public static S3Call of(HttpRequest request) {
    String target = request.getHeader(RAW_REQUEST_URI).map(h -> h.value())
        .orElseGet(() -> request.getUri().path() + request.getUri().rawQueryString().map(q -> "?" + q).orElse(""));
    int q = target.indexOf('?');
    String rawPath = q < 0 ? target : target.substring(0, q);
    String rawQuery = q < 0 ? "" : target.substring(q + 1);
    if (rawPath.startsWith("http://") || rawPath.startsWith("https://")) {
      int slash = rawPath.indexOf('/', rawPath.indexOf("//") + 2);
      rawPath = slash < 0 ? "/" : rawPath.substring(slash);
    }
    String method = request.method().value();
    if (!rawPath.equals("/io") && !rawPath.startsWith("/io/")) throw new S3Exception("InvalidURI", "not an /io path");
    // the proxy's /io/ is the bucket "io" itself (as in Cells): clients use the node's URL as the endpoint, path style
    String rawKey = rawPath.length() <= 4 ? "" : rawPath.substring(4);
    String bucket = BUCKET;
    String key = rawKey.isEmpty() ? null : decode(rawKey, false);
    if (key != null && key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw new S3Exception("KeyTooLongError", "Your key is too long");
    }
    return new S3Call(method, rawPath, rawQuery, bucket, key, params(rawQuery));
  }

  private static Map<String, String> params(String rawQuery) {
    Map<String, String> out = new LinkedHashMap<>();
    if (rawQuery.isEmpty()) return out;
    for (String pair : rawQuery.split("&")) {
      if (pair.isEmpty()) continue;
      int eq = pair.indexOf('=');
      String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
      out.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1), true));
    }
    return out;
  }

  /** Percent-decoding into strict UTF-8; InvalidURI for a bad escape or bytes that are not UTF-8. */
  static String decode(String raw, boolean plusIsSpace) {
    try {
      return PercentDecoding.decode(raw, plusIsSpace);
    } catch (IllegalArgumentException e) {
      throw badUri();
    }
  }

  private static S3Exception badUri() {
    return new S3Exception("InvalidURI", "Couldn't parse the specified URI: bad percent-encoding or not UTF-8");
  }
}
