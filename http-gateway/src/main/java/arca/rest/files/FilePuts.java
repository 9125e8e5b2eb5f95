package arca.rest.files;

import akka.stream.AbruptStageTerminationException;
import arca.proto.tree.Node;
import arca.proto.tree.PutFileRequest;
import arca.proto.tree.TreeService;
import arca.rest.ApiError;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Records a stored blob as a file's content in the tree, for every face that uploads (S3 PUT and copy, WebDAV PUT
 * and COPY): on success the blob the put replaced is deleted; when the tree refuses, the new blob is deleted and the
 * refusal passed on. The put carries a request id, so the service clients resend it when it goes unanswered (the
 * folder applies a put of the same blob once). When the outcome stays unknown (no answer at all: 503), the new blob
 * is kept: the put may have applied, and a leftover blob costs space where a deleted one would cost the file. The
 * same when the call's stream was torn down (the client closed its connection: the gateway answers 400 to it).
 */
public final class FilePuts {
  private FilePuts() {}

  public static CompletionStage<Node> record(TreeService tree, Blobs blobs, PutFileRequest put) {
    return tree.putFile(put).handle((r, e) -> {
      if (e == null) return blobs.delete(put.getDatasource(), r.getReplacedBlobId()).thenApply(d -> r.getNode());
      if (ApiError.of(e).status.intValue() == 503 || aborted(e)) return CompletableFuture.<Node>failedFuture(e);
      return blobs.delete(put.getDatasource(), put.getBlobId()).<Node>thenCompose(d -> CompletableFuture.failedFuture(e));
    }).thenCompose(s -> s);
  }

  /** The call's stream was torn down under it (the client's connection closed): the put may have applied. */
  private static boolean aborted(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof AbruptStageTerminationException) return true;
    }
    return false;
  }
}
