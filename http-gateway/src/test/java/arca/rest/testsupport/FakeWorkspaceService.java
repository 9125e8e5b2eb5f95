package arca.rest.testsupport;

import arca.proto.workspace.CreateWorkspaceRequest;
import arca.proto.workspace.DeleteWorkspaceRequest;
import arca.proto.workspace.DeleteWorkspaceResponse;
import arca.proto.workspace.EnsureBuiltinsRequest;
import arca.proto.workspace.EnsureBuiltinsResponse;
import arca.proto.workspace.GetWorkspaceRequest;
import arca.proto.workspace.ListWorkspacesRequest;
import arca.proto.workspace.ListWorkspacesResponse;
import arca.proto.workspace.Scope;
import arca.proto.workspace.UpdateWorkspaceRequest;
import arca.proto.workspace.Workspace;
import arca.proto.workspace.WorkspaceRoot;
import arca.proto.workspace.WorkspaceService;
import io.grpc.Status;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * In-memory workspace service with the real one's contract: INVALID_ARGUMENT for a malformed slug, a missing scope
 * or root, or a root path with "..", a leading '/' or an empty segment; NOT_FOUND; ALREADY_EXISTS (the built-in slugs
 * included); FAILED_PRECONDITION when deleting a built-in. Starts with the built-ins "common" and "personal".
 */
public final class FakeWorkspaceService implements WorkspaceService {
  static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  static final List<Workspace> BUILT_INS = List.of(
      Workspace.newBuilder().setSlug("common").setLabel("Common Files").setScope(Scope.SCOPE_ADMIN)
          .setRoot(root("default", "common")).setBuiltIn(true).build(),
      Workspace.newBuilder().setSlug("personal").setLabel("My Files").setScope(Scope.SCOPE_PERSONAL)
          .setRoot(root("default", "personal/{login}")).setBuiltIn(true).build());

  private final Map<String, Workspace> workspaces = new ConcurrentHashMap<>();
  /** The last list request, to see what the routes asked for. */
  public volatile ListWorkspacesRequest lastList;
  /** When set, every call fails with this status (a service that is down). */
  public volatile Status down;

  public FakeWorkspaceService() {
    BUILT_INS.forEach(this::put);
  }

  public static WorkspaceRoot root(String datasource, String path) {
    return WorkspaceRoot.newBuilder().setDatasource(datasource).setPath(path).build();
  }

  /** Stores a workspace as version 1, created now. */
  public void put(Workspace w) {
    long now = System.currentTimeMillis();
    workspaces.put(w.getSlug(), w.toBuilder().setCreatedAt(now).setUpdatedAt(now).setVersion(1).build());
  }

  public Workspace stored(String slug) {
    return workspaces.get(slug);
  }

  private Status check(String slug) {
    if (down != null) return down;
    if (!SLUG.matcher(slug).matches()) return Status.INVALID_ARGUMENT.withDescription("invalid workspace slug '" + slug + "'");
    return null;
  }

  private static Status checkRoot(WorkspaceRoot r) {
    String path = r.getPath();
    if (r.getDatasource().isEmpty() || path.startsWith("/") || path.contains("//") || path.endsWith("/")
        || List.of(path.split("/")).contains("..")) {
      return Status.INVALID_ARGUMENT.withDescription("invalid root path '" + path + "'");
    }
    return null;
  }

  private static Status notFound(String slug) {
    return Status.NOT_FOUND.withDescription("no workspace '" + slug + "'");
  }

  @Override
  public CompletionStage<Workspace> createWorkspace(CreateWorkspaceRequest in) {
    Status bad = check(in.getSlug());
    if (bad == null && (in.getScope() == Scope.SCOPE_UNSPECIFIED || !in.hasRoot())) {
      bad = Status.INVALID_ARGUMENT.withDescription("scope and root are required");
    }
    if (bad == null) bad = checkRoot(in.getRoot());
    if (bad != null) return Failures.failed(bad);
    long now = System.currentTimeMillis();
    Workspace w = Workspace.newBuilder().setSlug(in.getSlug()).setLabel(in.getLabel().isEmpty() ? in.getSlug() : in.getLabel())
        .setDescription(in.getDescription()).setScope(in.getScope()).setRoot(in.getRoot()).setCreatedAt(now)
        .setUpdatedAt(now).setVersion(1).build();
    if (workspaces.putIfAbsent(in.getSlug(), w) != null) {
      return Failures.failed(Status.ALREADY_EXISTS.withDescription("workspace '" + in.getSlug() + "' already exists"));
    }
    return Failures.async(w);
  }

  @Override
  public CompletionStage<Workspace> getWorkspace(GetWorkspaceRequest in) {
    Status bad = check(in.getSlug());
    if (bad != null) return Failures.failed(bad);
    Workspace w = workspaces.get(in.getSlug());
    return w == null ? Failures.failed(notFound(in.getSlug())) : Failures.async(w);
  }

  @Override
  public CompletionStage<Workspace> updateWorkspace(UpdateWorkspaceRequest in) {
    Status bad = check(in.getSlug());
    if (bad == null && in.hasRoot()) bad = checkRoot(in.getRoot());
    if (bad != null) return Failures.failed(bad);
    Workspace w = workspaces.computeIfPresent(in.getSlug(), (slug, old) -> {
      Workspace.Builder b = old.toBuilder().setUpdatedAt(System.currentTimeMillis()).setVersion(old.getVersion() + 1);
      if (in.hasLabel()) b.setLabel(in.getLabel());
      if (in.hasDescription()) b.setDescription(in.getDescription());
      if (in.hasRoot()) b.setRoot(in.getRoot());
      return b.build();
    });
    return w == null ? Failures.failed(notFound(in.getSlug())) : Failures.async(w);
  }

  @Override
  public CompletionStage<DeleteWorkspaceResponse> deleteWorkspace(DeleteWorkspaceRequest in) {
    Status bad = check(in.getSlug());
    if (bad != null) return Failures.failed(bad);
    Workspace w = workspaces.get(in.getSlug());
    if (w == null) return Failures.failed(notFound(in.getSlug()));
    if (w.getBuiltIn()) {
      return Failures.failed(Status.FAILED_PRECONDITION.withDescription("workspace '" + in.getSlug()
          + "' is built in and cannot be deleted"));
    }
    workspaces.remove(in.getSlug());
    return Failures.async(DeleteWorkspaceResponse.getDefaultInstance());
  }

  @Override
  public CompletionStage<ListWorkspacesResponse> listWorkspaces(ListWorkspacesRequest in) {
    lastList = in;
    if (down != null) return Failures.failed(down);
    String f = in.getFilter().toLowerCase(Locale.ROOT);
    List<Workspace> matching = workspaces.values().stream()
        .filter(w -> f.isEmpty() || w.getSlug().contains(f) || w.getLabel().toLowerCase(Locale.ROOT).contains(f))
        .filter(w -> in.getScope() == Scope.SCOPE_UNSPECIFIED || w.getScope() == in.getScope())
        .filter(w -> !in.hasOnly() || in.getOnly().getSlugsList().contains(w.getSlug()))
        .sorted(Comparator.comparing(Workspace::getSlug)).toList();
    List<Workspace> page = matching.stream().skip(in.getOffset()).limit(in.getLimit()).toList();
    return Failures.async(ListWorkspacesResponse.newBuilder().addAllWorkspaces(page).setTotal(matching.size()).build());
  }

  @Override
  public CompletionStage<EnsureBuiltinsResponse> ensureBuiltins(EnsureBuiltinsRequest in) {
    if (down != null) return Failures.failed(down);
    BUILT_INS.forEach(b -> workspaces.computeIfAbsent(b.getSlug(), slug -> b));
    return Failures.async(EnsureBuiltinsResponse.newBuilder()
        .addAllWorkspaces(BUILT_INS.stream().map(b -> workspaces.get(b.getSlug())).toList()).build());
  }
}
