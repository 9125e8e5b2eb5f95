package arca.rest.files;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Conditional GET and HEAD as S3 and WebDAV evaluate them (RFC 7232 order): If-Match, else If-Unmodified-Since, failing
 * gives 412; then If-None-Match, else If-Modified-Since, matching gives 304. Dates compare at second precision;
 * a date that does not parse is ignored.
 */
public final class Conditions {
  /** What a condition decides: serve the object, 304, or 412. */
  public enum Outcome { SERVE, NOT_MODIFIED, PRECONDITION_FAILED }

  private Conditions() {}

  public static Outcome evaluate(HttpRequest request, String etag, long mtimeMillis) {
    long mtime = mtimeMillis / 1000;
    Optional<String> ifMatch = header(request, "If-Match");
    if (ifMatch.isPresent()) {
      if (!matches(ifMatch.get(), etag)) return Outcome.PRECONDITION_FAILED;
    } else {
      Optional<Long> since = date(request, "If-Unmodified-Since");
      if (since.isPresent() && mtime > since.get()) return Outcome.PRECONDITION_FAILED;
    }
    Optional<String> ifNoneMatch = header(request, "If-None-Match");
    if (ifNoneMatch.isPresent()) {
      if (matches(ifNoneMatch.get(), etag)) return Outcome.NOT_MODIFIED;
    } else {
      Optional<Long> since = date(request, "If-Modified-Since");
      if (since.isPresent() && mtime <= since.get()) return Outcome.NOT_MODIFIED;
    }
    return Outcome.SERVE;
  }

  /** Whether an entity-tag list ({@code *}, or quoted tags, weak or not) names {@code etag}. */
  public static boolean matches(String condition, String etag) {
    if (condition.trim().equals("*")) return true;
    for (String one : condition.split(",")) {
      if (one.trim().replaceFirst("^W/", "").replace("\"", "").equals(etag)) return true;
    }
    return false;
  }

  private static Optional<String> header(HttpRequest request, String name) {
    return request.getHeader(name).map(HttpHeader::value).map(String::trim);
  }

  private static Optional<Long> date(HttpRequest request, String name) {
    return header(request, name).flatMap(v -> {
      try {
        return Optional.of(Instant.from(DateTimeFormatter.RFC_1123_DATE_TIME.parse(v)).getEpochSecond());
      } catch (DateTimeParseException e) {
        return Optional.empty();
      }
    });
  }
}
