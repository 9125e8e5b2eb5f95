package arca.rest.files;

/**
 * Where a workspace-relative path lives: the datasource, the path from that datasource's root ("" is the root,
 * "/"-separated, no leading "/"), and the workspace slug the caller addressed.
 */
public record Location(String datasource, String path, String workspace) {

  /** The location of a child named {@code name} (a valid name). */
  public Location child(String name) {
    return new Location(datasource, path.isEmpty() ? name : path + "/" + name, workspace);
  }
}
