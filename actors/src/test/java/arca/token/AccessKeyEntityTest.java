package arca.token;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import arca.proto.token.AccessKeyCreated;
import arca.proto.token.AccessKeyDeleted;
import arca.proto.user.User;
import arca.service.Failure;
import arca.testkit.EntityTestKits;
import com.google.protobuf.GeneratedMessageV3;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AccessKeyEntityTest {
  private static ActorTestKit testKit;
  private static final long CREATED_AT = 1_700_000_000_000L;

  @BeforeAll
  static void startTestKit() {
    testKit = EntityTestKits.start("AccessKeyEntityTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private record Key(String id, EventSourcedBehaviorTestKit<AccessKeyEntity.Command, GeneratedMessageV3, AccessKeyEntity.State> kit) {
    EventSourcedBehaviorTestKit.CommandResultWithReply<AccessKeyEntity.Command, GeneratedMessageV3, AccessKeyEntity.State, AccessKeyEntity.Reply> create(
        String login) {
      return kit.runCommand(r -> new AccessKeyEntity.Create(login, "laptop", "kid1", "c2VhbGVk", CREATED_AT, "uid-" + login, r));
    }

    AccessKeyEntity.Reply get() {
      return kit.<AccessKeyEntity.Reply>runCommand(AccessKeyEntity.Get::new).reply();
    }

    EventSourcedBehaviorTestKit.CommandResultWithReply<AccessKeyEntity.Command, GeneratedMessageV3, AccessKeyEntity.State, AccessKeyEntity.Deleted> delete(
        String login) {
      return kit.runCommand(r -> new AccessKeyEntity.Delete(login, r));
    }
  }

  private static Key newKey() {
    String id = Secrets.accessKeyId();
    return new Key(id, EventSourcedBehaviorTestKit.create(testKit.system(), new AccessKeyEntity(id, "", ""),
        EntityTestKits.strictSerialization()));
  }

  private static void assertCode(Status.Code expected, Failure failure) {
    assertEquals(expected.name(), failure.code());
  }

  @Test
  void createPersistsTheSealedSecretAndGetReturnsIt() {
    Key k = newKey();
    var created = k.create("alice");

    AccessKeyCreated event = assertInstanceOf(AccessKeyCreated.class, created.event());
    assertEquals("alice", event.getLogin());
    assertEquals("laptop", event.getLabel());
    assertEquals("kid1", event.getCipherKid());
    assertEquals("c2VhbGVk", event.getSealedSecret());
    assertEquals(CREATED_AT, event.getAt());
    var expected = new AccessKeyEntity.Key(k.id(), "alice", "laptop", "kid1", "c2VhbGVk", CREATED_AT, "uid-alice");
    assertEquals(new AccessKeyEntity.Reply(expected, null), created.reply());
    assertEquals(new AccessKeyEntity.Reply(expected, null), k.get());
  }

  @Test
  void anIdIsCreatedOnce() {
    Key k = newKey();
    k.create("alice");
    var again = k.create("mallory");
    assertCode(Status.Code.ALREADY_EXISTS, again.reply().failure());
    assertTrue(again.hasNoEvents());
    assertEquals("alice", k.get().key().login());
  }

  @Test
  void anUnknownKeyIsNotFound() {
    Key k = newKey();
    assertCode(Status.Code.NOT_FOUND, k.get().failure());
    assertNull(k.get().key());
  }

  @Test
  void theOwnerDeletesOnceAndTheIdNeverComesBack() {
    Key k = newKey();
    k.create("alice");

    var deleted = k.delete("alice");
    assertInstanceOf(AccessKeyDeleted.class, deleted.event());
    assertEquals(new AccessKeyEntity.Deleted(true, null), deleted.reply());
    assertCode(Status.Code.NOT_FOUND, k.get().failure());

    var again = k.delete("alice");
    assertTrue(again.hasNoEvents());
    assertEquals(new AccessKeyEntity.Deleted(false, null), again.reply());

    var recreated = k.create("alice");
    assertTrue(recreated.hasNoEvents(), "a deleted id is never live again");
    assertCode(Status.Code.ALREADY_EXISTS, recreated.reply().failure());
  }

  @Test
  void anotherLoginCannotDeleteIt() {
    Key k = newKey();
    k.create("alice");
    var refused = k.delete("bob");
    assertTrue(refused.hasNoEvents());
    assertFalse(refused.reply().now());
    assertCode(Status.Code.NOT_FOUND, refused.reply().failure());
    assertEquals("alice", k.get().key().login(), "still live");
  }

  @Test
  void deletingAKeyThatNeverExistedDeletesNothing() {
    var reply = newKey().delete("alice");
    assertTrue(reply.hasNoEvents());
    assertEquals(new AccessKeyEntity.Deleted(false, null), reply.reply());
  }

  @Test
  void restartRecoversCreationAndDeletion() {
    Key k = newKey();
    k.create("alice");
    assertEquals(k.kit().getState(), k.kit().restart().state());
    k.delete("alice");
    AccessKeyEntity.State deleted = k.kit().getState();
    assertEquals(deleted, k.kit().restart().state());
    assertCode(Status.Code.NOT_FOUND, k.get().failure());
  }

  @Test
  void aKeyBelongsToItsAccountNotToALaterOneWithTheSameLogin() {
    var user = User.newBuilder().setLogin("bob").setId("id-new").setCreatedAt(2_000).build();
    assertTrue(AccessKeyService.ownedBy(new AccessKeyEntity.Key("AK1", "bob", "", "k", "s", 3_000, "id-new"), user));
    assertFalse(AccessKeyService.ownedBy(new AccessKeyEntity.Key("AK1", "bob", "", "k", "s", 3_000, "id-old"), user),
        "another account's key, whenever it was made");
    // keys made before ids existed: a key older than the account was an earlier account's
    assertFalse(AccessKeyService.ownedBy(new AccessKeyEntity.Key("AK1", "bob", "", "k", "s", 1_000, ""), user));
    assertTrue(AccessKeyService.ownedBy(new AccessKeyEntity.Key("AK1", "bob", "", "k", "s", 2_500, ""), user));
  }
}
