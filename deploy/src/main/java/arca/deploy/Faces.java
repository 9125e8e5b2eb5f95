package arca.deploy;

import arca.rest.files.Face;
import arca.rest.files.dav.DavRoutes;
import arca.rest.files.io.S3Routes;
import arca.rest.files.locks.LockRoutes;
import arca.rest.files.nodes.NodesRoutes;

import java.util.List;

/**
 * The protocol faces over the files of several services (tree, objects, workspaces, ACLs, locks), in one explicit
 * list: each under its public prefix, all over the one files context the gateway builds per node.
 */
public final class Faces {
  public static final List<Face> ALL = List.of(
      new NodesRoutes(),   // /a/nodes, /a/trash, /a/copy-jobs
      new LockRoutes(),    // /a/locks
      new S3Routes(),      // /io
      new DavRoutes());    // /dav

  private Faces() {}
}
