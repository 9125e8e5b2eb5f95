package arca.rest.acl;

import arca.proto.acl.AclService;
import arca.proto.acl.NodeRights;
import arca.proto.acl.ResolveRequest;
import arca.proto.acl.ResolveResponse;
import arca.proto.acl.VisibleRequest;
import arca.rest.access.Permissions;
import arca.rest.access.Principal;
import arca.rest.access.Rights;
import arca.rest.access.WorkspaceVisibility;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What a caller may do on a node of a workspace, for the gateway's file faces (/a/nodes, /io, /dav): the acl
 * service's Resolve with the caller's roles in order plus their personal role {@code user:<login>} last; admins have
 * full rights without a call.
 *
 * <p>One Resolve of the workspace root answers for the whole workspace (the service adds the rights of every deeper
 * node where the roles have entries), and the answer is cached per (roles, workspace) for a few seconds: a listing
 * of 1000 entries, or a burst of requests of one user, costs one call. ACL changes therefore reach a gateway within
 * the cache's time to live. The cache is bounded; failed calls are not cached.
 */
public final class AclAccess implements Permissions {
  /** The personal role of one user: grants to it override the user's other roles. */
  public static final String USER_ROLE_PREFIX = "user:";
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);
  public static final int DEFAULT_MAX_ENTRIES = 10_000;

  private record Cached(CompletableFuture<ResolveResponse> rights, long expiresAt) {}

  private final AclService acls;
  private final long ttlNanos;
  private final int maxEntries;
  private final LongSupplier nanoTime;
  private final Map<List<String>, Cached> cache = new ConcurrentHashMap<>();

  public AclAccess(AclService acls) {
    this(acls, DEFAULT_TTL, DEFAULT_MAX_ENTRIES, System::nanoTime);
  }

  /** {@code nanoTime}: the clock of the cache (tests pass their own). */
  public AclAccess(AclService acls, Duration ttl, int maxEntries, LongSupplier nanoTime) {
    this.acls = acls;
    this.ttlNanos = ttl.toNanos();
    this.maxEntries = maxEntries;
    this.nanoTime = nanoTime;
  }

  /** The roles the acl service resolves for a caller: {@code everyone}, theirs in order, then {@code user:<login>}. */
  public static List<String> rolesOf(Principal caller) {
    List<String> roles = new ArrayList<>();
    roles.add(Principal.EVERYONE);
    roles.addAll(caller.roles());
    roles.add(USER_ROLE_PREFIX + caller.login());
    return List.copyOf(roles);
  }

  /**
   * The caller's rights on {@code path} ("" for the root; a valid relative path, as checked by
   * {@link arca.path.RelativePath}) of {@code workspace}. Fails as the service call fails (a gRPC status).
   */
  @Override
  public CompletionStage<Rights> rights(Principal caller, String workspace, String path) {
    if (caller.isAdmin()) return CompletableFuture.completedFuture(Rights.FULL);
    return workspaceRights(rolesOf(caller), workspace).thenApply(r -> at(r, path));
  }

  @Override
  public CompletionStage<Rights> subtreeRights(Principal caller, String workspace, String path) {
    if (caller.isAdmin()) return CompletableFuture.completedFuture(Rights.FULL);
    return workspaceRights(rolesOf(caller), workspace).thenApply(r -> within(r, path));
  }

  @Override
  public CompletionStage<WorkspaceRights> throughout(Principal caller, String workspace) {
    if (caller.isAdmin()) return CompletableFuture.completedFuture(WorkspaceRights.FULL);
    return workspaceRights(rolesOf(caller), workspace).thenApply(r -> new WorkspaceRights() {
      @Override public Rights at(String path) { return AclAccess.at(r, path); }
      @Override public boolean unreadableBelow(String path) { return !within(r, path).read(); }
    });
  }

  /** The rights on a node and every listed node below it, together (a right holds only where it holds everywhere). */
  static Rights within(ResolveResponse root, String path) {
    Rights at = at(root, path);
    boolean read = at.read();
    boolean write = at.write();
    for (NodeRights n : root.getBelowList()) {
      if (!n.getPath().equals(path) && (path.isEmpty() || covers(path, n.getPath()))) {
        read &= n.getRights().getRead();
        write &= n.getRights().getWrite();
      }
    }
    return new Rights(read, write);
  }

  @Override
  public CompletionStage<Set<String>> readable(Principal caller) {
    return acls.visible(VisibleRequest.newBuilder().addAllRoles(rolesOf(caller)).build())
        .thenApply(v -> Set.copyOf(v.getWorkspacesList()));
  }

  /**
   * The workspaces a caller may see in lists (those where they may read at least one node, and their personal one);
   * admins see all. Not cached: a workspace list is one call per request.
   */
  public WorkspaceVisibility visibility() {
    return caller -> caller.isAdmin() ? CompletableFuture.completedFuture(WorkspaceVisibility.Visible.ALL)
        : readable(caller).thenApply(slugs -> {
          Set<String> all = new HashSet<>(slugs);
          all.add(WorkspaceVisibility.PERSONAL);
          return WorkspaceVisibility.Visible.only(all);
        });
  }

  private static Rights rightsOf(arca.proto.acl.Rights r) {
    return new Rights(r.getRead(), r.getWrite());
  }

  /** The rights on a node from a Resolve of the root: the deepest listed node at or above it, else the root's. */
  static Rights at(ResolveResponse root, String path) {
    NodeRights deepest = null;
    for (NodeRights n : root.getBelowList()) {
      if (covers(n.getPath(), path) && (deepest == null || n.getPath().length() > deepest.getPath().length())) {
        deepest = n;
      }
    }
    return rightsOf(deepest == null ? root.getRights() : deepest.getRights());
  }

  private static boolean covers(String ancestor, String path) {
    return path.equals(ancestor)
        || (path.length() > ancestor.length() && path.startsWith(ancestor) && path.charAt(ancestor.length()) == '/');
  }

  /** A Resolve of the workspace root, shared by every caller with the same roles until it expires. */
  private CompletionStage<ResolveResponse> workspaceRights(List<String> roles, String workspace) {
    List<String> key = new ArrayList<>(roles.size() + 1);
    key.add(workspace);
    key.addAll(roles);
    List<String> k = List.copyOf(key);
    long now = nanoTime.getAsLong();
    Cached hit = cache.get(k);
    if (hit != null && now - hit.expiresAt() < 0) return hit.rights();
    if (cache.size() >= maxEntries) evict(now);
    Cached fresh = new Cached(new CompletableFuture<>(), now + ttlNanos);
    Cached current = cache.compute(k, (x, old) -> old != null && now - old.expiresAt() < 0 ? old : fresh);
    if (current == fresh) {
      acls.resolve(ResolveRequest.newBuilder().setWorkspace(workspace).addAllRoles(roles).build())
          .whenComplete((r, e) -> {
            if (e == null) {
              fresh.rights().complete(r);
            } else {
              cache.remove(k, fresh);
              fresh.rights().completeExceptionally(e);
            }
          });
    }
    return current.rights();
  }

  /** Drops the expired entries; when that is not enough, everything (the cache only saves calls). */
  private void evict(long now) {
    cache.values().removeIf(c -> now - c.expiresAt() >= 0);
    if (cache.size() >= maxEntries) cache.clear();
  }
}
