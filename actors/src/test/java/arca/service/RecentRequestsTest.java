package arca.service;

import arca.proto.acl.AclEntry;
import arca.proto.role.RoleDeleted;
import arca.proto.role.RoleSnapshot;
import arca.proto.role.RoleUpdated;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecentRequestsTest {
  private static final long NOW = 1_800_000_000_000L;

  @Test
  void eventsWithARequestIdAreRememberedForAWhile() {
    RecentRequests recent = new RecentRequests();
    recent.record(RoleUpdated.newBuilder().setRequestId("a").setAt(NOW - 1000).build(), NOW);
    recent.record(RoleDeleted.newBuilder().setAt(NOW).build(), NOW); // no id: nothing to remember
    recent.record("not a protobuf", NOW);

    assertTrue(recent.contains("a", NOW));
    assertEquals(1, recent.size());
    assertTrue(recent.contains("a", NOW + RecentRequests.KEEP_MS - 1001));
    assertFalse(recent.contains("a", NOW + RecentRequests.KEEP_MS), "forgotten after KEEP_MS from the event's time");
    assertFalse(recent.contains("b", NOW));
  }

  @Test
  void aBusyEntityKeepsItsLatestIds() {
    RecentRequests recent = new RecentRequests();
    for (int i = 0; i < RecentRequests.MAX + 10; i++) {
      recent.record(RoleUpdated.newBuilder().setRequestId("r" + i).setAt(NOW).build(), NOW);
    }
    assertEquals(RecentRequests.MAX, recent.size());
    assertFalse(recent.contains("r9", NOW));
    assertTrue(recent.contains("r10", NOW));
    assertTrue(recent.contains("r" + (RecentRequests.MAX + 9), NOW));
  }

  @Test
  void snapshotsCarryTheRecentIdsInTheirMapField() {
    RecentRequests recent = new RecentRequests();
    recent.record(RoleUpdated.newBuilder().setRequestId("old").setAt(NOW - RecentRequests.SNAPSHOT_KEEP_MS - 1).build(), NOW);
    recent.record(RoleUpdated.newBuilder().setRequestId("new").setAt(NOW - 10).build(), NOW);
    RoleSnapshot plain = RoleSnapshot.newBuilder().setId("editors").setLabel("Editors").build();

    RoleSnapshot withIds = (RoleSnapshot) recent.addTo(plain, NOW);

    assertEquals(Map.of("new", NOW - 10), withIds.getRecentRequestsMap(), "only the ids young enough");
    assertEquals("Editors", withIds.getLabel());
    RecentRequests restored = new RecentRequests();
    restored.restoreFrom(withIds, NOW + 5);
    assertTrue(restored.contains("new", NOW + 5));
    assertFalse(restored.contains("old", NOW + 5));
    // a snapshot type without the field is left alone; a snapshot without ids restores nothing
    Object other = AclEntry.newBuilder().setPath("x").build();
    assertSame(other, recent.addTo(other, NOW));
    RecentRequests none = new RecentRequests();
    none.restoreFrom(plain, NOW);
    assertEquals(0, none.size());
  }
}
