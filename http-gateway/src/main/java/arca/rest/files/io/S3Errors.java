package arca.rest.files.io;

import java.util.Map;

/** The HTTP status S3 answers each of its error codes with, so that S3 clients react as they do against S3. */
public final class S3Errors {
  private static final Map<String, Integer> STATUS = Map.ofEntries(
      Map.entry("AccessDenied", 403),
      Map.entry("AuthorizationHeaderMalformed", 400),
      Map.entry("AuthorizationQueryParametersError", 400),
      Map.entry("BadDigest", 400),
      Map.entry("EntityTooLarge", 400),
      Map.entry("EntityTooSmall", 400),
      Map.entry("ExpiredToken", 400),
      Map.entry("IncompleteBody", 400),
      Map.entry("InternalError", 500),
      Map.entry("InvalidAccessKeyId", 403),
      Map.entry("InvalidArgument", 400),
      Map.entry("InvalidBucketName", 400),
      Map.entry("InvalidDigest", 400),
      Map.entry("InvalidObjectName", 400),
      Map.entry("InvalidPart", 400),
      Map.entry("InvalidPartOrder", 400),
      Map.entry("InvalidRange", 416),
      Map.entry("InvalidRequest", 400),
      Map.entry("InvalidURI", 400),
      Map.entry("KeyTooLongError", 400),
      Map.entry("MalformedXML", 400),
      Map.entry("MethodNotAllowed", 405),
      Map.entry("MissingContentLength", 411),
      Map.entry("NoSuchBucket", 404),
      Map.entry("NoSuchKey", 404),
      Map.entry("NoSuchUpload", 404),
      Map.entry("NotImplemented", 501),
      Map.entry("PreconditionFailed", 412),
      Map.entry("RequestTimeTooSkewed", 403),
      Map.entry("ServiceUnavailable", 503),
      Map.entry("SignatureDoesNotMatch", 403),
      Map.entry("SlowDown", 503),
      Map.entry("XAmzContentSHA256Mismatch", 400));

  private S3Errors() {}

  /** The HTTP status for an S3 error code; 500 for a code S3 does not define here. */
  public static int status(String code) { return STATUS.getOrDefault(code, 500); }
}
