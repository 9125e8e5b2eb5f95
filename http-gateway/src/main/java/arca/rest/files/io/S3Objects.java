package arca.rest.files.io;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import arca.proto.objects.Blob;
import arca.proto.tree.CreateFolderRequest;
import arca.proto.tree.ListRequest;
import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.proto.tree.PutFileRequest;
import arca.proto.tree.RemoveRequest;
import arca.proto.tree.StatRequest;
import arca.proto.tree.TreeService;
import arca.rest.RequestIds;
import arca.rest.access.Principal;
import arca.rest.files.Blobs;
import arca.rest.files.Conditions;
import arca.rest.files.FilePuts;
import arca.rest.files.FileAccess;
import arca.rest.files.FolderRemoval;
import arca.rest.files.Location;
import arca.rest.files.UserContent;
import io.grpc.Status;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Objects of the {@code /io} bucket: GET and HEAD (ranges, conditions), PUT (streamed to the objects service, then
 * recorded in the tree; a key ending in {@code /} makes a folder), CopyObject and DELETE. A file's bytes are a blob;
 * the tree maps its path to the blob, so a failed upload never shows and a replaced blob is deleted afterwards.
 */
final class S3Objects {
  private final FileAccess access;
  private final TreeService tree;
  private final Blobs blobs;
  private final Materializer materializer;
  /** The policies, for the keys a request names besides its own: a copy's source, a multi-object delete's keys. */
  private final S3Auth.KeyPolicy policy;

  S3Objects(FileAccess access, TreeService tree, Blobs blobs, Materializer materializer, S3Auth.KeyPolicy policy) {
    this.access = access;
    this.tree = tree;
    this.blobs = blobs;
    this.materializer = materializer;
    this.policy = policy;
  }

  CompletionStage<HttpResponse> get(Principal caller, HttpRequest request, S3Key key, boolean head) {
    return access.resolve(caller, key.workspace(), key.path())
        .thenCompose(loc -> tree.stat(StatRequest.newBuilder().setDatasource(loc.datasource()).setPath(loc.path()).build()))
        .thenCompose(node -> {
          if (node.getType() == NodeType.FOLDER && key.folder()) {
            HttpResponse folder = S3Responses.empty(200).withHeaders(S3Responses.objectHeaders(S3Responses.EMPTY_MD5, node.getMtime()));
            return done(head ? folder.addHeader(S3Responses.headContentLength(0)) : folder);
          }
          if (node.getType() != NodeType.FILE || key.folder()) throw noSuchKey();
          List<HttpHeader> headers = S3Responses.objectHeaders(node.getEtag(), node.getMtime());
          switch (Conditions.evaluate(request, node.getEtag(), node.getMtime())) {
            case PRECONDITION_FAILED -> throw new S3Exception("PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
            case NOT_MODIFIED -> { return done(S3Responses.empty(304).withHeaders(headers)); }
            case SERVE -> { }
          }
          Optional<S3Range> range = S3Range.parse(S3Body.header(request, "Range"), node.getSize());
          range.ifPresent(r -> headers.add(RawHeader.create("Content-Range", r.contentRange())));
          int status = range.isPresent() ? 206 : 200;
          long first = range.map(S3Range::first).orElse(0L);
          long length = range.map(S3Range::length).orElse(node.getSize());
          ContentType type = S3Responses.contentType(node.getContentType());
          HttpResponse response = S3Responses.empty(status).withHeaders(headers);
          String name = node.getName();
          if (length == 0) {
            HttpResponse empty = UserContent.serve(response.withEntity(HttpEntities.create(type, new byte[0])), name);
            return done(head ? empty.addHeader(S3Responses.headContentLength(0)) : empty);
          }
          if (head) {
            return done(UserContent.serve(response.addHeader(S3Responses.headContentLength(length))
                .withEntity(HttpEntities.create(type, length, Source.<ByteString>empty())), name));
          }
          return firstChunkThen(blobs.download(node.getDatasource(), node.getBlobId(), first, length))
              .thenApply(bytes -> UserContent.serve(response.withEntity(HttpEntities.create(type, length, bytes)), name));
        });
  }

  /**
   * Starts a download and waits for its first chunk, so that a blob that cannot be read is answered with an error
   * status rather than a response cut short; the rest streams as the client reads.
   */
  private CompletionStage<Source<ByteString, ?>> firstChunkThen(Source<ByteString, ?> download) {
    return download.prefixAndTail(1).runWith(Sink.head(), materializer)
        .thenApply(pt -> Source.from(pt.first()).concat(pt.second()));
  }

  CompletionStage<HttpResponse> put(S3Auth.Caller caller, HttpRequest request, S3Key key) {
    if (key.folder()) return createFolder(caller.principal(), request, key);
    if (key.path().isEmpty()) return CompletableFuture.failedFuture(workspaceIsNoObject());
    return access.resolveForWrite(caller.principal(), key.workspace(), key.path()).thenCompose(loc -> {
      S3Body.Upload upload = S3Body.upload(request, caller.signature());
      return upload.blame(blobs.upload(loc.datasource(), upload.bytes(), upload.expected()))
          .thenCompose(blob -> record(loc, blob, blob.getMd5Hex(), storedType(request), request))
          .thenApply(node -> S3Responses.empty(200).addHeader(S3Responses.etag(node.getEtag())));
    });
  }

  private CompletionStage<HttpResponse> createFolder(Principal caller, HttpRequest request, S3Key key) {
    if (request.entity().getContentLengthOption().orElse(0) > 0) {
      return CompletableFuture.failedFuture(new S3Exception("InvalidObjectName",
          "A key ending in '/' is a folder: it cannot hold bytes"));
    }
    return access.resolveForWrite(caller, key.workspace(), key.path())
        .thenCompose(loc -> tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(loc.datasource())
            .setPath(loc.path()).setRequestId(RequestIds.fresh()).build()))
        .thenApply(node -> S3Responses.empty(200).addHeader(S3Responses.etag(S3Responses.EMPTY_MD5)));
  }

  /**
   * Records a stored blob as the file at {@code loc} (If-Match / If-None-Match of the request apply; see
   * {@link FilePuts#record}: the replaced blob, or the refused new one, is deleted).
   */
  CompletionStage<Node> record(Location loc, Blob blob, String etag, String contentType, HttpRequest request) {
    PutFileRequest.Builder put = PutFileRequest.newBuilder().setDatasource(loc.datasource()).setPath(loc.path())
        .setBlobId(blob.getBlobId()).setSize(blob.getSize()).setEtag(etag).setSha256(blob.getSha256Hex())
        .setContentType(contentType).setRequestId(RequestIds.fresh());
    Optional<String> ifMatch = request == null ? Optional.empty() : S3Body.header(request, "If-Match");
    boolean ifNoneMatch = request != null && S3Body.header(request, "If-None-Match").filter(v -> v.equals("*")).isPresent();
    ifMatch.ifPresent(put::setIfMatch);
    put.setIfNoneMatch(ifNoneMatch);
    return FilePuts.record(tree, blobs, put.build()).exceptionally(e -> {
      if ((ifMatch.isPresent() || ifNoneMatch) && S3Failures.is(e, Status.Code.FAILED_PRECONDITION)) {
        throw new S3Exception("PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
      }
      throw S3Failures.of(e);
    });
  }

  CompletionStage<HttpResponse> copy(S3Auth.Caller caller, HttpRequest request, S3Key target, String copySource) {
    if (target.folder() || target.path().isEmpty()) return CompletableFuture.failedFuture(workspaceIsNoObject());
    S3Key source = copySourceKey(copySource);
    Principal p = caller.principal();
    return policy.permit(p, "GET", source.key()).thenCompose(allowed ->
        access.resolve(p, source.workspace(), source.path())).thenCompose(from ->
        access.resolveForWrite(p, target.workspace(), target.path()).thenCompose(to ->
            tree.stat(StatRequest.newBuilder().setDatasource(from.datasource()).setPath(from.path()).build()).thenCompose(node -> {
              if (node.getType() != NodeType.FILE) throw noSuchKey();
              checkCopyConditions(request, node);
              CompletionStage<Blob> copied = from.datasource().equals(to.datasource())
                  ? blobs.copy(from.datasource(), node.getBlobId())
                  : blobs.upload(to.datasource(), blobs.download(from.datasource(), node.getBlobId(), 0, 0),
                      new Blobs.Expected(node.getSize(), null, null));
              boolean replace = S3Body.header(request, "x-amz-metadata-directive").filter(v -> v.equalsIgnoreCase("REPLACE")).isPresent();
              String type = replace ? storedType(request) : node.getContentType();
              return copied.thenCompose(blob -> record(to, blob, blob.getMd5Hex(), type, null));
            })))
        .thenApply(node -> S3Responses.xml(S3Xml.copyObjectResult(Instant.ofEpochMilli(node.getMtime()), node.getEtag())));
  }

  private static void checkCopyConditions(HttpRequest request, Node source) {
    Optional<String> ifMatch = S3Body.header(request, "x-amz-copy-source-if-match");
    Optional<String> ifNoneMatch = S3Body.header(request, "x-amz-copy-source-if-none-match");
    if (ifMatch.isPresent() && !Conditions.matches(ifMatch.get(), source.getEtag())
        || ifNoneMatch.isPresent() && Conditions.matches(ifNoneMatch.get(), source.getEtag())) {
      throw new S3Exception("PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    }
  }

  /** The key an {@code x-amz-copy-source} names: {@code [/]io/<key>[?versionId=...]}, URL-encoded. */
  static S3Key copySourceKey(String header) {
    int q = header.indexOf('?');
    String path = S3Call.decode(q < 0 ? header : header.substring(0, q), false);
    if (path.startsWith("/")) path = path.substring(1);
    if (!path.startsWith(S3Call.BUCKET + "/") || path.length() == S3Call.BUCKET.length() + 1) {
      throw new S3Exception("InvalidArgument", "x-amz-copy-source must be /io/<key>");
    }
    S3Key key = S3Key.parse(path.substring(S3Call.BUCKET.length() + 1));
    if (key.folder() || key.path().isEmpty()) throw noSuchKey();
    return key;
  }

  CompletionStage<HttpResponse> delete(Principal caller, S3Key key) {
    return remove(caller, key).thenApply(d -> S3Responses.empty(204));
  }

  /**
   * Deletes one key with S3's semantics: a missing key, or a workspace the caller cannot see, is deleted already.
   * A folder key ({@code dir/}) removes the folder when it is empty, and leaves a folder with content as it is.
   */
  CompletionStage<Void> remove(Principal caller, S3Key key) {
    if (key.path().isEmpty()) return CompletableFuture.completedFuture(null);
    CompletionStage<Void> removed = access.resolveForRemoval(caller, key.workspace(), key.path()).thenCompose(loc -> key.folder()
        ? removeEmptyFolder(caller, loc)
        : tree.remove(RemoveRequest.newBuilder().setDatasource(loc.datasource()).setPath(loc.path()).build())
            .thenCompose(r -> blobs.deleteAll(loc.datasource(), r.getBlobIdsList())).thenApply(d -> null));
    return removed.exceptionally(e -> {
      S3Exception s3 = S3Failures.of(e);
      Status.Code code = S3Failures.grpcCode(e);
      if (s3.code().equals("NoSuchKey") || code == Status.Code.FAILED_PRECONDITION) return null;
      throw s3;
    });
  }

  private CompletionStage<Void> removeEmptyFolder(Principal caller, Location loc) {
    return tree.list(ListRequest.newBuilder().setDatasource(loc.datasource()).setPath(loc.path()).setLimit(1).build())
        .thenCompose(page -> page.getTotal() > 0 ? CompletableFuture.completedFuture(null)
            : FolderRemoval.removeForGood(tree, blobs, loc.datasource(), loc.path(), caller.login()).thenApply(d -> null));
  }

  CompletionStage<HttpResponse> deleteMany(S3Auth.Caller caller, HttpRequest request) {
    return S3Body.strict(request, caller.signature(), S3XmlParser.MAX_BODY_BYTES, materializer).thenCompose(body -> {
      S3XmlParser.DeleteRequest delete = S3XmlParser.delete(body);
      List<String> deleted = new ArrayList<>();
      List<S3Xml.DeleteError> errors = new ArrayList<>();
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      for (S3XmlParser.ObjectId o : delete.objects()) {
        chain = chain.thenCompose(x -> {
          CompletionStage<Void> one;
          try {
            S3Key key = S3Key.parse(o.key());
            one = policy.permit(caller.principal(), "DELETE", o.key())
                .thenCompose(allowed -> remove(caller.principal(), key));
          } catch (S3Exception e) {
            one = CompletableFuture.failedFuture(e);
          }
          return one.handle((v, e) -> {
            if (e == null) {
              if (!delete.quiet()) deleted.add(o.key());
            } else {
              S3Exception s3 = S3Failures.of(e);
              errors.add(new S3Xml.DeleteError(o.key(), s3.code(), s3.getMessage()));
            }
            return null;
          });
        });
      }
      return chain.thenApply(x -> S3Responses.xml(S3Xml.deleteResult(deleted, errors)));
    });
  }

  static String storedType(HttpRequest request) {
    ContentType type = request.entity().getContentType();
    return type.equals(ContentTypes.NO_CONTENT_TYPE) ? "" : type.toString();
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  static S3Exception noSuchKey() {
    return new S3Exception("NoSuchKey", "The specified key does not exist.");
  }

  private static S3Exception workspaceIsNoObject() {
    return new S3Exception("InvalidObjectName", "A key names a file inside a workspace: <workspace>/<path>");
  }
}
