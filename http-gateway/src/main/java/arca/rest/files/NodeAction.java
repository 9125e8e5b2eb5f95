package arca.rest.files;

/**
 * What a file operation does to one node, as the policies see it (see {@link NodePolicies}): every operation on
 * {@code /a}, {@code /io} and {@code /dav} is a set of these on the nodes it touches, each checked with its action.
 */
public enum NodeAction {
  /** Reading a node: a download, a stat, a listing of a folder, the source of a copy. Policy action {@code GET}. */
  READ("GET"),
  /** Creating or changing a node: an upload, a new folder, properties, the destination of a move, copy or restore. {@code PUT}. */
  WRITE("PUT"),
  /** Removing a node: a delete, the source of a move, a target a move, copy or restore replaces, a purge. {@code DELETE}. */
  REMOVE("DELETE");

  /** The policy action that this node action is checked as. */
  public final String action;

  NodeAction(String action) {
    this.action = action;
  }
}
