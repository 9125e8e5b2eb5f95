package arca.rest.files;

import akka.grpc.GrpcServiceException;
import akka.http.javadsl.model.StatusCodes;
import arca.path.RelativePath;
import arca.proto.tree.CreateFolderRequest;
import arca.proto.tree.TreeService;
import arca.proto.workspace.GetWorkspaceRequest;
import arca.proto.workspace.ListWorkspacesRequest;
import arca.proto.workspace.Workspace;
import arca.proto.workspace.WorkspaceService;
import arca.rest.ClientPaths;
import arca.rest.RequestIds;
import arca.rest.ApiError;
import arca.rest.access.Principal;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import arca.rest.gate.PolicyCheck;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import arca.rest.access.Permissions;
import arca.rest.access.WorkspaceVisibility;
import java.util.stream.Stream;

/**
 * Resolves what a caller addresses, (workspace slug, path relative to the workspace root), to a {@link Location}
 * in a datasource, for every byte-serving face of the gateway (/io now, /a/nodes later). It validates the path
 * ({@link RelativePath}), applies the caller's rights ({@link Permissions}: the ACLs), replaces {@code {login}} in the workspace
 * root, and creates a personal root folder the first time it is used. A workspace the caller may not use is
 * answered exactly like a missing one (404), so that its existence does not leak.
 *
 * <p>The datasource-root folder {@value #UPLOADS} holds the staging state of multipart uploads: no path may reach
 * it, and listings of a datasource root leave it out ({@link #hidden}).
 */
public final class FileAccess {
  /** A workspace root path's placeholder for the caller's login. */
  public static final String LOGIN = "{login}";
  /** The hidden folder at each datasource root where multipart uploads keep their parts. */
  public static final String UPLOADS = ".uploads";
  /** The built-in personal workspace: every user's own root, never subject to ACLs. */
  public static final String PERSONAL = WorkspaceVisibility.PERSONAL;

  private static final int KNOWN_ROOTS_MAX = 10_000;
  private static final int WORKSPACE_PAGE = 1000;

  private final WorkspaceService workspaces;
  private final TreeService tree;
  private final Permissions permissions;
  private final PolicyCheck policies;
  /** Personal roots ("datasource/path") known to exist, so that only their first use costs a CreateFolder. */
  private final Set<String> knownRoots = ConcurrentHashMap.newKeySet();

  public FileAccess(WorkspaceService workspaces, TreeService tree, Permissions permissions, PolicyCheck policies) {
    this.workspaces = workspaces;
    this.tree = tree;
    this.permissions = permissions;
    this.policies = policies;
  }

  /** Whether a child of a listed folder is hidden from every client (the multipart staging folder at a root). */
  public static boolean hidden(String folderPath, String childName) {
    return folderPath.isEmpty() && childName.equals(UPLOADS);
  }

  /**
   * Where {@code path} of {@code workspace} lives for {@code caller}, to read it. Fails with an {@link ApiError}: 400
   * ({@link RelativePath#INVALID_PATH}) for a malformed or reserved path, 404 for a workspace that is missing or
   * not the caller's to use, 403 when a policy denies reading it ({@link NodePolicies}); service failures as they come.
   */
  public CompletionStage<Location> resolve(Principal caller, String workspace, String path) {
    return resolve(caller, workspace, path, EnumSet.of(NodeAction.READ), false);
  }

  /** As {@link #resolve}, to create or change the node: the caller needs write access there (403 if they may only read). */
  public CompletionStage<Location> resolveForWrite(Principal caller, String workspace, String path) {
    return resolve(caller, workspace, path, EnumSet.of(NodeAction.WRITE), false);
  }

  /** As {@link #resolve}, to remove the node: write access, and no policy denying its removal. */
  public CompletionStage<Location> resolveForRemoval(Principal caller, String workspace, String path) {
    return resolve(caller, workspace, path, EnumSet.of(NodeAction.REMOVE), false);
  }

  /**
   * As {@link #resolve}, for the node actions an operation does on the whole subtree at {@code path} (a folder's
   * copy reads, its move or delete removes, a move's or copy's destination is written, everything below included):
   * 403 when an ACL keeps a deeper node from the caller or a policy denies the action on what may lie below.
   */
  public CompletionStage<Location> resolveSubtree(Principal caller, String workspace, String path, NodeAction... actions) {
    return resolve(caller, workspace, path, EnumSet.copyOf(List.of(actions)), true);
  }

  private CompletionStage<Location> resolve(Principal caller, String workspace, String path, Set<NodeAction> actions,
                                            boolean subtree) {
    boolean write = actions.contains(NodeAction.WRITE) || actions.contains(NodeAction.REMOVE);
    List<String> segments;
    try {
      segments = ClientPaths.segments(path);
    } catch (ApiError e) {
      return CompletableFuture.failedFuture(e);
    }
    String relative = String.join("/", segments);
    return workspaces.getWorkspace(GetWorkspaceRequest.newBuilder().setSlug(workspace).build())
        .exceptionally(e -> {
          Status.Code code = code(e);
          if (code == Status.Code.NOT_FOUND || code == Status.Code.INVALID_ARGUMENT) throw noWorkspace(workspace);
          throw e instanceof CompletionException c ? c : new CompletionException(e);
        })
        .thenCompose(w -> {
          String root = w.getRoot().getPath();
          boolean personal = root.contains(LOGIN);
          String resolvedRoot = root.replace(LOGIN, caller.home());
          // the NFC spelling the checks below use, not the one sent
          String full = resolvedRoot.isEmpty() ? relative : relative.isEmpty() ? resolvedRoot : resolvedRoot + "/" + relative;
          if (full.equals(UPLOADS) || full.startsWith(UPLOADS + "/")) {
            throw new ApiError(StatusCodes.BAD_REQUEST, RelativePath.INVALID_PATH, "'" + UPLOADS + "' is reserved");
          }
          Location location = new Location(w.getRoot().getDatasource(), full, workspace);
          CompletionStage<Location> allowed = personal
              ? ensureRoot(location.datasource(), resolvedRoot).thenApply(x -> location)
              : aclAllows(caller, workspace, path, relative, write, subtree).thenApply(x -> location);
          return allowed.thenCompose(l -> policies.denials(caller).thenApply(d -> {
            for (NodeAction a : actions) NodePolicies.check(d, a, workspace, relative, subtree);
            return l;
          }));
        });
  }

  /** The ACLs on a node of a shared workspace (and below it, for a subtree). */
  private CompletionStage<Void> aclAllows(Principal caller, String workspace, String path, String relative, boolean write,
                                          boolean subtree) {
    return permissions.rights(caller, workspace, relative).thenCompose(r -> {
      // nothing readable here: answered like a missing workspace or node, so that existence does not leak
      if (!r.read() && !r.write()) throw noWorkspace(workspace);
      if (write && !r.write()) throw ApiError.forbidden("you may read but not change '" + RelativePath.printable(workspace + "/" + path) + "'");
      if (!write && !r.read()) throw ApiError.forbidden("you may not read '" + RelativePath.printable(workspace + "/" + path) + "'");
      if (!subtree) return CompletableFuture.<Void>completedFuture(null);
      return permissions.subtreeRights(caller, workspace, relative).thenAccept(below -> {
        if (write ? !below.write() : !below.read()) {
          throw ApiError.forbidden("a folder below '" + RelativePath.printable(workspace + "/" + path)
              + "' is not yours to " + (write ? "change" : "read"));
        }
      });
    });
  }

  /**
   * What a listing of {@code workspace} may show the caller: the nodes they may read by the ACLs (a personal
   * workspace: all) and that no policy denies them reading ({@link NodePolicies}). A listing leaves out the others,
   * at every depth and on every face.
   */
  public CompletionStage<Visibility> visibility(Principal caller, String workspace) {
    CompletionStage<Permissions.WorkspaceRights> rights = workspace.equals(PERSONAL)
        ? CompletableFuture.completedFuture(Permissions.WorkspaceRights.FULL) : permissions.throughout(caller, workspace);
    return rights.thenCombine(policies.denials(caller), (r, d) -> new Visibility() {
      @Override
      public boolean visible(String path) {
        String nfc = RelativePath.nfc(path); // names stored by older builds may be in another form
        return r.at(nfc).read() && !NodePolicies.hidden(d, workspace, nfc);
      }

      @Override
      public boolean mayHideBelow(String folder) {
        String nfc = RelativePath.nfc(folder);
        return r.unreadableBelow(nfc) || NodePolicies.mayHideBelow(d, workspace, nfc);
      }
    });
  }

  /** Which nodes of one workspace a listing shows. Paths are workspace-relative ("" the root). */
  public interface Visibility {
    boolean visible(String path);

    /** Whether something below {@code folder} may be hidden (when not, a listing passes through unfiltered). */
    boolean mayHideBelow(String folder);
  }

  /**
   * The workspaces the caller may use, in slug order (for the top level of a listing), but those whose root a
   * policy denies them reading.
   */
  public CompletionStage<List<String>> visibleWorkspaces(Principal caller) {
    CompletionStage<List<String>> all = !caller.isAdmin()
        ? permissions.readable(caller).thenApply(slugs -> Stream.concat(slugs.stream(), Stream.of(PERSONAL))
            .distinct().sorted().toList())
        : allWorkspaces(0, new ArrayList<>());
    return all.thenCombine(policies.denials(caller), (slugs, d) -> slugs.stream().filter(ws -> !NodePolicies.hidden(d, ws, "")).toList());
  }

  private CompletionStage<List<String>> allWorkspaces(int offset, List<String> into) {
    return workspaces.listWorkspaces(ListWorkspacesRequest.newBuilder().setOffset(offset).setLimit(WORKSPACE_PAGE).build())
        .thenCompose(page -> {
          page.getWorkspacesList().stream().map(Workspace::getSlug).forEach(into::add);
          int next = offset + page.getWorkspacesCount();
          if (page.getWorkspacesCount() == 0 || next >= page.getTotal()) {
            return CompletableFuture.completedFuture(into.stream().sorted().distinct().toList());
          }
          return allWorkspaces(next, into);
        });
  }

  /**
   * The root of a workspace the caller manages (may see and remove the locks anyone took there; only those at or below
   * this root): admins every workspace, a user the workspaces whose root is their own ({@value #LOGIN} roots, such as
   * {@value #PERSONAL}); empty for anyone else. Fails like {@link #resolve} (404) for a workspace the caller cannot use.
   */
  public CompletionStage<Optional<Location>> managedRoot(Principal caller, String workspace) {
    return resolve(caller, workspace, "").thenCompose(root -> caller.isAdmin()
        ? CompletableFuture.completedFuture(Optional.of(root))
        : workspaces.getWorkspace(GetWorkspaceRequest.newBuilder().setSlug(workspace).build())
            .thenApply(w -> w.getRoot().getPath().contains(LOGIN) ? Optional.of(root) : Optional.<Location>empty()));
  }

  /** Whether {@code path} (from a datasource root) is {@code root} or below it. */
  public static boolean within(String root, String path) {
    return root.isEmpty() || path.equals(root) || path.startsWith(root + "/");
  }

  private CompletionStage<Void> ensureRoot(String datasource, String root) {
    String key = datasource + "/" + root;
    if (knownRoots.contains(key)) return CompletableFuture.completedFuture(null);
    return tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(datasource).setPath(root)
            .setRequestId(RequestIds.fresh()).build())
        .thenAccept(node -> {
          if (knownRoots.size() >= KNOWN_ROOTS_MAX) knownRoots.clear();
          knownRoots.add(key);
        });
  }

  private static ApiError noWorkspace(String workspace) {
    return ApiError.notFound("no workspace '" + RelativePath.printable(workspace) + "'");
  }

  private static Status.Code code(Throwable e) {
    Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (t instanceof StatusRuntimeException s) return s.getStatus().getCode();
    if (t instanceof GrpcServiceException g) return g.getStatus().getCode();
    return Status.Code.UNKNOWN;
  }
}
