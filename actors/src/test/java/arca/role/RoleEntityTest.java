package arca.role;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import arca.proto.role.RoleCreated;
import arca.proto.role.RoleDeleted;
import arca.proto.role.RoleSnapshot;
import arca.proto.role.RoleUpdated;
import arca.testkit.EntityTestKits;
import com.google.protobuf.GeneratedMessageV3;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RoleEntityTest {
  private static ActorTestKit testKit;
  private static final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  static void startTestKit() {
    testKit = EntityTestKits.start("RoleEntityTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private record Role(String id, EventSourcedBehaviorTestKit<RoleEntity.Command, GeneratedMessageV3, RoleEntity.State> kit) {}

  private static Role newRole() {
    String id = "role-" + ids.incrementAndGet();
    return new Role(id, EventSourcedBehaviorTestKit.create(testKit.system(), new RoleEntity(id, "", ""),
        EntityTestKits.strictSerialization()));
  }

  private static RoleEntity.Result create(Role role, boolean protectedRole, boolean ifAbsent) {
    return role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Create("Editors", "may edit", protectedRole,
        ifAbsent, "", r)).reply();
  }

  private static void assertFailure(Status.Code code, RoleEntity.Result reply) {
    assertNull(reply.role());
    assertEquals(code.name(), reply.failure().code());
  }

  @Test
  void createPersistsRoleCreated() {
    Role role = newRole();
    var result = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Create("Editors", "may edit", false, false, "", r));

    RoleCreated event = assertInstanceOf(RoleCreated.class, result.event());
    assertEquals(role.id(), event.getId());
    assertEquals("Editors", event.getLabel());
    assertEquals("may edit", event.getDescription());
    assertFalse(event.getProtected());
    RoleEntity.State expected = new RoleEntity.State(true, role.id(), "Editors", "may edit", false, event.getAt(),
        event.getAt(), 1);
    assertEquals(expected, result.state());
    assertEquals(expected, result.reply().role());
  }

  @Test
  void duplicateCreateFailsWithAlreadyExists() {
    Role role = newRole();
    create(role, false, false);
    var again = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Create("Other", "", false, false, "", r));
    assertFailure(Status.Code.ALREADY_EXISTS, again.reply());
    assertTrue(again.hasNoEvents());
  }

  @Test
  void ensureReturnsTheExistingRoleUnchanged() {
    Role role = newRole();
    RoleEntity.State existing = create(role, false, false).role();

    var ensured = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Create("Other label", "other", true, true, "", r));

    assertTrue(ensured.hasNoEvents());
    assertNull(ensured.reply().failure());
    assertEquals(existing, ensured.reply().role());
  }

  @Test
  void ensureCreatesAMissingRole() {
    Role role = newRole();
    var ensured = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Create("Admins", "", true, true, "", r));
    assertInstanceOf(RoleCreated.class, ensured.event());
    assertTrue(ensured.reply().role().exists());
    assertTrue(ensured.reply().role().protectedRole());
  }

  @Test
  void updateChangesOnlyTheGivenFields() {
    Role role = newRole();
    RoleEntity.State before = create(role, false, false).role();

    var result = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Update("Writers", null, "", r));

    RoleUpdated event = assertInstanceOf(RoleUpdated.class, result.event());
    assertEquals("Writers", event.getLabel());
    assertFalse(event.hasDescription());
    assertEquals(new RoleEntity.State(true, role.id(), "Writers", before.description(), false, before.createdAt(),
        event.getAt(), 2), result.state());
    assertEquals(result.state(), result.reply().role());
  }

  @Test
  void updateWithNothingToChangePersistsNothing() {
    Role role = newRole();
    RoleEntity.State before = create(role, false, false).role();
    var result = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Update(null, null, "", r));
    assertTrue(result.hasNoEvents());
    assertEquals(before, result.reply().role());
  }

  @Test
  void updateAndDeleteOfAMissingRoleFailWithNotFound() {
    Role role = newRole();
    var update = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Update("X", null, "", r));
    assertFailure(Status.Code.NOT_FOUND, update.reply());
    assertTrue(update.hasNoEvents());
    var delete = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Delete("", r));
    assertFailure(Status.Code.NOT_FOUND, delete.reply());
    assertTrue(delete.hasNoEvents());
  }

  @Test
  void deletedRoleIsNotFoundAndCanBeCreatedAgain() {
    Role role = newRole();
    create(role, false, false);

    var delete = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Delete("", r));
    assertInstanceOf(RoleDeleted.class, delete.event());
    assertFalse(delete.state().exists());
    assertFailure(Status.Code.NOT_FOUND, role.kit().<RoleEntity.Result>runCommand(RoleEntity.Get::new).reply());

    RoleEntity.Result again = create(role, false, false);
    assertNull(again.failure());
    assertEquals(3, again.role().version());
  }

  @Test
  void protectedRoleCannotBeDeleted() {
    Role role = newRole();
    RoleEntity.State before = create(role, true, false).role();

    var delete = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Delete("", r));

    assertFailure(Status.Code.FAILED_PRECONDITION, delete.reply());
    assertTrue(delete.hasNoEvents());
    assertEquals(before, role.kit().<RoleEntity.Result>runCommand(RoleEntity.Get::new).reply().role());
  }

  @Test
  void snapshotAdapterRoundTripsTheStateThroughProtobufBytes() throws Exception {
    var adapter = new RoleEntity("r", "", "").snapshotAdapter();
    for (RoleEntity.State s : List.of(new RoleEntity.State(false, "r", "", "", false, 0, 0, 0),
        new RoleEntity.State(true, "r", "Label", "Description", true, 1_700_000_000_000L, 1_700_000_000_500L, 4))) {
      RoleSnapshot stored = assertInstanceOf(RoleSnapshot.class, adapter.toJournal(s));
      assertEquals(s, adapter.fromJournal(RoleSnapshot.parseFrom(stored.toByteArray())));
    }
  }

  @Test
  void restartRecoversTheSameState() {
    Role role = newRole();
    create(role, true, false);
    role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Update(null, "changed", "", r));
    RoleEntity.State before = role.kit().getState();
    assertEquals(before, role.kit().restart().state());
  }

  /**
   * Writes carry request ids: a write sent again (a gateway retry after a timeout, a client's Idempotency-Key) is
   * answered without a second event, also after a restart that recovers from a snapshot and the events after it.
   */
  @Test
  void aResentWriteAppliesOnceAlsoAfterASnapshotAndARestart() {
    Role role = newRole();
    var first = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Create("Editors", "", false, false, "c-1", r));
    assertEquals("c-1", assertInstanceOf(RoleCreated.class, first.event()).getRequestId());
    var resent = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Create("Editors", "", false, false, "c-1", r));
    assertTrue(resent.hasNoEvents());
    assertEquals(role.id(), resent.reply().role().id());
    assertFailure(Status.Code.ALREADY_EXISTS,
        role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Create("Editors", "", false, false, "c-2", r)).reply());

    for (int i = 0; i < 60; i++) {
      String label = "label " + i;
      String id = "u-" + i;
      assertEquals(1, role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Update(label, null, id, r)).events().size());
    }
    role.kit().restart(); // recovery from the snapshot taken at event 50, then events 51-61
    for (String id : new String[] {"u-10", "u-55"}) {
      var again = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Update("other", null, id, r));
      assertTrue(again.hasNoEvents(), id + " applied twice");
      assertEquals("label 59", again.reply().role().label(), "the answer is the current state");
    }

    var deleted = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Delete("d-1", r));
    assertEquals(1, deleted.events().size());
    var deletedAgain = role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Delete("d-1", r));
    assertTrue(deletedAgain.hasNoEvents());
    assertNull(deletedAgain.reply().failure(), "a resent delete succeeds as the first did");
    assertFailure(Status.Code.NOT_FOUND, role.kit().<RoleEntity.Result>runCommand(r -> new RoleEntity.Delete("d-2", r)).reply());
  }
}
