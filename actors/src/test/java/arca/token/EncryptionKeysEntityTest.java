package arca.token;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import arca.proto.token.EncryptionKeyAdded;
import arca.proto.token.EncryptionKeysSnapshot;
import arca.testkit.EntityTestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EncryptionKeysEntityTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void startTestKit() {
    testKit = EntityTestKits.start("EncryptionKeysEntityTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void theFirstOfferedKeyIsKeptForGood() {
    var kit = EventSourcedBehaviorTestKit.create(testKit.system(), new EncryptionKeysEntity("", "", SigningKeysEntityTest.MASTER),
        EntityTestKits.strictSerialization());
    assertTrue(kit.<EncryptionKeysEntity.State>runCommand(EncryptionKeysEntity.GetKeys::new).reply().keys().isEmpty());

    String key = Secrets.random(32);
    var first = kit.<EncryptionKeysEntity.State>runCommand(r -> new EncryptionKeysEntity.AddKeyIfNone("k1", key, r));
    EncryptionKeyAdded added = assertInstanceOf(EncryptionKeyAdded.class, first.event());
    assertEquals("k1", added.getKid());
    assertEquals("", added.getKey(), "no key in plain in the journal");
    assertFalse(added.getSealedKey().contains(key));
    assertEquals(key, SigningKeysEntityTest.MASTER.open(added.getSealedKey(), "EncryptionKeys/k1"));

    var second = kit.<EncryptionKeysEntity.State>runCommand(r -> new EncryptionKeysEntity.AddKeyIfNone("k2", Secrets.random(32), r));
    assertTrue(second.hasNoEvents(), "a second node's offer loses");
    assertEquals(List.of("k1"), second.reply().keys().stream().map(EncryptionKeysEntity.Key::kid).toList());

    assertEquals(first.state(), kit.restart().state());
  }

  @Test
  void keyMaterialIsNotPrinted() {
    String key = Secrets.random(32);
    assertFalse(new EncryptionKeysEntity.Key("k1", key, 1L).toString().contains(key));
  }

  @Test
  void snapshotAdapterRoundTripsTheKeys() throws Exception {
    var adapter = new EncryptionKeysEntity("", "", SigningKeysEntityTest.MASTER).snapshotAdapter();
    var state = new EncryptionKeysEntity.State(List.of(new EncryptionKeysEntity.Key("k1", Secrets.random(32), 1L),
        new EncryptionKeysEntity.Key("k2", Secrets.random(32), 2L)));
    EncryptionKeysSnapshot stored = assertInstanceOf(EncryptionKeysSnapshot.class, adapter.toJournal(state));
    assertFalse(stored.toString().contains(state.keys().get(0).key()), "snapshots hold the keys sealed");
    assertEquals(state, adapter.fromJournal(EncryptionKeysSnapshot.parseFrom(stored.toByteArray())));
  }

  @Test
  void plainKeysOfAnOlderBuildAreSealedAgainByTheFirstCommand() throws Exception {
    var kit = EventSourcedBehaviorTestKit.create(testKit.system(), new EncryptionKeysEntity("", "", SigningKeysEntityTest.MASTER),
        EntityTestKits.strictSerialization());
    String key = Secrets.random(32);
    kit.initialize(new Object[] {EncryptionKeyAdded.newBuilder().setKid("k1").setKey(key).setAt(1).build()});
    var result = kit.<EncryptionKeysEntity.State>runCommand(r -> new EncryptionKeysEntity.AddKeyIfNone("k2", Secrets.random(32), r));
    assertEquals(List.of("k1"), result.reply().keys().stream().map(EncryptionKeysEntity.Key::kid).toList());
    assertEquals(key, result.reply().keys().get(0).key());
    List<Object> stored = plainDeleted(kit, "EncryptionKeys|access-keys");
    assertFalse(stored.isEmpty());
    for (Object e : stored) assertEquals("", ((EncryptionKeyAdded) e).getKey(), stored.toString());
    assertEquals(result.state(), kit.restart().state());
  }

  /** The stored events once the plain ones are deleted (the deletion follows the snapshot, asynchronously). */
  static List<Object> plainDeleted(EventSourcedBehaviorTestKit<?, ?, ?> kit, String persistenceId) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    List<Object> stored = kit.persistenceTestKit().persistedInStorage(persistenceId);
    while (stored.stream().anyMatch(e -> !((EncryptionKeyAdded) e).getKey().isEmpty()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      stored = kit.persistenceTestKit().persistedInStorage(persistenceId);
    }
    return stored;
  }
}
