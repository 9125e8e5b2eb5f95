package arca.rest.io;

import akka.http.javadsl.model.HttpRequest;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Conditional GET and HEAD as S3 evaluates them (RFC 7232 order): If-Match, else If-Unmodified-Since, failing
 * gives 412; then If-None-Match, else If-Modified-Since, matching gives 304. Dates compare at second precision;
 * a date that does not parse is ignored.
 */
final class S3Conditions {
  /** What a condition decides: serve the object, 304, or 412. */
  enum Outcome { SERVE, NOT_MODIFIED, PRECONDITION_FAILED }

  private S3Conditions() {}

  static Outcome evaluate(HttpRequest request, String etag, long mtimeMillis) {
    long mtime = mtimeMillis / 1000;
    Optional<String> ifMatch = S3Body.header(request, "If-Match");
    if (ifMatch.isPresent()) {
      if (!matches(ifMatch.get(), etag)) return Outcome.PRECONDITION_FAILED;
    } else {
      Optional<Long> since = date(request, "If-Unmodified-Since");
      if (since.isPresent() && mtime > since.get()) return Outcome.PRECONDITION_FAILED;
    }
    Optional<String> ifNoneMatch = S3Body.header(request, "If-None-Match");
    if (ifNoneMatch.isPresent()) {
      if (matches(ifNoneMatch.get(), etag)) return Outcome.NOT_MODIFIED;
    } else {
      Optional<Long> since = date(request, "If-Modified-Since");
      if (since.isPresent() && mtime <= since.get()) return Outcome.NOT_MODIFIED;
    }
    return Outcome.SERVE;
  }

  /** Whether an entity-tag list ({@code *}, or quoted tags, weak or not) names {@code etag}. */
  static boolean matches(String condition, String etag) {
    if (condition.trim().equals("*")) return true;
    for (String one : condition.split(",")) {
      if (one.trim().replaceFirst("^W/", "").replace("\"", "").equals(etag)) return true;
    }
    return false;
  }

  private static Optional<Long> date(HttpRequest request, String name) {
    return S3Body.header(request, name).flatMap(v -> {
      try {
        return Optional.of(Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(v)).getEpochSecond());
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    });
  }
}
