package arca.rest;

import akka.grpc.GrpcServiceException;
import akka.http.javadsl.model.HttpEntity;
import akka.http.scaladsl.model.EntityStreamException;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.http.scaladsl.model.ErrorInfo;
import akka.http.scaladsl.model.StatusCodes;
import akka.stream.AbruptStageTerminationException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import scala.Option;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one mapping of failures to HTTP errors, and the query-parameter reader. */
class ApiErrorTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "INVALID_ARGUMENT, 400, bad_request",
      "OUT_OF_RANGE, 400, bad_request",
      "NOT_FOUND, 404, not_found",
      "ALREADY_EXISTS, 409, conflict",
      "ABORTED, 409, conflict",
      "FAILED_PRECONDITION, 409, failed_precondition",
      "PERMISSION_DENIED, 403, forbidden",
      "UNAUTHENTICATED, 401, unauthorized",
      "RESOURCE_EXHAUSTED, 429, too_many_requests",
      "UNAVAILABLE, 503, unavailable",
      "DEADLINE_EXCEEDED, 503, unavailable",
      "CANCELLED, 503, unavailable",
      "INTERNAL, 500, internal",
      "UNKNOWN, 500, internal",
      "DATA_LOSS, 500, internal",
      "UNIMPLEMENTED, 500, internal"})
  void grpcStatusMapping(String code, int http, String error) {
    Status s = Status.fromCode(Status.Code.valueOf(code)).withDescription("detail from the service");
    ApiError e = ApiError.of(s.asRuntimeException());
    assertEquals(http, e.status.intValue());
    assertEquals(error, e.code);
    if (http == 400 || http == 404 || http == 409 || http == 403 || http == 401 || http == 429) {
      assertEquals("detail from the service", e.getMessage(), "client errors keep the service's explanation");
    } else {
      assertFalse(e.getMessage().contains("detail from the service"), "server errors hide internals");
    }
  }

  @Test
  void statusWithoutDescriptionGetsTheCodeName() {
    assertEquals("not_found", ApiError.of(Status.NOT_FOUND.asRuntimeException()).getMessage());
  }

  @Test
  void wrappersAreUnwrapped() {
    ApiError own = ApiError.conflict("x");
    assertSame(own, ApiError.of(new CompletionException(own)));
    assertSame(own, ApiError.of(new ExecutionException(new CompletionException(own))));
    assertEquals(404, ApiError.of(new CompletionException(Status.NOT_FOUND.asRuntimeException())).status.intValue());
    assertEquals(403, ApiError.of(new GrpcServiceException(Status.PERMISSION_DENIED)).status.intValue());
    CompletableFuture<Object> failed = CompletableFuture.failedFuture(Status.ALREADY_EXISTS.asRuntimeException());
    ExecutionException thrown = assertThrows(ExecutionException.class, failed::get);
    assertEquals(409, ApiError.of(thrown).status.intValue());
  }

  @Test
  void timeoutsAre503AndAnythingElse500() {
    assertEquals(503, ApiError.of(new TimeoutException("ask timed out")).status.intValue());
    assertEquals(503, ApiError.of(new CompletionException(new TimeoutException())).status.intValue());
    ApiError npe = ApiError.of(new NullPointerException("secret internals"));
    assertEquals(500, npe.status.intValue());
    assertFalse(npe.getMessage().contains("secret"));
  }

  @Test
  void errorBodyIsJson() throws Exception {
    var r = Json.error(ApiError.notFound("no user 'x'"));
    assertEquals(404, r.status().intValue());
    assertEquals("application/json", r.entity().getContentType().mediaType().toString());
    var body = Json.MAPPER.readTree(((HttpEntity.Strict) r.entity()).getData().toArray());
    assertEquals("not_found", body.path("error").asText());
    assertEquals("no user 'x'", body.path("message").asText());
    assertEquals(2, body.size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"0", "1001", "-1", "abc", "1.5", "99999999999", " 5", "0x10"})
  void intParamRejects(String raw) {
    ApiError e = assertThrows(ApiError.class, () -> Json.intParam(Optional.of(raw), "limit", 100, 1, 1000));
    assertEquals(400, e.status.intValue());
    assertTrue(e.getMessage().startsWith("limit must be an integer from 1 to 1000"), e.getMessage());
  }

  @Test
  void intParamAcceptsBoundsAndDefaults() {
    assertEquals(100, Json.intParam(Optional.empty(), "limit", 100, 1, 1000));
    assertEquals(100, Json.intParam(Optional.of(""), "limit", 100, 1, 1000));
    assertEquals(1, Json.intParam(Optional.of("1"), "limit", 100, 1, 1000));
    assertEquals(1000, Json.intParam(Optional.of("1000"), "limit", 100, 1, 1000));
  }

  @Test
  void aBodyTheClientBrokeIsItsFaultNotAServerError() {
    var info = new ErrorInfo("Entity stream truncation", "");
    ApiError cut = ApiError.of(new CompletionException(new RuntimeException("stream failed",
        new EntityStreamException(info))));
    assertEquals(400, cut.status.intValue(), "a cause deep in the chain is found");
    assertTrue(cut.getMessage().contains("ended before its declared length"), cut.getMessage());
    ApiError tooLarge = ApiError.of(new EntityStreamSizeException(8, Option.empty()));
    assertEquals(413, tooLarge.status.intValue());
    ApiError strictTooLarge = ApiError.of(new CompletionException(new EntityStreamException(
        new ErrorInfo("Request too large", "Request of size 9 was longer than the maximum of 8"))));
    assertEquals(413, strictTooLarge.status.intValue());
    ApiError illegal = ApiError.of(akka.http.scaladsl.model.IllegalRequestException$.MODULE$.apply(info,
        StatusCodes.BadRequest()));
    assertEquals(400, illegal.status.intValue());
    ApiError gone = ApiError.of(new CompletionException(new AbruptStageTerminationException(null)));
    assertEquals(400, gone.status.intValue());
    assertEquals(500, ApiError.of(new IllegalStateException("a bug")).status.intValue(), "anything else stays a 500");
  }

  @Test
  void serviceMessagesNameNoStoragePath() {
    ApiError e = ApiError.of(Status.NOT_FOUND.withDescription("'personal/bob/docs/missing' not found").asRuntimeException());
    assertEquals("'missing' not found", e.getMessage());
    assertEquals("'a' collides with the existing 'A'", ApiError.withoutStoragePaths("'a' collides with the existing 'A'"));
    assertEquals("'file' is a file, not a folder; 'x' too",
        ApiError.withoutStoragePaths("'projects/team/file' is a file, not a folder; 'projects/x' too"));
    assertEquals("property name '{http://example.com/ns}x' is bad",
        ApiError.withoutStoragePaths("property name '{http://example.com/ns}x' is bad"), "not a path: kept");
  }
}
