package arca.rest.files.io;

import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.AuthLocation;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The AWS SDK v2's own SigV4 signer, configured as the SDK's S3 client configures it (no double URL encoding, no
 * path normalisation), as the oracle the gateway's verifier is tested against.
 */
final class SdkSigner {
  static final String HOST = "127.0.0.1";
  static final int PORT = 8443;

  /** How the payload is declared: a SHA-256 of the body, UNSIGNED-PAYLOAD, or aws-chunked (with a CRC32 trailer). */
  enum Payload { SIGNED, UNSIGNED, CHUNKED, CHUNKED_TRAILER, UNSIGNED_TRAILER }

  /** A signed request: what the verifier sees, and the body as it would go on the wire. */
  record Signed(SigV4Request request, byte[] wireBody) {}

  private final String accessKeyId;
  private final String secret;
  private final Instant now;

  SdkSigner(String accessKeyId, String secret, Instant now) {
    this.accessKeyId = accessKeyId;
    this.secret = secret;
    this.now = now;
  }

  /** The object path as the SDK's S3 client puts it on the wire: {@code /io/} + the key, RFC 3986 encoded. */
  static String objectPath(String key) { return "/io/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key); }

  Signed sign(String method, String encodedPath, Map<String, List<String>> query, Map<String, String> headers,
              byte[] body, Payload payload) {
    SdkHttpRequest.Builder b = SdkHttpRequest.builder()
        .method(SdkHttpMethod.fromValue(method)).protocol("https").host(HOST).port(PORT).encodedPath(encodedPath);
    query.forEach(b::putRawQueryParameter);
    headers.forEach(b::putHeader);
    if (body.length > 0 || payload != Payload.SIGNED) b.putHeader("Content-Length", Integer.toString(body.length));
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> {
      r.identity(AwsCredentialsIdentity.create(accessKeyId, secret))
          .request(b.build())
          .payload(ContentStreamProvider.fromByteArray(body))
          .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(now, ZoneOffset.UTC))
          .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
          .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
          .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
          .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
          .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED,
              payload == Payload.SIGNED || payload == Payload.CHUNKED || payload == Payload.CHUNKED_TRAILER)
          .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED,
              payload == Payload.CHUNKED || payload == Payload.CHUNKED_TRAILER || payload == Payload.UNSIGNED_TRAILER);
      if (payload == Payload.CHUNKED_TRAILER || payload == Payload.UNSIGNED_TRAILER) {
        r.putProperty(AwsV4HttpSigner.CHECKSUM_ALGORITHM, DefaultChecksumAlgorithm.CRC32);
      }
    });
    return new Signed(toVerifierRequest(signed.request()), readAll(signed.payload().orElse(null)));
  }

  /** A presigned URL as the SDK makes it (UNSIGNED-PAYLOAD, signed host header only unless headers are given). */
  SigV4Request presign(String method, String encodedPath, Map<String, List<String>> query, Duration expires) {
    SdkHttpRequest.Builder b = SdkHttpRequest.builder()
        .method(SdkHttpMethod.fromValue(method)).protocol("https").host(HOST).port(PORT).encodedPath(encodedPath);
    query.forEach(b::putRawQueryParameter);
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(accessKeyId, secret))
        .request(b.build())
        .putProperty(HttpSigner.SIGNING_CLOCK, Clock.fixed(now, ZoneOffset.UTC))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
        .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
        .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
        .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AuthLocation.QUERY_STRING)
        .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, expires));
    return toVerifierRequest(signed.request());
  }

  /** The request as an HTTP server would see it: the encoded path and query, and every header including Host. */
  private static SigV4Request toVerifierRequest(SdkHttpRequest r) {
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.putAll(r.headers());
    headers.putIfAbsent("Host", List.of(HOST + ":" + PORT));
    return new SigV4Request(r.method().name(), r.encodedPath(), r.encodedQueryParameters().orElse(""), headers);
  }

  private static byte[] readAll(ContentStreamProvider p) {
    if (p == null) return new byte[0];
    try (InputStream in = p.newStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
