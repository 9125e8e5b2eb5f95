package arca.rest.files.io;

import akka.NotUsed;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.japi.pf.PFBuilder;
import akka.stream.Materializer;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import arca.rest.files.Blobs;
import arca.rest.files.io.SigV4Result.Verified;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * A request body as the objects service must receive it: aws-chunked framing removed (each chunk signature
 * checked), and what the client declared to be checked once every byte is in: the size (Content-Length, or
 * x-amz-decoded-content-length for aws-chunked bodies), Content-MD5 (BadDigest) and a hex x-amz-content-sha256
 * (XAmzContentSHA256Mismatch). A failure of the body stream itself (a bad chunk signature, a body over a limit, a
 * client gone) is kept, so that the answer names it rather than the upload it broke.
 */
final class S3Body {
  private static final Pattern HEX_SHA256 = Pattern.compile("[0-9a-fA-F]{64}");

  /** The decoded bytes, the declarations to check, and the first failure of the body stream once it happened. */
  record Upload(Source<ByteString, ?> bytes, Blobs.Expected expected, AtomicReference<Throwable> failure) {

    /** The outcome of consuming {@link #bytes}: a failure of the body itself takes precedence over the one it caused. */
    <T> CompletionStage<T> blame(CompletionStage<T> consumed) {
      return consumed.handle((value, error) -> {
        if (error == null) return value;
        Throwable cause = failure.get();
        throw cause instanceof S3Exception s ? s : S3Failures.of(cause != null ? cause : error);
      });
    }
  }

  private S3Body() {}

  static Upload upload(HttpRequest request, Optional<Verified> signature) {
    String md5 = contentMd5(request);
    String claim = signature.map(Verified::contentSha256)
        .orElseGet(() -> header(request, "x-amz-content-sha256").orElse(SigV4.UNSIGNED_PAYLOAD));
    if (signature.isEmpty() && !SigV4.PAYLOAD_KEYWORDS.contains(claim) && !HEX_SHA256.matcher(claim).matches()) {
      throw new S3Exception("InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, a STREAMING- keyword "
          + "or a valid sha256 value.");
    }
    Source<ByteString, ?> raw = request.entity().getDataBytes();
    Long size;
    if (claim.startsWith("STREAMING-")) {
      Flow<ByteString, ByteString, NotUsed> decoder = signature.flatMap(AwsChunkedDecoder::forRequest)
          .or(() -> claim.equals(SigV4.STREAMING_UNSIGNED_TRAILER) ? Optional.of(AwsChunkedDecoder.unsigned()) : Optional.empty())
          .orElseThrow(() -> new S3Exception("InvalidRequest", "a signed aws-chunked body needs a SigV4 signed request"));
      size = decodedLength(request);
      raw = raw.via(decoder);
    } else {
      size = request.entity().getContentLengthOption().isPresent() ? request.entity().getContentLengthOption().getAsLong() : null;
    }
    String sha256 = HEX_SHA256.matcher(claim).matches() ? claim.toLowerCase(Locale.ROOT) : null;
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Source<ByteString, ?> watched = raw.mapError(new PFBuilder<Throwable, Throwable>().matchAny(e -> {
      failure.compareAndSet(null, e);
      return e;
    }).build());
    return new Upload(watched, new Blobs.Expected(size, md5, sha256), failure);
  }

  /**
   * A small body (an XML request document) read whole, at most {@code maxBytes}, checked against a hex payload
   * hash the signature claims (aws-chunked bodies decoded first).
   */
  static CompletionStage<byte[]> strict(HttpRequest request, Optional<Verified> signature, int maxBytes,
                                        Materializer materializer) {
    Upload upload = upload(request, signature);
    CompletionStage<ByteString> all = upload.bytes().runFold(ByteString.emptyByteString(), (acc, chunk) -> {
      if (acc.size() + chunk.size() > maxBytes) {
        throw new S3Exception("MalformedXML", "The XML you provided is larger than " + maxBytes + " bytes");
      }
      return acc.concat(chunk);
    }, materializer);
    return upload.blame(all).thenApply(body -> {
      byte[] bytes = body.toArray();
      Blobs.Expected e = upload.expected();
      if (e.sha256Hex() != null && !e.sha256Hex().equals(HexFormat.of().formatHex(digest("SHA-256", bytes)))) {
        throw new S3Exception("XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.");
      }
      if (e.md5() != null && !Base64.getEncoder().encodeToString(digest("MD5", bytes)).equals(e.md5())) {
        throw new S3Exception("BadDigest", "The Content-MD5 you specified did not match what we received.");
      }
      return bytes;
    });
  }

  /** Content-MD5 as sent (base64 of 16 bytes), or null; InvalidDigest when it is not that. */
  private static String contentMd5(HttpRequest request) {
    Optional<String> md5 = header(request, "Content-MD5");
    if (md5.isEmpty()) return null;
    try {
      if (Base64.getDecoder().decode(md5.get()).length == 16) return md5.get();
    } catch (IllegalArgumentException e) {
      // falls through to the refusal
    }
    throw new S3Exception("InvalidDigest", "The Content-MD5 you specified is not valid.");
  }

  private static Long decodedLength(HttpRequest request) {
    String value = header(request, "x-amz-decoded-content-length").orElseThrow(() ->
        new S3Exception("MissingContentLength", "an aws-chunked body needs x-amz-decoded-content-length"));
    try {
      long n = Long.parseLong(value);
      if (n < 0) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new S3Exception("InvalidArgument", "x-amz-decoded-content-length must be a non-negative integer");
    }
  }

  static Optional<String> header(HttpRequest request, String name) {
    return request.getHeader(name).map(HttpHeader::value).map(String::trim);
  }

  private static byte[] digest(String algorithm, byte[] bytes) {
    try {
      return MessageDigest.getInstance(algorithm).digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
