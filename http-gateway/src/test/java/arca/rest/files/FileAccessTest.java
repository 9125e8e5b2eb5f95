package arca.rest.files;

import arca.path.RelativePath;
import arca.proto.tree.NodeType;
import arca.proto.tree.StatRequest;
import arca.proto.workspace.Scope;
import arca.proto.workspace.Workspace;
import arca.rest.ApiError;
import arca.rest.access.Principal;
import arca.rest.gate.PolicyAccess;
import arca.rest.testsupport.FakePolicyService;
import arca.rest.testsupport.FakeTreeService;
import arca.rest.testsupport.FakeWorkspaceService;
import arca.rest.testsupport.OpenPermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Resolution of (caller, workspace, path) to a datasource location, the interim access rule, path validation. */
class FileAccessTest {
  final FakeWorkspaceService workspaces = new FakeWorkspaceService();
  final FakeTreeService tree = new FakeTreeService();
  final FileAccess access = new FileAccess(workspaces, tree, new OpenPermissions(),
      new PolicyAccess(new FakePolicyService()));
  static final Principal ALICE = new Principal("alice", List.of(), "s", "t", Long.MAX_VALUE);
  static final Principal ROOT = new Principal("root", List.of("admin"), "s", "t", Long.MAX_VALUE);

  FileAccessTest() {
    workspaces.put(Workspace.newBuilder().setSlug("projects").setScope(Scope.SCOPE_ADMIN)
        .setRoot(FakeWorkspaceService.root("default", "projects")).build());
    workspaces.put(Workspace.newBuilder().setSlug("whole").setScope(Scope.SCOPE_ADMIN)
        .setRoot(FakeWorkspaceService.root("other", "")).build());
  }

  Location resolve(Principal p, String ws, String path) {
    return access.resolve(p, ws, path).toCompletableFuture().join();
  }

  ApiError refusal(Principal p, String ws, String path) {
    CompletionException e = assertThrows(CompletionException.class, () -> resolve(p, ws, path));
    return assertInstanceOf(ApiError.class, e.getCause());
  }

  @Test
  void commonAndPersonalForUsersEverythingForAdmins() {
    assertEquals(new Location("default", "common/a/b.txt", "common"), resolve(ALICE, "common", "a/b.txt"));
    assertEquals(new Location("default", "projects/x", "projects"), resolve(ROOT, "projects", "x"));
    assertEquals(new Location("other", "x", "whole"), resolve(ROOT, "whole", "x"));
    assertEquals(new Location("default", "common", "common"), resolve(ALICE, "common", ""));
    ApiError hidden = refusal(ALICE, "projects", "x");
    assertEquals(404, hidden.status.intValue());
    assertEquals(hidden.getMessage(), refusal(ALICE, "missing", "x").getMessage().replace("missing", "projects"),
        "a workspace the caller may not use is answered like a missing one");
    assertEquals(404, refusal(ROOT, "missing", "x").status.intValue());
    assertEquals(404, refusal(ROOT, "Not A Slug", "x").status.intValue());
  }

  @Test
  void personalResolvesToTheCallersRootAndCreatesIt() {
    assertEquals(new Location("default", "personal/alice/notes.txt", "personal"), resolve(ALICE, "personal", "notes.txt"));
    assertEquals(NodeType.FOLDER, tree.stat(StatRequest.newBuilder().setDatasource("default").setPath("personal/alice").build())
        .toCompletableFuture().join().getType());
    assertEquals(new Location("default", "personal/root", "personal"), resolve(ROOT, "personal", ""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "a/../b", "./a", "a//b", "/a", "a/", "a\u0000b", "tab\there", "del\u007f",
      "\ud800x"})
  void malformedPathsAre400(String path) {
    ApiError e = refusal(ROOT, "common", path);
    assertEquals(400, e.status.intValue());
    assertEquals(RelativePath.INVALID_PATH, e.code);
  }

  @Test
  void limits() {
    assertEquals(400, refusal(ROOT, "common", "n".repeat(256)).status.intValue());
    assertEquals("common/" + "n".repeat(255), resolve(ROOT, "common", "n".repeat(255)).path());
    assertEquals(400, refusal(ROOT, "common", "é".repeat(128)).status.intValue(), "255 bytes, not characters");
    assertEquals(400, refusal(ROOT, "common", "d/".repeat(64) + "x").status.intValue());
  }

  @Test
  void theUploadsFolderIsReservedAndHidden() {
    ApiError e = refusal(ROOT, "whole", ".uploads/abc");
    assertEquals(RelativePath.INVALID_PATH, e.code);
    assertEquals(400, refusal(ROOT, "whole", ".uploads").status.intValue());
    assertEquals("common/.uploads", resolve(ROOT, "common", ".uploads").path(), "reserved at a datasource root only");
    assertTrue(FileAccess.hidden("", ".uploads"));
    assertFalse(FileAccess.hidden("common", ".uploads"));
  }

  @Test
  void visibleWorkspaces() {
    assertEquals(List.of("common", "personal"), access.visibleWorkspaces(ALICE).toCompletableFuture().join());
    assertEquals(List.of("common", "personal", "projects", "whole"), access.visibleWorkspaces(ROOT).toCompletableFuture().join());
  }
}
