package arca.rest.access;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Which workspaces a caller may see, in lists and when reading one. The routes ask once per request and hand the
 * answer to the workspace service as a slug restriction, so that paging and totals stay right (a predicate applied
 * to a page afterwards would not). Production answers from the ACLs and policies (the workspaces where the caller
 * may read a node, and their personal one: {@code arca.rest.acl.AclAccess#visibility()},
 * {@code arca.rest.files.NodePolicies#visibleWorkspaces}), hence asynchronous; route tests use
 * {@link #BUILT_INS_FOR_USERS}.
 */
@FunctionalInterface
public interface WorkspaceVisibility {

  CompletionStage<Visible> visibleTo(Principal caller);

  /** Either every workspace, or only the given slugs (possibly none). */
  record Visible(boolean all, Set<String> slugs) {
    public static final Visible ALL = new Visible(true, Set.of());

    public static Visible only(Set<String> slugs) {
      return new Visible(false, Set.copyOf(slugs));
    }

    public boolean allows(String slug) {
      return all || slugs.contains(slug);
    }
  }

  /** The workspace of each user's own files: always its owner's alone. */
  String PERSONAL = "personal";

  /** The workspaces every installation has (the workspace service's EnsureBuiltins creates them). */
  Set<String> BUILT_INS = Set.of("common", PERSONAL);

  /** Admins see every workspace, everyone else the built-ins (route tests that need no ACLs). */
  WorkspaceVisibility BUILT_INS_FOR_USERS = caller ->
      CompletableFuture.completedFuture(caller.isAdmin() ? Visible.ALL : Visible.only(BUILT_INS));
}
