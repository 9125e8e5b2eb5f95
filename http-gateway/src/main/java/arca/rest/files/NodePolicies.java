package arca.rest.files;

import arca.rest.ApiError;
import arca.rest.access.WorkspaceVisibility;
import arca.rest.gate.PolicyCheck;
import arca.rest.gate.PolicySet;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The policies on the nodes a file operation touches, whatever the face it came through. A node has one name per
 * face, {@code rest:/a/nodes/<ws>/<path>}, {@code io:<ws>/<path>} and {@code dav:<ws>/<path>}, each also with a
 * trailing {@code /} (a folder's S3 key; {@code rest:/a/nodes/<ws>/} for a workspace root). A node action
 * ({@link NodeAction}) is refused when a deny policy matches the caller, the action and any of those names, so that
 * a policy written for one face holds on the others. Allows are not needed here: the request itself passed the gate
 * (its URL and method, deny by default). For a folder's whole subtree (its copy, move or delete, a folder landing at
 * a destination) every name that may lie below it counts too ({@link PolicySet#denialBelow}).
 */
public final class NodePolicies {
  private NodePolicies() {}

  private static List<String> bases(String workspace, String path) {
    String rel = workspace + (path.isEmpty() ? "" : "/" + path);
    return List.of(PolicyCheck.REST + "/a/nodes/" + rel, PolicyCheck.IO + rel, "dav:" + rel);
  }

  /** The names of a node: each face's, with and without a trailing '/'. */
  public static List<String> names(String workspace, String path) {
    List<String> out = new ArrayList<>(6);
    for (String b : bases(workspace, path)) {
      out.add(b);
      out.add(b + "/");
    }
    return out;
  }

  /** The prefixes of the names of every node below a node. */
  static List<String> below(String workspace, String path) {
    return bases(workspace, path).stream().map(b -> b + "/").toList();
  }

  /** Fails 403, naming the policy, when the caller's deny policies refuse the action on the node (or below it). */
  static void check(PolicyCheck.Denials denials, NodeAction action, String workspace, String path, boolean subtree) {
    PolicySet.Denial d = denials.of(names(workspace, path), action.action);
    if (d == null && subtree) {
      d = denials.below(below(workspace, path), action.action);
      if (d != null) d = new PolicySet.Denial(d.resource() + "...", d.reason());
    }
    if (d != null) throw ApiError.forbidden(action.action + " " + d.resource() + " is denied by policy: " + d.reason());
  }

  /** Whether the policies hide a node from listings (they deny reading it). */
  public static boolean hidden(PolicyCheck.Denials denials, String workspace, String path) {
    return denials.of(names(workspace, path), NodeAction.READ.action) != null;
  }

  /** Whether the policies may hide a node somewhere below a folder. */
  static boolean mayHideBelow(PolicyCheck.Denials denials, String workspace, String folder) {
    return denials.below(below(workspace, folder), NodeAction.READ.action) != null;
  }

  /**
   * The workspaces of {@code byAcl}, without those whose root a policy denies a (non-admin) caller reading, as the
   * file listings leave them out: what the workspace list shows.
   */
  public static WorkspaceVisibility visibleWorkspaces(WorkspaceVisibility byAcl, PolicyCheck policies) {
    return caller -> byAcl.visibleTo(caller).thenCombine(policies.denials(caller), (v, d) -> v.all() ? v
        : WorkspaceVisibility.Visible.only(v.slugs().stream().filter(ws -> !hidden(d, ws, "")).collect(Collectors.toSet())));
  }
}
