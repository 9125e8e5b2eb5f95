package arca.rest.access;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * What a caller may do in the shared workspaces: rights on a node, and the workspaces to list. Production answers
 * from the acl service ({@code arca.rest.acl.AclAccess}); a personal workspace is always its owner's alone and never asks.
 */
public interface Permissions {
  /** Rights on {@code path} ("" for the root) of {@code workspace}; admins have full rights. */
  CompletionStage<Rights> rights(Principal caller, String workspace, String path);

  /**
   * The rights that hold on {@code path} and on everything below it: what a copy (read), move or delete (write) of a
   * whole folder needs, so that it cannot reach a deeper node an ACL keeps from the caller. By default the node's own.
   */
  default CompletionStage<Rights> subtreeRights(Principal caller, String workspace, String path) {
    return rights(caller, workspace, path);
  }

  /**
   * The caller's rights throughout a workspace, answered without a further call per node: what a listing filters
   * its entries with.
   */
  CompletionStage<WorkspaceRights> throughout(Principal caller, String workspace);

  /** Rights on every node of one workspace. */
  interface WorkspaceRights {
    WorkspaceRights FULL = new WorkspaceRights() {
      @Override public Rights at(String path) { return Rights.FULL; }
      @Override public boolean unreadableBelow(String path) { return false; }
    };

    /** The rights on a node ("" for the root). */
    Rights at(String path);

    /** Whether some node strictly below {@code path} ("" for the root) may not be read. */
    boolean unreadableBelow(String path);
  }

  /** The shared workspaces where a (non-admin) caller may read at least one node. */
  CompletionStage<Set<String>> readable(Principal caller);
}
