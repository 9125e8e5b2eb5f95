package arca.lock;

import arca.proto.lock.CoveringRequest;
import arca.proto.lock.DavLock;
import arca.proto.lock.LockRequest;
import arca.proto.lock.RefreshRequest;
import arca.proto.lock.ReleaseUnderRequest;
import arca.proto.lock.UnlockRequest;
import arca.testkit.NodeContract;
import arca.testkit.TestNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import static arca.testkit.Calls.assertStatus;
import static arca.testkit.Calls.await;
import static arca.testkit.Calls.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lock service on real storage, through its generated gRPC client only; the same body runs on every storage
 * backend (one subclass each). The entity's rules in detail are LockEntityTest's; this is the wire and the storage.
 */
abstract class LockServiceContract extends NodeContract {

  private static LockRequest request(String datasource, String path, boolean exclusive, boolean infinite) {
    return LockRequest.newBuilder().setDatasource(datasource).setPath(path).setExclusive(exclusive)
        .setInfinite(infinite).setOwnerXml("<D:href>mailto:alice@example.com</D:href>").setLogin("alice")
        .setTimeoutSeconds(3600).setRootHref("/dav/" + datasource + "/" + path)
        .setToken("urn:uuid:" + UUID.randomUUID()).build();
  }

  private DavLock lock(LockRequest req) {
    return await(node.locks.lock(req));
  }

  private List<String> covering(String datasource, String path, boolean descendants) {
    return await(node.locks.covering(CoveringRequest.newBuilder().setDatasource(datasource).setPath(path)
        .setDescendants(descendants).build())).getLocksList().stream().map(DavLock::getPath).toList();
  }

  @Test
  void lockConflictRefreshAndUnlock() {
    LockRequest req = request("ds1", "docs", true, true);
    long before = System.currentTimeMillis();
    DavLock taken = lock(req);
    assertEquals(req.getToken(), taken.getToken());
    assertEquals("ds1", taken.getDatasource());
    assertEquals(req.getOwnerXml(), taken.getOwnerXml());
    assertTrue(taken.getCreatedAt() >= before);
    assertEquals(taken.getCreatedAt() + 3_600_000, taken.getExpiresAt());
    assertEquals(taken, lock(req), "a resent request answers the lock it took");
    assertStatus(Status.Code.ALREADY_EXISTS, node.locks.lock(req.toBuilder().setTimeoutSeconds(60).build()));

    StatusRuntimeException conflict = failure(node.locks.lock(request("ds1", "docs/report.odt", false, false)));
    assertEquals(Status.Code.FAILED_PRECONDITION, conflict.getStatus().getCode());
    assertTrue(conflict.getStatus().getDescription().contains("'docs'"), conflict.getStatus().getDescription());
    lock(request("ds1", "docsx", true, false));
    lock(request("ds2", "docs/report.odt", true, false)); // another datasource: other locks

    assertStatus(Status.Code.PERMISSION_DENIED, node.locks.refresh(RefreshRequest.newBuilder().setDatasource("ds1")
        .setToken(taken.getToken()).setLogin("bob").setTimeoutSeconds(60).build()));
    DavLock refreshed = await(node.locks.refresh(RefreshRequest.newBuilder().setDatasource("ds1")
        .setToken(taken.getToken()).setLogin("alice").setTimeoutSeconds(60).build()));
    assertEquals(60, refreshed.getTimeoutSeconds());
    assertTrue(refreshed.getExpiresAt() < taken.getExpiresAt());
    assertEquals(taken.toBuilder().setTimeoutSeconds(60).setExpiresAt(refreshed.getExpiresAt()).build(), refreshed);
    assertEquals(List.of(refreshed), await(node.locks.covering(CoveringRequest.newBuilder().setDatasource("ds1")
        .setPath("docs/a/b").build())).getLocksList());

    assertStatus(Status.Code.PERMISSION_DENIED, node.locks.unlock(UnlockRequest.newBuilder().setDatasource("ds1")
        .setToken(taken.getToken()).setLogin("bob").build()));
    await(node.locks.unlock(UnlockRequest.newBuilder().setDatasource("ds1").setToken(taken.getToken())
        .setLogin("alice").build()));
    assertStatus(Status.Code.NOT_FOUND, node.locks.unlock(UnlockRequest.newBuilder().setDatasource("ds1")
        .setToken(taken.getToken()).setLogin("alice").build()));
    assertStatus(Status.Code.NOT_FOUND, node.locks.refresh(RefreshRequest.newBuilder().setDatasource("ds1")
        .setToken("urn:uuid:" + UUID.randomUUID()).setLogin("alice").setTimeoutSeconds(60).build()));
    lock(request("ds1", "docs/report.odt", false, false));
  }

  @Test
  void coveringAndReleaseUnder() {
    lock(request("ds3", "a", false, true));
    lock(request("ds3", "a/b", false, false));
    DavLock deep = lock(request("ds3", "a/b/c", false, false));
    lock(request("ds3", "ab", true, false));
    assertEquals(List.of("a", "a/b"), covering("ds3", "a/b", false));
    assertEquals(List.of("a", "a/b", "a/b/c"), covering("ds3", "a/b", true));
    assertEquals(List.of("a", "a/b", "a/b/c", "ab"), covering("ds3", "", true));

    List<String> released = await(node.locks.releaseUnder(ReleaseUnderRequest.newBuilder().setDatasource("ds3")
        .setPath("a/b").build())).getTokensList();
    assertEquals(2, released.size());
    assertTrue(released.contains(deep.getToken()));
    assertEquals(List.of("a", "ab"), covering("ds3", "", true));
    assertEquals(2, await(node.locks.releaseUnder(ReleaseUnderRequest.newBuilder().setDatasource("ds3").build()))
        .getTokensCount(), "\"\" releases everything");
    assertEquals(List.of(), covering("ds3", "", true));
  }

  @Test
  void invalidRequestsAreRefused() {
    LockRequest valid = request("ds4", "a/b", true, false);
    List<LockRequest> bad = new ArrayList<>(List.of(
        valid.toBuilder().setDatasource("").build(),
        valid.toBuilder().setDatasource("Not A Datasource").build(),
        valid.toBuilder().setPath("/a/b").build(),
        valid.toBuilder().setPath("a/b/").build(),
        valid.toBuilder().setPath("a//b").build(),
        valid.toBuilder().setPath("a/../b").build(),
        valid.toBuilder().setPath("./a").build(),
        valid.toBuilder().setPath("a/\u0000").build(),
        valid.toBuilder().setPath("a/b\nc").build(),
        valid.toBuilder().setTimeoutSeconds(0).build(),
        valid.toBuilder().setTimeoutSeconds(604_801).build(),
        valid.toBuilder().setOwnerXml("x".repeat(4097)).build(),
        valid.toBuilder().setLogin("").build(),
        valid.toBuilder().setRootHref("").build(),
        valid.toBuilder().setRootHref("/" + "x".repeat(4096)).build(),
        valid.toBuilder().setToken("").build(),
        valid.toBuilder().setToken("opaquelocktoken:" + UUID.randomUUID()).build(),
        valid.toBuilder().setToken("urn:uuid:not-a-uuid").build()));
    for (LockRequest req : bad) {
      StatusRuntimeException e = failure(node.locks.lock(req));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), req.toString());
      assertTrue(!e.getStatus().getDescription().isBlank());
    }
    assertEquals(List.of(), covering("ds4", "", true), "nothing refused was stored");
    lock(valid.toBuilder().setTimeoutSeconds(604_800).setOwnerXml("x".repeat(4096)).build());
    assertStatus(Status.Code.INVALID_ARGUMENT, node.locks.refresh(RefreshRequest.newBuilder().setDatasource("ds4")
        .setToken(valid.getToken()).setLogin("alice").setTimeoutSeconds(604_801).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.locks.unlock(UnlockRequest.newBuilder().setDatasource("ds4")
        .setToken(valid.getToken()).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.locks.covering(CoveringRequest.newBuilder().setDatasource("ds4")
        .setPath("a/").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.locks.releaseUnder(ReleaseUnderRequest.newBuilder()
        .setDatasource("ds4").setPath("..").build()));
  }

  @Test
  void theServiceHasItsOwnPrefixedTables() throws Exception {
    List<String> tables = new ArrayList<>();
    try (Connection c = node.storage("lock").dataSource().getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SHOW TABLES")) {
      while (rs.next()) tables.add(rs.getString(1).toLowerCase(Locale.ROOT));
    }
    for (String t : List.of("lock_event_journal", "lock_snapshot")) {
      assertTrue(tables.contains(t), t + " missing from " + tables);
    }
  }

  @Test
  void locksSurviveARestartOnTheSameStorage() {
    DavLock before = lock(request("ds5", "kept", true, true));

    node.close();
    node = TestNode.start(dataDir, database);

    assertEquals(List.of(before), await(node.locks.covering(CoveringRequest.newBuilder().setDatasource("ds5")
        .setPath("kept/inside").build())).getLocksList());
    assertStatus(Status.Code.FAILED_PRECONDITION, node.locks.lock(request("ds5", "kept/inside", false, false)));
  }
}
