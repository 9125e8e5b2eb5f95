package arca.policy;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import arca.proto.policy.Effect;
import arca.proto.policy.PolicyGroupCreated;
import arca.proto.policy.PolicyGroupDeleted;
import arca.proto.policy.PolicyGroupUpdated;
import arca.testkit.EntityTestKits;
import com.google.protobuf.GeneratedMessageV3;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One policy group: events, replies, protection, and the state through snapshots and serialization. */
class PolicyEntityTest {
  private static ActorTestKit testKit;
  private static final AtomicInteger ids = new AtomicInteger();
  private static final PolicyEntity.Rule ALLOW_READ = new PolicyEntity.Rule("read", "may read",
      List.of("role:staff"), List.of("rest:/a/nodes<(/.*)?>"), List.of("GET", "HEAD"), false);
  private static final PolicyEntity.Rule DENY_BOB = new PolicyEntity.Rule("no-bob", "",
      List.of("user:bob"), List.of("<.*>"), List.of("<.*>"), true);

  @BeforeAll
  static void startTestKit() {
    testKit = EntityTestKits.start("PolicyEntityTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private record Group(String id, EventSourcedBehaviorTestKit<PolicyEntity.Command, GeneratedMessageV3, PolicyEntity.State> kit) {}

  private static Group newGroup() {
    String id = "group-" + ids.incrementAndGet();
    return new Group(id, EventSourcedBehaviorTestKit.create(testKit.system(), new PolicyEntity(id, "", ""),
        EntityTestKits.strictSerialization()));
  }

  private static EventSourcedBehaviorTestKit.CommandResultWithReply<PolicyEntity.Command, GeneratedMessageV3,
      PolicyEntity.State, PolicyEntity.Result> create(Group g, boolean protectedGroup, boolean ifAbsent) {
    return g.kit().runCommand(r -> new PolicyEntity.Create("Staff", "staff rules", protectedGroup,
        List.of(ALLOW_READ, DENY_BOB), ifAbsent, "", r));
  }

  private static void assertFailure(Status.Code code, PolicyEntity.Result reply) {
    assertNull(reply.group());
    assertEquals(code.name(), reply.failure().code());
  }

  @Test
  void createPersistsTheGroupWithItsPolicies() {
    Group g = newGroup();
    var result = create(g, false, false);
    PolicyGroupCreated event = assertInstanceOf(PolicyGroupCreated.class, result.event());
    assertEquals(g.id(), event.getId());
    assertEquals(2, event.getPoliciesCount());
    assertEquals(Effect.EFFECT_DENY, event.getPolicies(1).getEffect());
    assertEquals(List.of("GET", "HEAD"), event.getPolicies(0).getActionsList());
    PolicyEntity.State expected = new PolicyEntity.State(true, g.id(), "Staff", "staff rules", false,
        List.of(ALLOW_READ, DENY_BOB), event.getAt(), event.getAt(), 1);
    assertEquals(expected, result.state());
    assertEquals(expected, result.reply().group());
  }

  @Test
  void createTwiceIsAlreadyExistsButEnsureReturnsTheGroup() {
    Group g = newGroup();
    create(g, false, false);
    var again = create(g, false, false);
    assertFailure(Status.Code.ALREADY_EXISTS, again.reply());
    assertTrue(again.hasNoEvents());
    var ensured = g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Create("Other", "", true, List.of(),
        true, "", r));
    assertTrue(ensured.hasNoEvents());
    assertEquals("Staff", ensured.reply().group().label(), "ensure leaves an existing group unchanged");
  }

  @Test
  void updateReplacesPoliciesAndKeepsWhatIsNotGiven() {
    Group g = newGroup();
    create(g, false, false);
    var relabelled = g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Update("Staff 2", null, null, "", r));
    PolicyGroupUpdated e1 = assertInstanceOf(PolicyGroupUpdated.class, relabelled.event());
    assertTrue(!e1.hasPolicies() && !e1.hasDescription());
    assertEquals(List.of(ALLOW_READ, DENY_BOB), relabelled.state().policies());

    var replaced = g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Update(null, null, List.of(DENY_BOB), "", r));
    PolicyGroupUpdated e2 = assertInstanceOf(PolicyGroupUpdated.class, replaced.event());
    assertEquals(1, e2.getPolicies().getPoliciesCount());
    assertEquals(new PolicyEntity.State(true, g.id(), "Staff 2", "staff rules", false, List.of(DENY_BOB),
        replaced.state().createdAt(), e2.getAt(), 3), replaced.reply().group());

    var emptied = g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Update(null, null, List.of(), "", r));
    assertEquals(List.of(), emptied.state().policies(), "an empty list removes every policy");

    var nothing = g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Update(null, null, null, "", r));
    assertTrue(nothing.hasNoEvents());
    assertEquals(4, nothing.reply().group().version());
  }

  @Test
  void protectedGroupsCannotBeChangedOrDeleted() {
    Group g = newGroup();
    create(g, true, false);
    var update = g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Update(null, null, List.of(), "", r));
    assertFailure(Status.Code.FAILED_PRECONDITION, update.reply());
    assertTrue(update.hasNoEvents());
    var delete = g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Delete("", r));
    assertFailure(Status.Code.FAILED_PRECONDITION, delete.reply());
    assertTrue(delete.hasNoEvents());
    assertEquals(List.of(ALLOW_READ, DENY_BOB), g.kit().getState().policies());
  }

  @Test
  void deleteThenGetIsNotFoundAndEnsureDoesNotBringItBack() {
    Group g = newGroup();
    create(g, false, false);
    var deleted = g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Delete("", r));
    assertInstanceOf(PolicyGroupDeleted.class, deleted.event());
    assertFailure(Status.Code.NOT_FOUND, g.kit().<PolicyEntity.Result>runCommand(PolicyEntity.Get::new).reply());
    assertFailure(Status.Code.NOT_FOUND, g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Delete("", r)).reply());
    assertFailure(Status.Code.NOT_FOUND,
        g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Update("x", null, null, "", r)).reply());

    var ensured = create(g, false, true);
    assertFailure(Status.Code.FAILED_PRECONDITION, ensured.reply());
    assertTrue(ensured.hasNoEvents());
    var recreated = create(g, false, false);
    assertEquals(3, recreated.reply().group().version(), "an explicit create brings it back");
  }

  @Test
  void stateSurvivesARestartFromEvents() {
    Group g = newGroup();
    create(g, false, false);
    g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Update(null, "new text", List.of(DENY_BOB), "", r));
    PolicyEntity.State before = g.kit().getState();
    g.kit().restart();
    assertEquals(before, g.kit().getState());
  }

  @Test
  void stateSurvivesARestartFromASnapshot() {
    Group g = newGroup();
    create(g, false, false);
    for (int i = 0; i < 55; i++) {
      String label = "label " + i;
      g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Update(label, null, null, "", r));
    }
    PolicyEntity.State before = g.kit().getState();
    g.kit().restart();
    assertEquals(before, g.kit().getState(), "snapshot at 50 plus 6 events");
    assertEquals(List.of(ALLOW_READ, DENY_BOB), before.policies());
  }

  /** A create, update or delete sent again with its request id applies once and answers as the first did. */
  @Test
  void writesSentAgainApplyOnce() {
    Group g = newGroup();
    var created = g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Create("Staff", "", false,
        List.of(ALLOW_READ), false, "c-1", r));
    assertEquals(1, created.events().size());
    var again = g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Create("Staff", "", false,
        List.of(ALLOW_READ), false, "c-1", r));
    assertTrue(again.hasNoEvents());
    assertNull(again.reply().failure(), "not 'already exists'");
    var updated = g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Update(null, null, List.of(DENY_BOB), "u-1", r));
    assertEquals(1, updated.events().size());
    assertTrue(g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Update(null, null, List.of(DENY_BOB), "u-1", r))
        .hasNoEvents());
    assertEquals(1, g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Delete("d-1", r)).events().size());
    var deletedAgain = g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Delete("d-1", r));
    assertTrue(deletedAgain.hasNoEvents());
    assertNull(deletedAgain.reply().failure(), "not 'no policy group'");
    assertFailure(Status.Code.NOT_FOUND, g.kit().<PolicyEntity.Result>runCommand(r -> new PolicyEntity.Delete("d-2", r)).reply());
  }
}
