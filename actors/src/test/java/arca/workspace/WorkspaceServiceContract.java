package arca.workspace;

import arca.proto.workspace.CreateWorkspaceRequest;
import arca.proto.workspace.DeleteWorkspaceRequest;
import arca.proto.workspace.EnsureBuiltinsRequest;
import arca.proto.workspace.EnsureBuiltinsResponse;
import arca.proto.workspace.GetWorkspaceRequest;
import arca.proto.workspace.ListWorkspacesRequest;
import arca.proto.workspace.ListWorkspacesResponse;
import arca.proto.workspace.Scope;
import arca.proto.workspace.Slugs;
import arca.proto.workspace.UpdateWorkspaceRequest;
import arca.proto.workspace.Workspace;
import arca.proto.workspace.WorkspaceRoot;
import arca.testkit.NodeContract;
import arca.testkit.TestNode;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static arca.testkit.Calls.assertStatus;
import static arca.testkit.Calls.await;
import static arca.testkit.Calls.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The workspace service on real storage, through its generated gRPC client only. The same body runs on every
 * storage backend (one subclass each); the restart test replaces the node with a new one on the same database.
 */
abstract class WorkspaceServiceContract extends NodeContract {
  private static final Duration READ_MODEL_LAG = Duration.ofSeconds(10);

  private static WorkspaceRoot root(String datasource, String path) {
    return WorkspaceRoot.newBuilder().setDatasource(datasource).setPath(path).build();
  }

  private static CreateWorkspaceRequest request(String slug, String label) {
    return CreateWorkspaceRequest.newBuilder().setSlug(slug).setLabel(label).setDescription(label + " workspace")
        .setScope(Scope.SCOPE_ADMIN).setRoot(root("default", "shared/" + slug)).build();
  }

  private Workspace create(String slug, String label) {
    return await(node.workspaces.createWorkspace(request(slug, label)));
  }

  private Workspace get(String slug) {
    return await(node.workspaces.getWorkspace(GetWorkspaceRequest.newBuilder().setSlug(slug).build()));
  }

  private ListWorkspacesResponse list(ListWorkspacesRequest.Builder req) {
    return await(node.workspaces.listWorkspaces(req.build()));
  }

  private static List<String> slugs(ListWorkspacesResponse r) {
    return r.getWorkspacesList().stream().map(Workspace::getSlug).toList();
  }

  @Test
  void lifecycle() {
    Workspace created = create("projects", "Projects");
    assertEquals("projects", created.getSlug());
    assertEquals("Projects", created.getLabel());
    assertEquals("Projects workspace", created.getDescription());
    assertEquals(Scope.SCOPE_ADMIN, created.getScope());
    assertEquals(root("default", "shared/projects"), created.getRoot());
    assertFalse(created.getBuiltIn());
    assertEquals(1, created.getVersion());
    assertTrue(created.getCreatedAt() > 0);
    assertEquals(created, get("projects"));

    assertStatus(Status.Code.ALREADY_EXISTS, node.workspaces.createWorkspace(request("projects", "Again")));

    Workspace updated = await(node.workspaces.updateWorkspace(UpdateWorkspaceRequest.newBuilder().setSlug("projects")
        .setLabel("All projects").setRoot(root("archive", "2024/projects")).build()));
    assertEquals("All projects", updated.getLabel());
    assertEquals(created.getDescription(), updated.getDescription(), "fields left out are unchanged");
    assertEquals(root("archive", "2024/projects"), updated.getRoot());
    assertEquals(Scope.SCOPE_ADMIN, updated.getScope());
    assertEquals(2, updated.getVersion());
    assertEquals(updated, get("projects"));

    await(node.workspaces.deleteWorkspace(DeleteWorkspaceRequest.newBuilder().setSlug("projects").build()));
    assertStatus(Status.Code.NOT_FOUND, node.workspaces.getWorkspace(GetWorkspaceRequest.newBuilder().setSlug("projects").build()));
    assertStatus(Status.Code.NOT_FOUND, node.workspaces.deleteWorkspace(DeleteWorkspaceRequest.newBuilder().setSlug("projects").build()));
    assertStatus(Status.Code.NOT_FOUND, node.workspaces.updateWorkspace(UpdateWorkspaceRequest.newBuilder()
        .setSlug("projects").setLabel("x").build()));
  }

  @Test
  void labelDefaultsToTheSlug() {
    Workspace w = await(node.workspaces.createWorkspace(request("unlabelled", "").toBuilder().setLabel("").build()));
    assertEquals("unlabelled", w.getLabel());
  }

  @Test
  void ensureBuiltinsCreatesCommonAndPersonalOnceAndTheyCannotBeDeleted() {
    EnsureBuiltinsResponse first = await(node.workspaces.ensureBuiltins(EnsureBuiltinsRequest.getDefaultInstance()));
    assertEquals(List.of("common", "personal"), first.getWorkspacesList().stream().map(Workspace::getSlug).toList());
    Workspace common = first.getWorkspaces(0);
    assertEquals("Common Files", common.getLabel());
    assertEquals(Scope.SCOPE_ADMIN, common.getScope());
    assertEquals(root("default", "common"), common.getRoot());
    assertTrue(common.getBuiltIn());
    Workspace personal = first.getWorkspaces(1);
    assertEquals("My Files", personal.getLabel());
    assertEquals(Scope.SCOPE_PERSONAL, personal.getScope());
    assertEquals(root("default", "personal/{login}"), personal.getRoot());
    assertTrue(personal.getBuiltIn());

    Workspace relabelled = await(node.workspaces.updateWorkspace(UpdateWorkspaceRequest.newBuilder().setSlug("common")
        .setLabel("Shared").build()));
    EnsureBuiltinsResponse second = await(node.workspaces.ensureBuiltins(EnsureBuiltinsRequest.getDefaultInstance()));
    assertEquals(List.of(relabelled, personal), second.getWorkspacesList(), "existing built-ins are left unchanged");

    for (String slug : List.of("common", "personal")) {
      assertStatus(Status.Code.FAILED_PRECONDITION,
          node.workspaces.deleteWorkspace(DeleteWorkspaceRequest.newBuilder().setSlug(slug).build()));
      assertStatus(Status.Code.ALREADY_EXISTS, node.workspaces.createWorkspace(request(slug, "Mine")));
      assertTrue(get(slug).getBuiltIn());
    }
    assertStatus(Status.Code.INVALID_ARGUMENT, node.workspaces.updateWorkspace(UpdateWorkspaceRequest.newBuilder()
        .setSlug("personal").setRoot(root("default", "everyone")).build()));
    assertEquals(personal.getRoot(), get("personal").getRoot(), "a personal root keeps its {login}");
  }

  @Test
  void invalidWorkspacesAreRefused() {
    var valid = request("valid-ws", "Valid");
    for (CreateWorkspaceRequest bad : List.of(
        valid.toBuilder().setSlug("Bad Slug").build(),
        valid.toBuilder().setSlug("").build(),
        valid.toBuilder().setSlug("under_score").build(),
        valid.toBuilder().setLabel("x".repeat(300)).build(),
        valid.toBuilder().setDescription("line\nbreak").build(),
        valid.toBuilder().setScope(Scope.SCOPE_UNSPECIFIED).build(),
        valid.toBuilder().clearRoot().build(),
        valid.toBuilder().setRoot(root("default", "../etc")).build(),
        valid.toBuilder().setRoot(root("default", "/abs")).build(),
        valid.toBuilder().setRoot(root("default", "a//b")).build(),
        valid.toBuilder().setRoot(root("default", "a\u0000b")).build(),
        valid.toBuilder().setRoot(root("default", "x".repeat(1025))).build(),
        valid.toBuilder().setRoot(root("", "a")).build(),
        valid.toBuilder().setScope(Scope.SCOPE_PERSONAL).setRoot(root("default", "shared")).build())) {
      assertStatus(Status.Code.INVALID_ARGUMENT, node.workspaces.createWorkspace(bad));
    }
    assertStatus(Status.Code.NOT_FOUND, node.workspaces.getWorkspace(GetWorkspaceRequest.newBuilder().setSlug("valid-ws").build()));
    create("valid-ws", "Valid");
    assertStatus(Status.Code.INVALID_ARGUMENT, node.workspaces.updateWorkspace(UpdateWorkspaceRequest.newBuilder()
        .setSlug("valid-ws").setLabel("  ").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.workspaces.updateWorkspace(UpdateWorkspaceRequest.newBuilder()
        .setSlug("valid-ws").setRoot(root("default", "a/../../b")).build()));
    assertEquals(1, get("valid-ws").getVersion(), "nothing refused was stored");
  }

  @Test
  void listWorkspacesFromTheReadModel() {
    create("lw-c", "Listed Gamma");
    create("lw-a", "Listed Alpha");
    await(node.workspaces.createWorkspace(CreateWorkspaceRequest.newBuilder().setSlug("lw-b").setLabel("Listed Beta")
        .setScope(Scope.SCOPE_PERSONAL).setRoot(root("homes", "{login}")).build()));
    await(node.workspaces.updateWorkspace(UpdateWorkspaceRequest.newBuilder().setSlug("lw-a").setLabel("Listed Älpha 😀")
        .build()));
    ListWorkspacesResponse all = eventually(READ_MODEL_LAG,
        () -> list(ListWorkspacesRequest.newBuilder().setFilter("lw-")),
        r -> r.getTotal() == 3 && r.getWorkspaces(0).getVersion() == 2, "3 listed workspaces in the read model");
    assertEquals(List.of("lw-a", "lw-b", "lw-c"), slugs(all), "ordered by slug");
    for (Workspace w : all.getWorkspacesList()) assertEquals(get(w.getSlug()), w, "the row equals the entity's view");

    ListWorkspacesResponse page = list(ListWorkspacesRequest.newBuilder().setFilter("lw-").setOffset(1).setLimit(1));
    assertEquals(List.of("lw-b"), slugs(page));
    assertEquals(3, page.getTotal(), "total counts all matches, not the page");

    assertEquals(List.of("lw-a"), slugs(list(ListWorkspacesRequest.newBuilder().setFilter("älpha 😀"))),
        "filter matches labels, case-insensitively");
    assertEquals(List.of("lw-b"), slugs(list(ListWorkspacesRequest.newBuilder().setFilter("lw-")
        .setScope(Scope.SCOPE_PERSONAL))));
    assertEquals(List.of("lw-a", "lw-c"), slugs(list(ListWorkspacesRequest.newBuilder().setFilter("lw-")
        .setScope(Scope.SCOPE_ADMIN))));
    ListWorkspacesResponse only = list(ListWorkspacesRequest.newBuilder()
        .setOnly(Slugs.newBuilder().addSlugs("lw-c").addSlugs("lw-a").addSlugs("no-such")));
    assertEquals(List.of("lw-a", "lw-c"), slugs(only));
    assertEquals(2, only.getTotal());
    assertEquals(0, list(ListWorkspacesRequest.newBuilder().setOnly(Slugs.getDefaultInstance())).getTotal(),
        "an empty set of slugs matches none");
    assertEquals(0, list(ListWorkspacesRequest.newBuilder().setFilter("lw_")).getTotal(), "LIKE wildcards are literal");
    assertStatus(Status.Code.INVALID_ARGUMENT, node.workspaces.listWorkspaces(ListWorkspacesRequest.newBuilder().setLimit(1001).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.workspaces.listWorkspaces(ListWorkspacesRequest.newBuilder().setOffset(-1).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.workspaces.listWorkspaces(ListWorkspacesRequest.newBuilder().setScopeValue(7).build()));

    await(node.workspaces.updateWorkspace(UpdateWorkspaceRequest.newBuilder().setSlug("lw-c")
        .setRoot(root("archive", "gamma")).build()));
    await(node.workspaces.deleteWorkspace(DeleteWorkspaceRequest.newBuilder().setSlug("lw-b").build()));
    ListWorkspacesResponse after = eventually(READ_MODEL_LAG,
        () -> list(ListWorkspacesRequest.newBuilder().setFilter("lw-")),
        r -> r.getTotal() == 2 && r.getWorkspaces(1).getRoot().getDatasource().equals("archive"),
        "update and delete in the read model");
    assertEquals(List.of("lw-a", "lw-c"), slugs(after));
    assertEquals(get("lw-c"), after.getWorkspaces(1));
  }

  @Test
  void theServiceHasItsOwnPrefixedTables() throws Exception {
    List<String> tables = new ArrayList<>();
    try (Connection c = node.storage("workspace").dataSource().getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SHOW TABLES")) {
      while (rs.next()) tables.add(rs.getString(1).toLowerCase(Locale.ROOT));
    }
    for (String t : List.of("workspace_event_journal", "workspace_event_tag", "workspace_snapshot",
        "workspace_projection_offset", "workspace_workspaces")) {
      assertTrue(tables.contains(t), t + " missing from " + tables);
    }
  }

  @Test
  void workspacesSurviveARestartOnTheSameStorage() {
    Workspace kept = create("survivor", "Survivor");
    await(node.workspaces.ensureBuiltins(EnsureBuiltinsRequest.getDefaultInstance()));
    Workspace personal = get("personal");

    node.close();
    node = TestNode.start(dataDir, database);

    assertEquals(kept, get("survivor"));
    assertEquals(personal, get("personal"));
    assertStatus(Status.Code.FAILED_PRECONDITION,
        node.workspaces.deleteWorkspace(DeleteWorkspaceRequest.newBuilder().setSlug("personal").build()));
    eventually(READ_MODEL_LAG, () -> list(ListWorkspacesRequest.newBuilder().setFilter("survivor")),
        r -> r.getTotal() == 1, "read model after restart");
  }
}
