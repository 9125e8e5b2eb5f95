package arca.rest.files.dav;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.rest.access.Principal;
import arca.rest.files.Blobs;
import arca.rest.files.Conditions;
import arca.rest.files.UserContent;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import static arca.rest.files.dav.DavRequests.ALLOW;
import static arca.rest.files.dav.DavRequests.done;
import static arca.rest.files.dav.DavRequests.notAllowed;

/**
 * OPTIONS, GET and HEAD: a file's bytes (one byte range at most, conditional requests), streamed from the objects
 * service once its first chunk is in; a collection is listed with PROPFIND, not GET.
 */
final class DavReads {
  private final DavResources resources;
  private final Blobs blobs;
  private final Materializer materializer;

  DavReads(DavResources resources, Blobs blobs, Materializer materializer) {
    this.resources = resources;
    this.blobs = blobs;
    this.materializer = materializer;
  }

  /** OPTIONS, answered before authentication: the DAV classes and the methods. */
  static HttpResponse options() {
    return HttpResponse.create().withStatus(StatusCodes.OK).addHeaders(List.of(RawHeader.create("DAV", "1, 2"),
        RawHeader.create("MS-Author-Via", "DAV"), RawHeader.create("Allow", ALLOW)));
  }

  CompletionStage<HttpResponse> get(Principal caller, HttpRequest request, DavPath path, boolean head) {
    if (path.isTop()) throw notAllowed("the top level is a collection: use PROPFIND", "OPTIONS, PROPFIND");
    return resources.target(caller, path, false).thenCompose(t -> {
      Node node = t.node().orElseThrow(() -> DavError.notFound("no resource at '" + path.href(false) + "'"));
      if (node.getType() == NodeType.FOLDER) throw notAllowed("'" + path.href(true) + "' is a collection: use PROPFIND", ALLOW);
      List<HttpHeader> headers = new ArrayList<>(List.of(RawHeader.create("ETag", DavResources.etag(node)),
          RawHeader.create("Last-Modified", DavResources.httpDate(node.getMtime())),
          RawHeader.create("Accept-Ranges", "bytes")));
      switch (Conditions.evaluate(request, node.getEtag(), node.getMtime())) {
        case PRECONDITION_FAILED -> throw DavError.preconditionFailed("a precondition (If-Match, If-Unmodified-Since) does not hold");
        case NOT_MODIFIED -> {
          return done(HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED).addHeaders(headers));
        }
        case SERVE -> { }
      }
      return serve(request, node, headers, head);
    });
  }

  /** The file's bytes (or the range asked) with the headers so far; HEAD and an empty file answer no bytes. */
  private CompletionStage<HttpResponse> serve(HttpRequest request, Node node, List<HttpHeader> headers, boolean head) {
    long size = node.getSize();
    long first = 0;
    long length = size;
    StatusCode status = StatusCodes.OK;
    Optional<long[]> range = range(request.getHeader("Range").map(HttpHeader::value), size);
    if (range.isPresent()) {
      first = range.get()[0];
      length = range.get()[1] - first + 1;
      status = StatusCodes.PARTIAL_CONTENT;
      headers.add(RawHeader.create("Content-Range", "bytes " + first + "-" + range.get()[1] + "/" + size));
    }
    ContentType type = DavResources.contentType(node);
    HttpResponse response = HttpResponse.create().withStatus(status).addHeaders(headers);
    if (head || length == 0) {
      return done(UserContent.serve(response.withEntity(head ? HttpEntities.create(type, length, Source.empty())
          : HttpEntities.create(type, new byte[0])), node.getName()));
    }
    long len = length;
    return firstChunkThen(blobs.download(node.getDatasource(), node.getBlobId(), first, length))
        .thenApply(bytes -> UserContent.serve(response.withEntity(HttpEntities.create(type, len, bytes)), node.getName()));
  }

  /** A single byte range {first, last} of a Range header; empty for none or several; 416 when unsatisfiable. */
  static Optional<long[]> range(Optional<String> header, long size) {
    if (header.isEmpty()) return Optional.empty();
    String h = header.get().trim();
    if (!h.startsWith("bytes=") || h.contains(",")) return Optional.empty();
    String spec = h.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) return Optional.empty();
    try {
      long first;
      long last;
      if (dash == 0) {
        long suffix = Long.parseLong(spec.substring(1));
        if (suffix <= 0) throw unsatisfiable(size);
        first = Math.max(0, size - suffix);
        last = size - 1;
      } else {
        first = Long.parseLong(spec.substring(0, dash));
        last = dash == spec.length() - 1 ? size - 1 : Math.min(size - 1, Long.parseLong(spec.substring(dash + 1)));
        if (last < first && dash != spec.length() - 1) return Optional.empty();
      }
      if (first >= size || size == 0) throw unsatisfiable(size);
      return Optional.of(new long[] {first, last});
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static DavError unsatisfiable(long size) {
    return new DavError(StatusCodes.RANGE_NOT_SATISFIABLE, "range_not_satisfiable", "the range lies outside the "
        + size + " bytes of the file", null, List.of(RawHeader.create("Content-Range", "bytes */" + size)));
  }

  /** The download, once its first chunk is in: a failure to start answers an error, not a cut-off 200. */
  private CompletionStage<Source<ByteString, ?>> firstChunkThen(Source<ByteString, ?> download) {
    return download.prefixAndTail(1).runWith(Sink.head(), materializer)
        .thenApply(pt -> Source.from(pt.first()).concat(pt.second()));
  }
}
