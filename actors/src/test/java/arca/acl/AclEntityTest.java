package arca.acl;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import arca.proto.acl.AclGranted;
import arca.proto.acl.AclRevoked;
import arca.proto.acl.AclSnapshot;
import arca.proto.acl.Action;
import arca.testkit.EntityTestKits;
import com.google.protobuf.GeneratedMessageV3;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AclEntityTest {
  private static ActorTestKit testKit;
  private static final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  static void startTestKit() {
    testKit = EntityTestKits.start("AclEntityTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<AclEntity.Command, GeneratedMessageV3, AclEntity.State> newWorkspace() {
    return EventSourcedBehaviorTestKit.create(testKit.system(), new AclEntity("ws-" + ids.incrementAndGet(), "", ""),
        EntityTestKits.strictSerialization());
  }

  private static EventSourcedBehaviorTestKit.CommandResultWithReply<AclEntity.Command, GeneratedMessageV3,
      AclEntity.State, AclEntity.Granted> grant(
      EventSourcedBehaviorTestKit<AclEntity.Command, GeneratedMessageV3, AclEntity.State> kit, String path,
      String role, Action action) {
    return kit.runCommand(r -> new AclEntity.Grant(path, role, action, "", r));
  }

  private static AclEntity.Resolved resolve(
      EventSourcedBehaviorTestKit<AclEntity.Command, GeneratedMessageV3, AclEntity.State> kit, String path,
      String... roles) {
    return kit.<AclEntity.Resolved>runCommand(r -> new AclEntity.Resolve(path, List.of(roles), r)).reply();
  }

  @Test
  void grantPersistsAclGrantedOnceAndIsIdempotent() {
    var kit = newWorkspace();
    var first = grant(kit, "docs", "staff", Action.ACTION_READ);
    AclGranted event = assertInstanceOf(AclGranted.class, first.event());
    assertEquals("docs", event.getPath());
    assertEquals("staff", event.getRole());
    assertEquals(Action.ACTION_READ, event.getAction());
    AclEntity.Entry entry = new AclEntity.Entry("docs", "staff", Action.ACTION_READ, event.getAt());
    assertEquals(new AclEntity.Granted(entry, true, null), first.reply());
    assertEquals(List.of(entry), first.state().entries());

    var again = grant(kit, "docs", "staff", Action.ACTION_READ);
    assertTrue(again.hasNoEvents());
    assertEquals(new AclEntity.Granted(entry, false, null), again.reply(), "the existing entry, unchanged");
  }

  @Test
  void entriesAreKeptInPathRoleActionOrder() {
    var kit = newWorkspace();
    grant(kit, "b", "staff", Action.ACTION_WRITE);
    grant(kit, "", "staff", Action.ACTION_READ);
    grant(kit, "b", "staff", Action.ACTION_READ);
    grant(kit, "b", "editors", Action.ACTION_DENY);
    assertEquals(List.of("/staff/ACTION_READ", "b/editors/ACTION_DENY", "b/staff/ACTION_READ", "b/staff/ACTION_WRITE"),
        kit.getState().entries().stream().map(e -> e.path() + "/" + e.role() + "/" + e.action()).toList());
  }

  @Test
  void revokeRemovesTheEntryAndIsIdempotent() {
    var kit = newWorkspace();
    grant(kit, "", "staff", Action.ACTION_READ);
    grant(kit, "", "staff", Action.ACTION_WRITE);

    var revoked = kit.<AclEntity.Revoked>runCommand(r -> new AclEntity.Revoke("", "staff", Action.ACTION_WRITE, "", r));
    AclRevoked event = assertInstanceOf(AclRevoked.class, revoked.event());
    assertEquals(Action.ACTION_WRITE, event.getAction());
    assertTrue(revoked.reply().removed());
    assertEquals(List.of(Action.ACTION_READ), revoked.state().entries().stream().map(AclEntity.Entry::action).toList());

    var again = kit.<AclEntity.Revoked>runCommand(r -> new AclEntity.Revoke("", "staff", Action.ACTION_WRITE, "", r));
    assertTrue(again.hasNoEvents());
    assertFalse(again.reply().removed());
    var other = kit.<AclEntity.Revoked>runCommand(r -> new AclEntity.Revoke("", "guests", Action.ACTION_READ, "", r));
    assertTrue(other.hasNoEvents());
    assertFalse(other.reply().removed());
  }

  @Test
  void resolveAnswersFromTheEntriesAndListsTheNodesBelow() {
    var kit = newWorkspace();
    assertEquals(AclResolution.Rights.NONE, resolve(kit, "", "staff").rights(), "no entry, no access");
    grant(kit, "", "staff", Action.ACTION_READ);
    grant(kit, "private", "staff", Action.ACTION_DENY);
    grant(kit, "private/alice", "user:alice", Action.ACTION_READ);
    grant(kit, "private/alice", "user:alice", Action.ACTION_WRITE);

    AclEntity.Resolved root = resolve(kit, "", "staff", "user:alice");
    assertEquals(new AclResolution.Rights(true, false), root.rights());
    assertEquals(List.of(new AclResolution.NodeRights("private", AclResolution.Rights.NONE),
        new AclResolution.NodeRights("private/alice", AclResolution.Rights.FULL)), root.below());
    assertEquals(AclResolution.Rights.NONE, resolve(kit, "private/bob", "staff", "user:alice").rights());
    assertEquals(AclResolution.Rights.FULL, resolve(kit, "private/alice/x.txt", "staff", "user:alice").rights());
    assertEquals(AclResolution.Rights.NONE, resolve(kit, "private/alice/x.txt", "staff", "user:bob").rights());
    assertEquals(AclResolution.Rights.FULL, resolve(kit, "private", "admin").rights(), "admins bypass ACLs");
  }

  @Test
  void aWorkspaceHoldsAtMostMaxEntries() {
    var kitFull = EventSourcedBehaviorTestKit.<AclEntity.Command, GeneratedMessageV3, AclEntity.State>create(
        testKit.system(), new AclEntity("full", "", ""));
    kitFull.initialize(IntStream.range(0, AclEntity.MAX_ENTRIES).mapToObj(i -> AclGranted.newBuilder().setPath("f" + i)
        .setRole("staff").setAction(Action.ACTION_READ).setAt(1).build()).toArray());
    assertEquals(AclEntity.MAX_ENTRIES, kitFull.getState().entries().size());
    var refused = kitFull.<AclEntity.Granted>runCommand(r -> new AclEntity.Grant("g", "staff", Action.ACTION_READ, "", r));
    assertTrue(refused.hasNoEvents());
    assertNull(refused.reply().entry());
    assertEquals(Status.Code.FAILED_PRECONDITION.name(), refused.reply().failure().code());
    var existing = kitFull.<AclEntity.Granted>runCommand(r -> new AclEntity.Grant("f1", "staff", Action.ACTION_READ, "", r));
    assertFalse(existing.reply().created(), "granting an existing entry still answers");
    assertNull(existing.reply().failure());
  }

  @Test
  void snapshotAdapterRoundTripsTheStateThroughProtobufBytes() throws Exception {
    var adapter = new AclEntity("w", "", "").snapshotAdapter();
    for (AclEntity.State s : List.of(new AclEntity("w", "", "").emptyState(), new AclEntity.State(List.of(
        new AclEntity.Entry("", "staff", Action.ACTION_READ, 1_700_000_000_000L),
        new AclEntity.Entry("a/b", "user:alice", Action.ACTION_DENY, 1_700_000_000_500L))))) {
      AclSnapshot stored = assertInstanceOf(AclSnapshot.class, adapter.toJournal(s));
      assertEquals(s, adapter.fromJournal(AclSnapshot.parseFrom(stored.toByteArray())));
    }
  }

  @Test
  void restartRecoversTheSameState() {
    var kit = newWorkspace();
    grant(kit, "", "staff", Action.ACTION_READ);
    grant(kit, "x", "user:bob", Action.ACTION_WRITE);
    kit.<AclEntity.Revoked>runCommand(r -> new AclEntity.Revoke("", "staff", Action.ACTION_READ, "", r));
    AclEntity.State before = kit.getState();
    assertEquals(before, kit.restart().state());
  }
}
