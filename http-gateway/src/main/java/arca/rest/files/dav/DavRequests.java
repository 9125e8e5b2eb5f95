package arca.rest.files.dav;

import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.scaladsl.model.EntityStreamSizeException;
import akka.stream.Materializer;
import akka.util.ByteString;
import arca.rest.RequestIds;
import arca.rest.access.Principal;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * What every WebDAV method group reads from a request (its raw path, Depth, If header, XML body, request id) and the
 * answers they share (405 with an Allow header, a completed stage, a failure passed on).
 */
final class DavRequests {
  /** The methods a resource answers (the Allow header of OPTIONS and of a 405). */
  static final String ALLOW = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK";

  private DavRequests() {}

  /** The request's path as sent, before decoding (the Raw-Request-URI header when present), without the query. */
  static String rawPath(HttpRequest request) {
    String target = request.getHeader("Raw-Request-URI").map(HttpHeader::value).orElse(request.getUri().toString());
    if (target.startsWith("http://") || target.startsWith("https://")) {
      int slash = target.indexOf('/', target.indexOf("//") + 2);
      target = slash < 0 ? "/" : target.substring(slash);
    }
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  /** The Depth header, trimmed and in lower case; infinity when absent. */
  static String depth(HttpRequest request) {
    return request.getHeader("Depth").map(h -> h.value().trim().toLowerCase(Locale.ROOT)).orElse("infinity");
  }

  /** The request's If header (RFC 4918 section 10.4), with its Host for tagged resources. */
  static DavIf condition(HttpRequest request) {
    return DavIf.parse(request.getHeader("If").map(HttpHeader::value), host(request));
  }

  static String host(HttpRequest request) {
    return request.getHeader("Host").map(HttpHeader::value).orElse(null);
  }

  static String requestId(HttpRequest request, Principal caller) {
    return RequestIds.of(request, caller);
  }

  /** The request's XML body, at most {@link DavXmlParser#MAX_BODY} bytes (413 beyond). */
  static CompletionStage<ByteString> body(HttpRequest request, Materializer materializer) {
    return request.entity().withSizeLimit(DavXmlParser.MAX_BODY).toStrict(30_000, materializer)
        .thenApply(HttpEntity.Strict::getData)
        .exceptionally(e -> {
          Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          if (t instanceof EntityStreamSizeException) {
            throw new DavError(StatusCodes.PAYLOAD_TOO_LARGE, "payload_too_large", "an XML body is at most " + DavXmlParser.MAX_BODY + " bytes");
          }
          throw wrap(e);
        });
  }

  /** 405 Method Not Allowed, naming the methods that are. */
  static DavError notAllowed(String message, String allow) {
    return new DavError(StatusCodes.METHOD_NOT_ALLOWED, "method_not_allowed", message, null, List.of(RawHeader.create("Allow", allow)));
  }

  /** A failure to pass on from a stage's handler as it is. */
  static RuntimeException wrap(Throwable e) {
    return e instanceof CompletionException c ? c : new CompletionException(e);
  }

  static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
