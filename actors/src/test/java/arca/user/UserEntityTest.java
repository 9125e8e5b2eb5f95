package arca.user;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import arca.proto.user.PasswordChanged;
import arca.proto.user.UserCreated;
import arca.proto.user.UserDeleted;
import arca.proto.user.UserSnapshot;
import arca.proto.user.UserUpdated;
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

class UserEntityTest {
  private static ActorTestKit testKit;
  private static final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  static void startTestKit() {
    testKit = EntityTestKits.start("UserEntityTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  /** A fresh user entity (own persistence id) on Akka's default (test kit) plugins. */
  private static EventSourcedBehaviorTestKit<UserEntity.Command, GeneratedMessageV3, UserEntity.State> user(String login) {
    return EventSourcedBehaviorTestKit.create(testKit.system(), new UserEntity(login, "", ""),
        EntityTestKits.strictSerialization());
  }

  private static String newLogin() {
    return "user" + ids.incrementAndGet();
  }

  private static CommandResultWithReply<UserEntity.Command, GeneratedMessageV3, UserEntity.State, UserEntity.Result> create(
      EventSourcedBehaviorTestKit<UserEntity.Command, GeneratedMessageV3, UserEntity.State> kit) {
    return kit.runCommand(r -> new UserEntity.Create("hash-1", "Alice A", "alice@example.org", List.of("admin", "staff"),
        "/eng", "request-1", r));
  }

  private static void assertFailure(Status.Code code, UserEntity.Result reply) {
    assertNull(reply.user(), "a failed reply carries no user");
    assertEquals(code.name(), reply.failure().code());
  }

  @Test
  void createPersistsUserCreatedAndRepliesWithTheUser() {
    String login = newLogin();
    var kit = user(login);
    var result = create(kit);

    UserCreated event = assertInstanceOf(UserCreated.class, result.event());
    assertEquals(login, event.getLogin());
    assertEquals("hash-1", event.getPasswordHash());
    assertEquals("Alice A", event.getDisplayName());
    assertEquals("alice@example.org", event.getEmail());
    assertEquals(List.of("admin", "staff"), event.getRolesList());
    assertEquals("/eng", event.getGroupPath());
    assertTrue(event.getAt() > 0);

    UserEntity.State expected = new UserEntity.State(true, login, "hash-1", "Alice A", "alice@example.org",
        List.of("admin", "staff"), "/eng", event.getAt(), event.getAt(), 1, "request-1");
    assertNull(result.reply().failure());
    assertEquals(expected, result.reply().user());
    assertEquals(expected, result.state());
  }

  @Test
  void duplicateCreateFailsWithAlreadyExistsAndPersistsNothing() {
    var kit = user(newLogin());
    UserEntity.State before = create(kit).state();

    var again = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Create("hash-2", "Other", "", List.of(), "/", "", r));

    assertFailure(Status.Code.ALREADY_EXISTS, again.reply());
    assertTrue(again.hasNoEvents());
    assertEquals(before, again.state());
  }

  @Test
  void aCreateResentWithItsRequestIdReturnsTheUserItCreated() {
    var kit = user(newLogin());
    UserEntity.State first = create(kit).state();
    assertEquals("request-1", first.createRequestId());

    var resent = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Create("hash-other", "Alice A", "", List.of(), "/", "request-1", r));
    assertTrue(resent.hasNoEvents());
    assertEquals(first, resent.reply().user(), "the first attempt's user, not a second one");
    var otherRequest = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Create("hash-2", "Other", "", List.of(), "/", "request-2", r));
    assertFailure(Status.Code.ALREADY_EXISTS, otherRequest.reply());
    kit.restart();
    assertEquals("request-1", kit.getState().createRequestId(), "kept across recovery");
  }

  @Test
  void getOfAMissingUserFailsWithNotFound() {
    var kit = user(newLogin());
    var result = kit.<UserEntity.Result>runCommand(UserEntity.Get::new);
    assertFailure(Status.Code.NOT_FOUND, result.reply());
    assertTrue(result.hasNoEvents());
    assertFalse(result.state().exists());
  }

  @Test
  void updateChangesOnlyTheGivenFields() {
    var kit = user(newLogin());
    UserEntity.State before = create(kit).state();

    var result = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Update("Alice B", null, null, null, null, "", r));

    UserUpdated event = assertInstanceOf(UserUpdated.class, result.event());
    assertEquals("Alice B", event.getDisplayName());
    assertFalse(event.hasEmail());
    assertFalse(event.hasGroupPath());
    assertFalse(event.getReplaceRoles(), "roles == null must leave roles unchanged");
    UserEntity.State after = result.state();
    assertEquals(new UserEntity.State(true, before.login(), "hash-1", "Alice B", before.email(), before.roles(),
        before.groupPath(), before.createdAt(), event.getAt(), 2, before.createRequestId()), after);
    assertEquals(after, result.reply().user());
  }

  @Test
  void rolesAreReplacedOnlyWhenGiven() {
    var kit = user(newLogin());
    create(kit);

    var replaced = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Update(null, "new@example.org", List.of("viewer"),
        "/ops", null, "", r));
    UserUpdated event = assertInstanceOf(UserUpdated.class, replaced.event());
    assertTrue(event.getReplaceRoles());
    assertEquals(List.of("viewer"), replaced.state().roles());
    assertEquals("new@example.org", replaced.state().email());
    assertEquals("/ops", replaced.state().groupPath());
    assertEquals("Alice A", replaced.state().displayName());

    var cleared = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Update(null, null, List.of(), null, null, "", r));
    assertEquals(List.of(), cleared.state().roles(), "an empty, non-null list clears the roles");
  }

  @Test
  void passwordChangeEmitsPasswordChangedOnly() {
    var kit = user(newLogin());
    UserEntity.State before = create(kit).state();

    var result = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Update(null, null, null, null, "hash-2", "", r));

    PasswordChanged event = assertInstanceOf(PasswordChanged.class, result.event());
    assertEquals("hash-2", event.getPasswordHash());
    assertEquals("hash-2", result.state().passwordHash());
    assertEquals(before.displayName(), result.state().displayName());
    assertEquals(before.roles(), result.state().roles());
    assertEquals(2, result.state().version());
  }

  @Test
  void profileAndPasswordChangeTogetherEmitBothEvents() {
    var kit = user(newLogin());
    create(kit);

    var result = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Update("Alice C", null, null, null, "hash-3", "", r));

    assertEquals(2, result.events().size());
    assertInstanceOf(UserUpdated.class, result.events().get(0));
    assertInstanceOf(PasswordChanged.class, result.events().get(1));
    assertEquals("Alice C", result.state().displayName());
    assertEquals("hash-3", result.state().passwordHash());
    assertEquals(3, result.state().version());
  }

  @Test
  void updateWithNothingToChangePersistsNothing() {
    var kit = user(newLogin());
    UserEntity.State before = create(kit).state();
    var result = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Update(null, null, null, null, null, "", r));
    assertTrue(result.hasNoEvents());
    assertEquals(before, result.reply().user());
  }

  @Test
  void updateAndDeleteOfAMissingUserFailWithNotFound() {
    var kit = user(newLogin());
    var update = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Update("X", null, null, null, null, "", r));
    assertFailure(Status.Code.NOT_FOUND, update.reply());
    assertTrue(update.hasNoEvents());
    var delete = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Delete("", r));
    assertFailure(Status.Code.NOT_FOUND, delete.reply());
    assertTrue(delete.hasNoEvents());
  }

  @Test
  void deletedUserIsNotFound() {
    var kit = user(newLogin());
    UserEntity.State created = create(kit).state();

    var delete = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Delete("", r));
    assertInstanceOf(UserDeleted.class, delete.event());
    assertEquals(created, delete.reply().user(), "delete answers with the user as it was");
    assertFalse(delete.state().exists());
    assertEquals("", delete.state().passwordHash(), "a deleted user keeps no password hash");

    assertFailure(Status.Code.NOT_FOUND, kit.<UserEntity.Result>runCommand(UserEntity.Get::new).reply());
  }

  @Test
  void createAfterDeleteStartsAFreshUser() {
    var kit = user(newLogin());
    create(kit);
    kit.<UserEntity.Result>runCommand(r -> new UserEntity.Delete("", r));

    var again = kit.<UserEntity.Result>runCommand(r -> new UserEntity.Create("hash-9", "Bob", "", List.of(), "/", "", r));

    assertInstanceOf(UserCreated.class, again.event());
    assertNull(again.reply().failure());
    UserEntity.State s = again.state();
    assertTrue(s.exists());
    assertEquals("Bob", s.displayName());
    assertEquals("hash-9", s.passwordHash());
    assertEquals(List.of(), s.roles());
    assertEquals(3, s.version(), "the version counts every change of the login, across delete");
  }

  @Test
  void snapshotAdapterRoundTripsTheStateThroughProtobufBytes() throws Exception {
    String login = newLogin();
    var adapter = new UserEntity(login, "", "").snapshotAdapter();
    List<UserEntity.State> states = List.of(
        UserEntity.State.empty(login),
        new UserEntity.State(true, login, "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$aGFzaA", "Ünïcode Name",
            "a@b.example", List.of("admin", "viewer"), "/a/b", 1_700_000_000_000L, 1_700_000_000_123L, 7, "req-7"),
        new UserEntity.State(false, login, "", "", "", List.of(), "/", 0, 1_700_000_000_999L, 8, ""));
    for (UserEntity.State s : states) {
      UserSnapshot stored = assertInstanceOf(UserSnapshot.class, adapter.toJournal(s));
      UserSnapshot read = UserSnapshot.parseFrom(stored.toByteArray());
      assertEquals(s, adapter.fromJournal(read));
    }
  }

  @Test
  void restartRecoversTheSameStateFromTheJournal() {
    var kit = user(newLogin());
    create(kit);
    kit.<UserEntity.Result>runCommand(r -> new UserEntity.Update("Alice R", null, List.of("viewer"), null, "hash-r", "", r));
    UserEntity.State before = kit.getState();

    assertEquals(before, kit.restart().state());
    assertEquals(before, kit.<UserEntity.Result>runCommand(UserEntity.Get::new).reply().user());
  }

  @Test
  void restartRecoversFromASnapshotTakenEvery50Events() {
    var kit = user(newLogin());
    create(kit);
    for (int i = 0; i < 49; i++) {
      String name = "Name " + i;
      kit.<UserEntity.Result>runCommand(r -> new UserEntity.Update(name, null, null, null, null, "", r));
    }
    UserEntity.State before = kit.getState();
    assertEquals(50, before.version());

    var snapshots = kit.snapshotTestKit().orElseThrow().persistedInStorage("User|" + before.login());
    assertEquals(1, snapshots.size(), "one snapshot after 50 events");
    assertInstanceOf(UserSnapshot.class, snapshots.get(0).second(), "snapshots are stored as Protobuf");

    assertEquals(before, kit.restart().state());
  }
}
