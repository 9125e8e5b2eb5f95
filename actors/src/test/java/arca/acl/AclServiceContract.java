package arca.acl;

import arca.proto.acl.Acl;
import arca.proto.acl.Action;
import arca.proto.acl.GrantRequest;
import arca.proto.acl.GrantResponse;
import arca.proto.acl.ListAclsRequest;
import arca.proto.acl.ListAclsResponse;
import arca.proto.acl.NodeRights;
import arca.proto.acl.ResolveRequest;
import arca.proto.acl.ResolveResponse;
import arca.proto.acl.RevokeRequest;
import arca.proto.acl.Rights;
import arca.proto.acl.VisibleRequest;
import arca.testkit.NodeContract;
import arca.testkit.TestNode;
import io.grpc.Status;
import java.util.Collections;
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
 * The acl service on real storage, through its generated gRPC client only. The same body runs on every storage
 * backend (one subclass each); the restart test replaces the node with a new one on the same database.
 */
abstract class AclServiceContract extends NodeContract {
  private static final Duration READ_MODEL_LAG = Duration.ofSeconds(10);
  private static final Rights NONE = Rights.getDefaultInstance();
  private static final Rights READ = Rights.newBuilder().setRead(true).build();
  private static final Rights READ_WRITE = Rights.newBuilder().setRead(true).setWrite(true).build();

  private GrantResponse grant(String workspace, String path, String role, Action action) {
    return await(node.acls.grant(GrantRequest.newBuilder().setWorkspace(workspace).setPath(path).setRole(role)
        .setAction(action).build()));
  }

  private boolean revoke(String workspace, String path, String role, Action action) {
    return await(node.acls.revoke(RevokeRequest.newBuilder().setWorkspace(workspace).setPath(path).setRole(role)
        .setAction(action).build())).getRemoved();
  }

  private ResolveResponse resolve(String workspace, String path, String... roles) {
    return await(node.acls.resolve(ResolveRequest.newBuilder().setWorkspace(workspace).setPath(path)
        .addAllRoles(List.of(roles)).build()));
  }

  private ListAclsResponse list(ListAclsRequest.Builder req) {
    return await(node.acls.listAcls(req.build()));
  }

  private List<String> visible(String... roles) {
    return await(node.acls.visible(VisibleRequest.newBuilder().addAllRoles(List.of(roles)).build())).getWorkspacesList();
  }

  private static String key(Acl a) {
    return a.getWorkspace() + ":" + a.getPath() + ":" + a.getRole() + ":" + a.getAction();
  }

  @Test
  void grantResolveRevoke() {
    GrantResponse granted = grant("res-a", "", "staff", Action.ACTION_READ);
    assertTrue(granted.getCreated());
    assertEquals("res-a:" + ":staff:ACTION_READ", key(granted.getAcl()));
    assertTrue(granted.getAcl().getCreatedAt() > 0);
    GrantResponse again = grant("res-a", "", "staff", Action.ACTION_READ);
    assertFalse(again.getCreated());
    assertEquals(granted.getAcl(), again.getAcl(), "granting again is idempotent");

    grant("res-a", "hr", "staff", Action.ACTION_DENY);
    grant("res-a", "hr/alice", "user:alice", Action.ACTION_READ);
    grant("res-a", "hr/alice", "user:alice", Action.ACTION_WRITE);

    ResolveResponse root = resolve("res-a", "", "staff", "user:alice");
    assertEquals(READ, root.getRights());
    assertEquals(List.of(
        NodeRights.newBuilder().setPath("hr").setRights(NONE).build(),
        NodeRights.newBuilder().setPath("hr/alice").setRights(READ_WRITE).build()), root.getBelowList());
    assertEquals(READ_WRITE, resolve("res-a", "hr/alice/cv.pdf", "staff", "user:alice").getRights());
    assertEquals(NONE, resolve("res-a", "hr/bob", "staff", "user:alice").getRights());
    assertEquals(NONE, resolve("res-b", "", "staff").getRights(), "no entry, no access");
    assertEquals(READ_WRITE, resolve("res-b", "x", "admin").getRights(), "admins bypass ACLs");

    assertTrue(revoke("res-a", "hr", "staff", Action.ACTION_DENY));
    assertFalse(revoke("res-a", "hr", "staff", Action.ACTION_DENY), "revoking again is idempotent");
    assertFalse(revoke("res-a", "nowhere", "staff", Action.ACTION_READ));
    assertEquals(READ, resolve("res-a", "hr/bob", "staff", "user:alice").getRights(), "a revoke is read at once");
  }

  @Test
  void invalidRequestsAreRefused() {
    GrantRequest valid = GrantRequest.newBuilder().setWorkspace("bad-ws").setPath("a").setRole("staff")
        .setAction(Action.ACTION_READ).build();
    for (GrantRequest bad : List.of(
        valid.toBuilder().setWorkspace("Bad").build(),
        valid.toBuilder().setWorkspace("").build(),
        valid.toBuilder().setPath("/a").build(),
        valid.toBuilder().setPath("a/../b").build(),
        valid.toBuilder().setPath("a\u0000b").build(),
        valid.toBuilder().setRole("").build(),
        valid.toBuilder().setRole("Staff").build(),
        valid.toBuilder().setRole("user:").build(),
        valid.toBuilder().setAction(Action.ACTION_UNSPECIFIED).build(),
        valid.toBuilder().setActionValue(9).build())) {
      assertStatus(Status.Code.INVALID_ARGUMENT, node.acls.grant(bad));
    }
    assertStatus(Status.Code.INVALID_ARGUMENT, node.acls.revoke(RevokeRequest.newBuilder().setWorkspace("bad-ws")
        .setPath("a//b").setRole("staff").setAction(Action.ACTION_READ).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.acls.resolve(ResolveRequest.newBuilder().setWorkspace("bad-ws")
        .setPath("..").addRoles("staff").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.acls.resolve(ResolveRequest.newBuilder().setWorkspace("bad-ws")
        .addRoles("NOT A ROLE").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.acls.visible(VisibleRequest.newBuilder().addRoles("x y").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.acls.listAcls(ListAclsRequest.newBuilder().setLimit(1001).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.acls.listAcls(ListAclsRequest.newBuilder().setOffset(-1).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.acls.listAcls(ListAclsRequest.newBuilder().setWorkspace("A").build()));
    assertEquals(NONE, resolve("bad-ws", "a", "staff").getRights(), "nothing refused was stored");
  }

  @Test
  void listAclsFromTheReadModel() {
    grant("list-b", "docs", "staff", Action.ACTION_READ);
    grant("list-a", "", "user:bob", Action.ACTION_WRITE);
    grant("list-a", "", "staff", Action.ACTION_READ);
    grant("list-a", "b/c", "staff", Action.ACTION_DENY);
    String longPath = String.join("/", Collections.nCopies(16, "x".repeat(255)));
    grant("list-c", longPath, "staff", Action.ACTION_READ);
    ListAclsResponse staff = eventually(READ_MODEL_LAG, () -> list(ListAclsRequest.newBuilder().setRole("staff")),
        r -> r.getAclsList().stream().filter(a -> a.getWorkspace().startsWith("list-")).count() == 4,
        "4 staff entries in the read model");
    List<String> keys = staff.getAclsList().stream().filter(a -> a.getWorkspace().startsWith("list-")).map(a -> key(a))
        .toList();
    assertEquals(List.of("list-a::staff:ACTION_READ", "list-a:b/c:staff:ACTION_DENY", "list-b:docs:staff:ACTION_READ",
        "list-c:" + longPath + ":staff:ACTION_READ"), keys, "ordered by workspace, path, role, action");

    ListAclsResponse a = list(ListAclsRequest.newBuilder().setWorkspace("list-a"));
    assertEquals(3, a.getTotal());
    assertEquals(List.of("list-a::staff:ACTION_READ", "list-a::user:bob:ACTION_WRITE", "list-a:b/c:staff:ACTION_DENY"),
        a.getAclsList().stream().map(AclServiceContract::key).toList());
    assertTrue(a.getAcls(0).getCreatedAt() > 0);
    ListAclsResponse page = list(ListAclsRequest.newBuilder().setWorkspace("list-a").setOffset(1).setLimit(1));
    assertEquals(List.of("list-a::user:bob:ACTION_WRITE"), page.getAclsList().stream().map(AclServiceContract::key).toList());
    assertEquals(3, page.getTotal(), "total counts all matches, not the page");
    assertEquals(1, list(ListAclsRequest.newBuilder().setWorkspace("list-a").setRole("user:bob")).getTotal());

    revoke("list-a", "b/c", "staff", Action.ACTION_DENY);
    revoke("list-c", longPath, "staff", Action.ACTION_READ);
    eventually(READ_MODEL_LAG, () -> list(ListAclsRequest.newBuilder().setRole("staff")),
        r -> r.getAclsList().stream().filter(x -> x.getWorkspace().startsWith("list-")).count() == 2,
        "revokes in the read model");
  }

  @Test
  void visibleWorkspacesAreThoseWhereTheRolesReadSomething() {
    grant("vis-open", "", "readers", Action.ACTION_READ);
    grant("vis-deep", "", "readers", Action.ACTION_DENY);
    grant("vis-deep", "inbox", "user:dora", Action.ACTION_READ);
    grant("vis-drop", "", "readers", Action.ACTION_WRITE);
    grant("vis-denied", "", "readers", Action.ACTION_READ);
    grant("vis-denied", "", "user:dora", Action.ACTION_DENY);
    grant("vis-marker", "", "vis-probe", Action.ACTION_READ);
    eventually(READ_MODEL_LAG, () -> visible("vis-probe"), v -> v.equals(List.of("vis-marker")), "read model caught up");

    assertEquals(List.of("vis-denied", "vis-open"), visible("readers").stream().filter(w -> w.startsWith("vis-")).toList(),
        "a deny at the root and a write-only grant show nothing");
    assertEquals(List.of("vis-deep", "vis-open"), visible("readers", "user:dora").stream()
        .filter(w -> w.startsWith("vis-")).toList(), "a personal deny at the root hides vis-denied");
    assertEquals(List.of(), visible("user:nobody"));
    assertEquals(List.of(), visible());
  }

  @Test
  void theServiceHasItsOwnPrefixedTables() throws Exception {
    List<String> tables = new ArrayList<>();
    try (Connection c = node.storage("acl").dataSource().getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SHOW TABLES")) {
      while (rs.next()) tables.add(rs.getString(1).toLowerCase(Locale.ROOT));
    }
    for (String t : List.of("acl_event_journal", "acl_event_tag", "acl_snapshot", "acl_projection_offset", "acl_acls")) {
      assertTrue(tables.contains(t), t + " missing from " + tables);
    }
  }

  @Test
  void entriesSurviveARestartOnTheSameStorage() {
    grant("survivor", "", "staff", Action.ACTION_READ);
    grant("survivor", "keep", "staff", Action.ACTION_WRITE);
    ResolveResponse before = resolve("survivor", "", "staff");

    node.close();
    node = TestNode.start(dataDir, database);

    assertEquals(before, resolve("survivor", "", "staff"));
    assertFalse(grant("survivor", "keep", "staff", Action.ACTION_WRITE).getCreated());
    eventually(READ_MODEL_LAG, () -> list(ListAclsRequest.newBuilder().setWorkspace("survivor")),
        r -> r.getTotal() == 2, "read model after restart");
  }
}
