package arca.rest.files.io;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The HTTP statuses S3 clients expect for each error code. */
class S3ErrorsTest {
  @Test void statusesMatchS3() {
    Map<String, Integer> expected = Map.ofEntries(
        Map.entry("NoSuchKey", 404), Map.entry("NoSuchBucket", 404), Map.entry("NoSuchUpload", 404),
        Map.entry("AccessDenied", 403), Map.entry("SignatureDoesNotMatch", 403), Map.entry("InvalidAccessKeyId", 403),
        Map.entry("RequestTimeTooSkewed", 403), Map.entry("InvalidArgument", 400), Map.entry("InvalidRange", 416),
        Map.entry("PreconditionFailed", 412), Map.entry("BadDigest", 400), Map.entry("InvalidDigest", 400),
        Map.entry("EntityTooSmall", 400), Map.entry("InvalidPart", 400), Map.entry("InvalidPartOrder", 400),
        Map.entry("MalformedXML", 400), Map.entry("MethodNotAllowed", 405), Map.entry("NotImplemented", 501),
        Map.entry("InternalError", 500), Map.entry("SlowDown", 503), Map.entry("KeyTooLongError", 400),
        Map.entry("InvalidObjectName", 400), Map.entry("XAmzContentSHA256Mismatch", 400),
        Map.entry("AuthorizationHeaderMalformed", 400), Map.entry("AuthorizationQueryParametersError", 400),
        Map.entry("InvalidRequest", 400), Map.entry("IncompleteBody", 400));
    expected.forEach((code, status) -> assertEquals(status, S3Errors.status(code), code));
  }

  @Test void unknownCodesAreInternalErrors() {
    assertEquals(500, S3Errors.status("NoSuchThing"));
    assertEquals(403, new S3Exception("SignatureDoesNotMatch", "m").httpStatus());
  }
}
