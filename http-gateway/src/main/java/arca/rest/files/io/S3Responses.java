package arca.rest.files.io;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.DateTime;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.MediaTypes;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.ETag;
import akka.http.javadsl.model.headers.EntityTag;
import akka.http.javadsl.model.headers.LastModified;
import akka.http.javadsl.model.headers.RawHeader;

import akka.http.scaladsl.model.headers.CustomHeader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The shapes of {@code /io} answers: XML documents, S3 error documents, object metadata headers. */
final class S3Responses {
  static final ContentType.NonBinary XML = MediaTypes.APPLICATION_XML.toContentType(HttpCharsets.UTF_8);
  /** The MD5 of no bytes: the ETag of an empty object or a folder marker. */
  static final String EMPTY_MD5 = "d41d8cd98f00b204e9800998ecf8427e";

  private S3Responses() {}

  static HttpResponse xml(String document) {
    return HttpResponse.create().withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(XML, document.getBytes(StandardCharsets.UTF_8)));
  }

  static HttpResponse error(S3Exception e, String resource, String requestId) {
    return HttpResponse.create().withStatus(e.httpStatus())
        .withEntity(HttpEntities.create(XML, S3Xml.error(e.code(), e.getMessage(), resource, requestId)
            .getBytes(StandardCharsets.UTF_8)));
  }

  static HttpResponse empty(int status) {
    return HttpResponse.create().withStatus(status);
  }

  /** ETag (quoted), Last-Modified and Accept-Ranges of an object. */
  static List<HttpHeader> objectHeaders(String etag, long mtime) {
    List<HttpHeader> h = new ArrayList<>(3);
    h.add(etag(etag));
    h.add(LastModified.create(DateTime.create(mtime)));
    h.add(RawHeader.create("Accept-Ranges", "bytes"));
    return h;
  }

  /**
   * The Content-Length of a HEAD answer. Akka HTTP 10.5 never renders one for HEAD (its HEAD method allows no
   * Content-Length) and drops a raw header of that name, but S3 clients read an object's size from it; a custom
   * header is rendered as is.
   */
  static HttpHeader headContentLength(long length) {
    return new CustomHeader() {
      @Override public String name() { return "Content-Length"; }
      @Override public String value() { return Long.toString(length); }
      @Override public boolean renderInRequests() { return false; }
      @Override public boolean renderInResponses() { return true; }
    };
  }

  /** The ETag header of an entity tag (sent quoted). */
  static HttpHeader etag(String etag) {
    return ETag.create(EntityTag.create(etag, false));
  }

  /** A stored content type, or application/octet-stream when there is none or it does not parse. */
  static ContentType contentType(String stored) {
    if (stored == null || stored.isEmpty()) return ContentTypes.APPLICATION_OCTET_STREAM;
    try {
      return ContentTypes.parse(stored);
    } catch (RuntimeException e) {
      return ContentTypes.APPLICATION_OCTET_STREAM;
    }
  }
}
