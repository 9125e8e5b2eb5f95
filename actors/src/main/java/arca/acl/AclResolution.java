package arca.acl;

import arca.proto.acl.Action;
import arca.service.CborSerializable;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a user may do on a node of a workspace, from the workspace's ACL entries (Cells idm.acl, simplified):
 * <ol>
 *   <li>users with the role {@value #ADMIN} may read and write everything (they bypass ACLs);</li>
 *   <li>only entries of the user's roles count; an entry on a node applies to its whole subtree, and the deepest node
 *       at or above the asked one that carries such entries decides alone (a grant on a folder overrides a deny on
 *       the workspace root, and the other way round);</li>
 *   <li>on that node, the user's roles are taken in order and the last one that has entries there decides alone
 *       (later roles override earlier ones; the personal role {@code user:<login>} comes last, so a grant to one user
 *       overrides their groups);</li>
 *   <li>for that role, {@code deny} gives nothing, else read and write are the actions it has there (write does not
 *       imply read);</li>
 *   <li>no entry at or above the node: no access.</li>
 * </ol>
 */
final class AclResolution {
  private AclResolution() {}

  static final String ADMIN = "admin";

  public record Rights(boolean read, boolean write) implements CborSerializable {
    public static final Rights NONE = new Rights(false, false);
    public static final Rights FULL = new Rights(true, true);
  }

  /** The rights on one node below the asked one. */
  public record NodeRights(String path, Rights rights) implements CborSerializable {}

  static Rights resolve(Collection<AclEntity.Entry> entries, String path, List<String> roles) {
    if (roles.contains(ADMIN)) return Rights.FULL;
    Set<String> mine = new HashSet<>(roles);
    String deepest = null;
    for (AclEntity.Entry e : entries) {
      if (mine.contains(e.role()) && covers(e.path(), path)
          && (deepest == null || e.path().length() > deepest.length())) {
        deepest = e.path();
      }
    }
    if (deepest == null) return Rights.NONE;
    List<AclEntity.Entry> decisive = new ArrayList<>();
    for (AclEntity.Entry e : entries) if (e.path().equals(deepest)) decisive.add(e);
    return at(decisive, roles);
  }

  /**
   * The nodes strictly under {@code path} where the roles have entries, in path order, each with its rights: with
   * {@link #resolve} on {@code path}, they answer for every node of the subtree. None for admins.
   */
  static List<NodeRights> below(Collection<AclEntity.Entry> entries, String path, List<String> roles) {
    if (roles.contains(ADMIN)) return List.of();
    Set<String> mine = new HashSet<>(roles);
    Map<String, List<AclEntity.Entry>> byNode = new TreeMap<>();
    for (AclEntity.Entry e : entries) {
      if (mine.contains(e.role()) && !e.path().equals(path) && covers(path, e.path())) {
        byNode.computeIfAbsent(e.path(), p -> new ArrayList<>()).add(e);
      }
    }
    return byNode.entrySet().stream().map(n -> new NodeRights(n.getKey(), at(n.getValue(), roles))).toList();
  }

  /**
   * Whether the roles may read at least one node, given the entries of one workspace (for workspace lists). Here
   * {@value #ADMIN} is a role like any other: this service does not know every workspace, so callers show admins
   * all of them themselves.
   */
  static boolean readsSomewhere(Collection<AclEntity.Entry> entries, List<String> roles) {
    Set<String> mine = new HashSet<>(roles);
    Map<String, List<AclEntity.Entry>> byNode = new TreeMap<>();
    for (AclEntity.Entry e : entries) {
      if (mine.contains(e.role())) byNode.computeIfAbsent(e.path(), p -> new ArrayList<>()).add(e);
    }
    return byNode.values().stream().anyMatch(node -> at(node, roles).read());
  }

  /** Whether an entry on node {@code ancestor} applies to node {@code path}: the same node or one of its subtree. */
  static boolean covers(String ancestor, String path) {
    return ancestor.isEmpty() || path.equals(ancestor)
        || (path.length() > ancestor.length() && path.startsWith(ancestor) && path.charAt(ancestor.length()) == '/');
  }

  /** The rights given by the entries of one node: the last of the roles having entries there decides. */
  private static Rights at(List<AclEntity.Entry> node, List<String> roles) {
    for (int i = roles.size() - 1; i >= 0; i--) {
      String role = roles.get(i);
      boolean any = false;
      boolean read = false;
      boolean write = false;
      boolean deny = false;
      for (AclEntity.Entry e : node) {
        if (!e.role().equals(role)) continue;
        any = true;
        read |= e.action() == Action.ACTION_READ;
        write |= e.action() == Action.ACTION_WRITE;
        deny |= e.action() == Action.ACTION_DENY;
      }
      if (any) return deny ? Rights.NONE : new Rights(read, write);
    }
    return Rights.NONE;
  }
}
