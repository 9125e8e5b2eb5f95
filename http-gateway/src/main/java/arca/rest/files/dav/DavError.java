package arca.rest.files.dav;

import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import arca.rest.ApiError;
import arca.rest.Json;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A WebDAV error answer. Errors the RFC gives a precondition element (RFC 4918 section 16: lock-token-submitted,
 * no-conflicting-lock, propfind-finite-depth, lock-token-matches-request-uri, ...) answer its XML
 * {@code <D:error>} body, which clients understand; every other error answers the gateway's JSON error body
 * ({"error", "message"}).
 */
final class DavError extends RuntimeException {
  final StatusCode status;
  final String code;
  /** The content of {@code <D:error>} (e.g. {@code <D:no-conflicting-lock/>}), or null for a JSON body. */
  final String precondition;
  final List<HttpHeader> headers;

  DavError(StatusCode status, String code, String message) {
    this(status, code, message, null, List.of());
  }

  DavError(StatusCode status, String code, String message, String precondition, List<HttpHeader> headers) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.precondition = precondition;
    this.headers = headers;
  }

  static DavError badRequest(String message) {
    return new DavError(StatusCodes.BAD_REQUEST, "bad_request", message);
  }

  static DavError notFound(String message) {
    return new DavError(StatusCodes.NOT_FOUND, "not_found", message);
  }

  static DavError conflict(String message) {
    return new DavError(StatusCodes.CONFLICT, "conflict", message);
  }

  static DavError forbidden(String message) {
    return new DavError(StatusCodes.FORBIDDEN, "forbidden", message);
  }

  static DavError notAllowed(String message) {
    return new DavError(StatusCodes.METHOD_NOT_ALLOWED, "method_not_allowed", message);
  }

  static DavError preconditionFailed(String message) {
    return new DavError(StatusCodes.PRECONDITION_FAILED, "precondition_failed", message);
  }

  /** 423 Locked: the resource is locked and the request did not submit a token of the lock (the locked URLs). */
  static DavError locked(String message, List<String> lockedHrefs) {
    return new DavError(StatusCodes.LOCKED, "locked", message, DavXmlWriter.lockTokenSubmitted(lockedHrefs), List.of());
  }

  static DavError withPrecondition(StatusCode status, String code, String message, String element) {
    return new DavError(status, code, message, "<D:" + element + "/>", List.of());
  }

  /** The error a failure becomes: a DavError as it is, anything else through the gateway's one mapping. */
  static DavError of(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof DavError d) return d;
    ApiError e = ApiError.of(t);
    return new DavError(e.status, e.code, e.getMessage());
  }

  HttpResponse response() {
    HttpResponse r;
    if (precondition != null) {
      String xml = DavXmlWriter.error(precondition, getMessage());
      r = HttpResponse.create().withStatus(status)
          .withEntity(HttpEntities.create(DavXmlWriter.XML, xml.getBytes(StandardCharsets.UTF_8)));
    } else {
      r = Json.error(new ApiError(status, code, getMessage()));
    }
    return headers.isEmpty() ? r : r.addHeaders(headers);
  }
}
