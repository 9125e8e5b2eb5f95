package arca.rest.testsupport;

import arca.rest.access.Rights;
import arca.rest.acl.AclAccess;
import arca.rest.access.Principal;
import arca.rest.access.Permissions;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Permissions as a fresh install grants them: admins everything, every user read and write on {@code common}; but
 * the nodes under the paths in {@link #denied} ({@code "common/docs/private"}: a deny ACL there), which users may not
 * read or change.
 */
public final class OpenPermissions implements Permissions {
  /** Workspace-qualified paths a deny ACL keeps from users (tests add to it). */
  public final Set<String> denied = ConcurrentHashMap.newKeySet();

  @Override
  public CompletionStage<Rights> rights(Principal caller, String workspace, String path) {
    return CompletableFuture.completedFuture(at(caller, workspace, path));
  }

  private Rights at(Principal caller, String workspace, String path) {
    if (caller.isAdmin()) return Rights.FULL;
    if (!workspace.equals("common")) return Rights.NONE;
    String full = workspace + (path.isEmpty() ? "" : "/" + path);
    boolean deny = denied.stream().anyMatch(d -> full.equals(d) || full.startsWith(d + "/"));
    return deny ? Rights.NONE : Rights.FULL;
  }

  private boolean unreadableBelow(Principal caller, String workspace, String path) {
    String below = workspace + "/" + (path.isEmpty() ? "" : path + "/");
    return !caller.isAdmin() && denied.stream().anyMatch(d -> d.startsWith(below));
  }

  @Override
  public CompletionStage<Rights> subtreeRights(Principal caller, String workspace, String path) {
    Rights r = at(caller, workspace, path);
    return CompletableFuture.completedFuture(unreadableBelow(caller, workspace, path) ? Rights.NONE : r);
  }

  @Override
  public CompletionStage<WorkspaceRights> throughout(Principal caller, String workspace) {
    return CompletableFuture.completedFuture(new WorkspaceRights() {
      @Override public Rights at(String path) { return OpenPermissions.this.at(caller, workspace, path); }
      @Override public boolean unreadableBelow(String path) { return OpenPermissions.this.unreadableBelow(caller, workspace, path); }
    });
  }

  @Override
  public CompletionStage<Set<String>> readable(Principal caller) {
    return CompletableFuture.completedFuture(Set.of("common"));
  }
}
