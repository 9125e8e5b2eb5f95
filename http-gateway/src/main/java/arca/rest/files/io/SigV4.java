package arca.rest.files.io;

import arca.rest.files.io.SigV4Canonical.Param;
import arca.rest.files.io.SigV4Result.ChunkSeed;
import arca.rest.files.io.SigV4Result.Rejected;
import arca.rest.files.io.SigV4Result.Verified;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Server-side check of AWS Signature Version 4 as S3 applies it, for the {@code /io} gateway: signed headers
 * ({@code Authorization: AWS4-HMAC-SHA256 ...}) and presigned URLs ({@code X-Amz-*} query parameters), with S3's
 * error codes. Any region in the credential scope is accepted (the gateway has one bucket and no regions); the
 * service must be {@code s3}. Also makes presigned GET links for sharing.
 *
 * <p>S3 neither double-encodes nor normalises the path, so the canonical URI is the object path with each byte
 * outside RFC 3986's unreserved set percent-encoded once, with upper-case hex. What reaches the gateway is not always
 * that spelling, nor what the client signed: a client may leave sub-delimiters such as {@code ( ) ! $ , ; : @ = &}
 * unescaped, escape {@code ~}, or write lower-case hex, and then sign either its own spelling or S3's; a proxy in
 * between may respell the path too. The check therefore first rebuilds S3's normal form from the decoded path and
 * query and, when that does not match, tries the path and query exactly as sent. Both spell the same decoded key and
 * parameters, so accepting either lets no signature cover a different request. Decoding reads {@code +} as a plus
 * sign (RFC 3986), never as a space.
 */
public final class SigV4 {
  public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
  public static final String STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
  public static final String STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER";
  public static final String STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER";
  /** S3's limit between the request's time and the server's (RequestTimeTooSkewed). */
  public static final Duration MAX_SKEW = Duration.ofMinutes(15);
  /** The longest validity of a presigned URL: seven days. */
  public static final long MAX_PRESIGN_SECONDS = 604_800;

  /** A secret access key; never printed. */
  public record Secret(String value) {
    @Override public String toString() { return "Secret[hidden]"; }
  }

  private static final String SERVICE = "s3";
  private static final String TERMINATOR = "aws4_request";
  private static final DateTimeFormatter AMZ_DATE =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
  private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
  static final Set<String> PAYLOAD_KEYWORDS =
      Set.of(UNSIGNED_PAYLOAD, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER);
  private static final String PRESIGN_PARAMS_REQUIRED = "Query-string authentication version 4 requires the "
      + "X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";

  private final Function<String, Optional<Secret>> secrets;
  private final Clock clock;

  /** @param secrets finds the secret of an access key id, empty if there is no such key */
  public SigV4(Function<String, Optional<Secret>> secrets, Clock clock) {
    this.secrets = secrets;
    this.clock = clock;
  }

  /** What a signature claims, once parsed from the header or the query, before it is checked. */
  private record Claim(String accessKeyId, String date, String region, List<String> signedHeaders,
                       String signature, String timestamp, String payload, boolean presigned) {
    String scope() { return date + "/" + region + "/" + SERVICE + "/" + TERMINATOR; }
  }

  private static final class Malformed extends Exception {
    final Rejected rejection;

    Malformed(String code, String message) {
      super(message, null, false, false);
      rejection = new Rejected(code, message);
    }
  }

  public SigV4Result verify(SigV4Request request) {
    List<Param> params = SigV4Canonical.parseQuery(request.rawQuery());
    Map<String, String> query = new HashMap<>();
    for (Param p : params) query.putIfAbsent(SigV4Canonical.decode(p.rawName()), SigV4Canonical.decode(p.rawValue()));
    Optional<String> authorization = request.header("authorization");
    try {
      Claim claim;
      if (query.containsKey("X-Amz-Algorithm")) {
        if (authorization.isPresent()) throw new Malformed("InvalidArgument", "Only one auth mechanism allowed");
        claim = presignedClaim(query);
      } else if (authorization.isEmpty()) {
        throw new Malformed("AccessDenied", "Anonymous access is not allowed: sign the request with AWS Signature Version 4");
      } else {
        claim = headerClaim(authorization.get(), request);
      }
      return check(request, params, claim);
    } catch (Malformed m) {
      return m.rejection;
    }
  }

  /**
   * A presigned URL's query string (to append after {@code ?} to {@code rawPath}) that lets whoever holds it send
   * {@code method} to that path on {@code host} until {@code now + expires}, signing the host header only.
   */
  public static String presignGet(String method, String host, String rawPath, String accessKeyId, Secret secret,
                                  String region, Instant now, Duration expires) {
    long seconds = expires.toSeconds();
    if (seconds < 1 || seconds > MAX_PRESIGN_SECONDS) {
      throw new IllegalArgumentException("a presigned URL lives 1 s to 7 days, not " + expires);
    }
    String timestamp = AMZ_DATE.format(now);
    String date = timestamp.substring(0, 8);
    String scope = date + "/" + region + "/" + SERVICE + "/" + TERMINATOR;
    String query = "X-Amz-Algorithm=" + SigV4Crypto.ALGORITHM
        + "&X-Amz-Credential=" + SigV4Canonical.encode(accessKeyId + "/" + scope, false)
        + "&X-Amz-Date=" + timestamp
        + "&X-Amz-Expires=" + seconds
        + "&X-Amz-SignedHeaders=host";
    String canonicalRequest = method + "\n" + SigV4Canonical.normalPath(rawPath) + "\n"
        + SigV4Canonical.query(SigV4Canonical.parseQuery(query), true, n -> false) + "\n"
        + "host:" + host.trim() + "\n\nhost\n" + UNSIGNED_PAYLOAD;
    byte[] key = SigV4Crypto.signingKey(secret.value(), date, region, SERVICE);
    return query + "&X-Amz-Signature=" + SigV4Crypto.sign(key, stringToSign(timestamp, scope, canonicalRequest));
  }

  private Claim headerClaim(String authorization, SigV4Request request) throws Malformed {
    if (!authorization.startsWith(SigV4Crypto.ALGORITHM + " ")) {
      throw new Malformed("InvalidRequest",
          "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.");
    }
    Map<String, String> fields = new HashMap<>();
    for (String part : authorization.substring(SigV4Crypto.ALGORITHM.length() + 1).split(",")) {
      int eq = part.indexOf('=');
      if (eq > 0) fields.put(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
    }
    String credential = fields.get("Credential");
    String signedHeaders = fields.get("SignedHeaders");
    String signature = fields.get("Signature");
    if (credential == null || signedHeaders == null || signature == null) {
      throw new Malformed("AuthorizationHeaderMalformed",
          "The authorization header is malformed; it needs Credential, SignedHeaders and Signature.");
    }
    String timestamp = requestTimestamp(request);
    String payload = request.header("x-amz-content-sha256").orElseThrow(() ->
        new Malformed("InvalidRequest", "Missing required header for this request: x-amz-content-sha256"));
    if (!PAYLOAD_KEYWORDS.contains(payload) && !HEX_SHA256.matcher(payload).matches()) {
      throw new Malformed("InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, "
          + "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
          + "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.");
    }
    return claim(credential, signedHeaders, signature, timestamp, payload, false, "AuthorizationHeaderMalformed");
  }

  private Claim presignedClaim(Map<String, String> query) throws Malformed {
    String code = "AuthorizationQueryParametersError";
    if (!SigV4Crypto.ALGORITHM.equals(query.get("X-Amz-Algorithm"))) {
      throw new Malformed(code, "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"");
    }
    for (String p : List.of("X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature")) {
      if (!query.containsKey(p)) throw new Malformed(code, PRESIGN_PARAMS_REQUIRED);
    }
    Instant time = parseAmzDate(query.get("X-Amz-Date")).orElseThrow(() ->
        new Malformed(code, "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""));
    long expires;
    try {
      expires = Long.parseLong(query.get("X-Amz-Expires"));
    } catch (NumberFormatException e) {
      throw new Malformed(code, "X-Amz-Expires should be a number");
    }
    if (expires < 1 || expires > MAX_PRESIGN_SECONDS) {
      throw new Malformed(code, "X-Amz-Expires must be between 1 and 604800 seconds (seven days)");
    }
    Instant now = clock.instant();
    if (now.isAfter(time.plusSeconds(expires))) throw new Malformed("AccessDenied", "Request has expired");
    if (now.isBefore(time.minus(MAX_SKEW))) throw new Malformed("AccessDenied", "Request is not valid yet");
    String payload = query.getOrDefault("X-Amz-Content-Sha256", UNSIGNED_PAYLOAD);
    return claim(query.get("X-Amz-Credential"), query.get("X-Amz-SignedHeaders"), query.get("X-Amz-Signature"),
        query.get("X-Amz-Date"), payload, true, code);
  }

  private static Claim claim(String credential, String signedHeaders, String signature, String timestamp,
                             String payload, boolean presigned, String malformedCode) throws Malformed {
    String[] c = credential.split("/", -1);
    if (c.length != 5 || c[0].isEmpty() || c[2].isEmpty() || !TERMINATOR.equals(c[4])) {
      throw new Malformed(malformedCode, "The credential is malformed; expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\".");
    }
    if (!SERVICE.equals(c[3])) {
      throw new Malformed(malformedCode, "The credential is mis-scoped: service '" + c[3] + "' is not 's3'.");
    }
    if (!timestamp.startsWith(c[1]) || c[1].length() != 8) {
      throw new Malformed(malformedCode, "Invalid credential date. Date is not the same as X-Amz-Date.");
    }
    List<String> headers = Arrays.asList(signedHeaders.split(";", -1));
    if (!headers.contains("host")) {
      throw new Malformed(malformedCode, "The host header must be signed.");
    }
    return new Claim(c[0], c[1], c[2], headers, signature, timestamp, payload, presigned);
  }

  /** The request time from {@code x-amz-date}, else from {@code date}, in SigV4's basic ISO-8601 form. */
  private String requestTimestamp(SigV4Request request) throws Malformed {
    Optional<Instant> time = request.header("x-amz-date").isPresent()
        ? request.header("x-amz-date").flatMap(SigV4::parseAmzDate)
        : request.header("date").flatMap(SigV4::parseHttpDate);
    Instant t = time.orElseThrow(() ->
        new Malformed("AccessDenied", "AWS authentication requires a valid Date or x-amz-date header"));
    if (Duration.between(t, clock.instant()).abs().compareTo(MAX_SKEW) > 0) {
      throw new Malformed("RequestTimeTooSkewed",
          "The difference between the request time and the current time is too large.");
    }
    return request.header("x-amz-date").orElseGet(() -> AMZ_DATE.format(t));
  }

  private SigV4Result check(SigV4Request request, List<Param> params, Claim claim) {
    Optional<Secret> secret = secrets.apply(claim.accessKeyId());
    if (secret.isEmpty()) {
      return new Rejected("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
    }
    for (String name : request.headers().keySet()) {
      if (name.startsWith("x-amz-") && !claim.signedHeaders().contains(name)) {
        return new Rejected("AccessDenied", "There were headers present in the request which were not signed: " + name);
      }
    }
    StringBuilder headerBlock = new StringBuilder();
    for (String name : claim.signedHeaders()) {
      List<String> values = request.values(name);
      if (values.isEmpty()) return new Rejected("AccessDenied", "The signed header '" + name + "' is missing.");
      headerBlock.append(name).append(':').append(SigV4Canonical.headerValue(values)).append('\n');
    }
    String tail = "\n" + headerBlock + "\n" + String.join(";", claim.signedHeaders()) + "\n" + claim.payload();
    byte[] key = SigV4Crypto.signingKey(secret.get().value(), claim.date(), claim.region(), SERVICE);
    String excluded = claim.presigned() ? "X-Amz-Signature" : null;
    String normal = request.method() + "\n" + SigV4Canonical.normalPath(request.rawPath()) + "\n"
        + SigV4Canonical.query(params, true, n -> n.equals(excluded)) + tail;
    String asSent = request.method() + "\n" + SigV4Canonical.rawPathOrRoot(request.rawPath()) + "\n"
        + SigV4Canonical.query(params, false, n -> n.equals(excluded)) + tail;
    for (String canonicalRequest : normal.equals(asSent) ? List.of(normal) : List.of(normal, asSent)) {
      String expected = SigV4Crypto.sign(key, stringToSign(claim.timestamp(), claim.scope(), canonicalRequest));
      if (SigV4Crypto.sameSignature(expected, claim.signature())) {
        Optional<ChunkSeed> seed = claim.payload().startsWith("STREAMING-")
            ? Optional.of(new ChunkSeed(key, claim.timestamp(), claim.scope(), expected))
            : Optional.empty();
        return new Verified(claim.accessKeyId(), claim.payload(), seed);
      }
    }
    return new Rejected("SignatureDoesNotMatch", "The request signature we calculated does not match the signature "
        + "you provided. Check your key and signing method.");
  }

  private static String stringToSign(String timestamp, String scope, String canonicalRequest) {
    return SigV4Crypto.ALGORITHM + "\n" + timestamp + "\n" + scope + "\n" + SigV4Crypto.sha256Hex(canonicalRequest);
  }

  private static Optional<Instant> parseAmzDate(String s) {
    try {
      return Optional.of(Instant.from(AMZ_DATE.parse(s)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static Optional<Instant> parseHttpDate(String s) {
    try {
      return Optional.of(Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(s)));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
