package arca.rest.files;

import akka.Done;
import arca.proto.tree.PurgeRequest;
import arca.proto.tree.TrashRequest;
import arca.proto.tree.TreeService;

import java.util.concurrent.CompletionStage;

/**
 * Removes a folder and everything under it for good. The tree removes folders only through its recycle bin, so
 * this moves the folder there and purges that entry at once (it shows in the bin for that moment), then deletes the
 * blobs the purge returned (best effort, see {@link Blobs#delete}).
 */
public final class FolderRemoval {
  private FolderRemoval() {}

  public static CompletionStage<Done> removeForGood(TreeService tree, Blobs blobs, String datasource, String path, String by) {
    return tree.trash(TrashRequest.newBuilder().setDatasource(datasource).setPath(path).setBy(by).build())
        .thenCompose(node -> tree.purge(PurgeRequest.newBuilder().setDatasource(datasource).setUuid(node.getUuid()).build()))
        .thenCompose(purged -> blobs.deleteAll(datasource, purged.getBlobIdsList()));
  }
}
