package arca.token;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import arca.proto.token.AccessKeyListed;
import arca.proto.token.AccessKeyUnlisted;
import arca.proto.token.UserAccessKeysSnapshot;
import arca.testkit.EntityTestKits;
import com.google.protobuf.GeneratedMessageV3;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserAccessKeysEntityTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void startTestKit() {
    testKit = EntityTestKits.start("UserAccessKeysEntityTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<UserAccessKeysEntity.Command, GeneratedMessageV3, UserAccessKeysEntity.State> kit(
      String login) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), new UserAccessKeysEntity(login, "", ""),
        EntityTestKits.strictSerialization());
  }

  private static EventSourcedBehaviorTestKit.CommandResultWithReply<UserAccessKeysEntity.Command, GeneratedMessageV3, UserAccessKeysEntity.State, UserAccessKeysEntity.Added> add(
      EventSourcedBehaviorTestKit<UserAccessKeysEntity.Command, GeneratedMessageV3, UserAccessKeysEntity.State> kit, String id, long at) {
    return kit.runCommand(r -> new UserAccessKeysEntity.Add(id, "label " + id, at, r));
  }

  private static EventSourcedBehaviorTestKit.CommandResultWithReply<UserAccessKeysEntity.Command, GeneratedMessageV3, UserAccessKeysEntity.State, UserAccessKeysEntity.Removed> remove(
      EventSourcedBehaviorTestKit<UserAccessKeysEntity.Command, GeneratedMessageV3, UserAccessKeysEntity.State> kit, String id) {
    return kit.runCommand(r -> new UserAccessKeysEntity.Remove(id, "", r));
  }

  private static List<String> ids(UserAccessKeysEntity.State s) {
    return s.keys().stream().map(UserAccessKeysEntity.Listed::id).toList();
  }

  @Test
  void keysAreListedOldestFirst() {
    var kit = kit("alice");
    var first = add(kit, "AK1", 10);
    AccessKeyListed event = assertInstanceOf(AccessKeyListed.class, first.event());
    assertEquals("AK1", event.getAccessKeyId());
    assertEquals("label AK1", event.getLabel());
    assertEquals(10, event.getAt());
    assertNull(first.reply().failure());
    add(kit, "AK2", 20);

    var state = kit.<UserAccessKeysEntity.State>runCommand(UserAccessKeysEntity.GetKeys::new).reply();
    assertEquals(List.of(new UserAccessKeysEntity.Listed("AK1", "label AK1", 10),
        new UserAccessKeysEntity.Listed("AK2", "label AK2", 20)), state.keys());
  }

  @Test
  void listingAnIdAgainChangesNothing() {
    var kit = kit("bob");
    add(kit, "AK1", 10);
    var again = add(kit, "AK1", 99);
    assertTrue(again.hasNoEvents());
    assertNull(again.reply().failure());
    assertEquals(List.of("AK1"), ids(again.state()));
  }

  @Test
  void atMostTenKeys() {
    var kit = kit("carol");
    IntStream.range(0, UserAccessKeysEntity.MAX_KEYS).forEach(i -> add(kit, "AK" + i, i));
    var eleventh = add(kit, "AK10", 10);
    assertTrue(eleventh.hasNoEvents());
    assertEquals(Status.Code.FAILED_PRECONDITION.name(), eleventh.reply().failure().code());
    assertEquals(10, eleventh.state().keys().size());

    remove(kit, "AK3");
    var afterRemoval = add(kit, "AK10", 11);
    assertNull(afterRemoval.reply().failure(), "a freed place can be used");
    assertEquals(10, afterRemoval.state().keys().size());
  }

  @Test
  void removeUnlistsOnce() {
    var kit = kit("dave");
    add(kit, "AK1", 10);
    add(kit, "AK2", 20);
    var removed = remove(kit, "AK1");
    assertEquals("AK1", assertInstanceOf(AccessKeyUnlisted.class, removed.event()).getAccessKeyId());
    assertTrue(removed.reply().now());
    assertEquals(List.of("AK2"), ids(removed.state()));

    var again = remove(kit, "AK1");
    assertTrue(again.hasNoEvents());
    assertFalse(again.reply().now());
  }

  @Test
  void restartRecoversTheListAlsoFromASnapshot() {
    var kit = kit("erin");
    // 25 events: the state is snapshotted after 20 (RetentionCriteria.snapshotEvery(20, 2))
    for (int i = 0; i < 12; i++) {
      add(kit, "AK" + i, i);
      remove(kit, "AK" + i);
    }
    add(kit, "AKlast", 99);
    UserAccessKeysEntity.State before = kit.getState();
    assertEquals(List.of("AKlast"), ids(before));
    assertEquals(before, kit.restart().state());
  }

  @Test
  void snapshotAdapterRoundTripsTheList() throws Exception {
    var adapter = new UserAccessKeysEntity("x", "", "").snapshotAdapter();
    for (var s : List.of(new UserAccessKeysEntity.State(List.of()), new UserAccessKeysEntity.State(List.of(
        new UserAccessKeysEntity.Listed("AK1", "", 1L), new UserAccessKeysEntity.Listed("AK2", "ci", 2L))))) {
      UserAccessKeysSnapshot stored = assertInstanceOf(UserAccessKeysSnapshot.class, adapter.toJournal(s));
      assertEquals(s, adapter.fromJournal(UserAccessKeysSnapshot.parseFrom(stored.toByteArray())));
    }
  }
}
