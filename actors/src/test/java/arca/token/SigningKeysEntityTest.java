package arca.token;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import arca.proto.token.SigningKeyAdded;
import arca.proto.token.SigningKeysSnapshot;
import arca.testkit.EntityTestKits;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SigningKeysEntityTest {
  static final MasterKey MASTER = MasterKeyTest.randomKey();
  private static ActorTestKit testKit;

  @BeforeAll
  static void startTestKit() {
    testKit = EntityTestKits.start("SigningKeysEntityTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  @Test
  void theFirstOfferedKeyIsKeptForGood() {
    var kit = EventSourcedBehaviorTestKit.create(testKit.system(), new SigningKeysEntity("", "", MASTER),
        EntityTestKits.strictSerialization());
    assertTrue(kit.<SigningKeysEntity.State>runCommand(SigningKeysEntity.GetKeys::new).reply().keys().isEmpty());

    var first = kit.<SigningKeysEntity.State>runCommand(r -> new SigningKeysEntity.AddKeyIfNone("k1", "{\"jwk\":1}", r));
    SigningKeyAdded added = assertInstanceOf(SigningKeyAdded.class, first.event());
    assertEquals("k1", added.getKid());
    assertEquals("", added.getPrivateJwk(), "no key in plain in the journal");
    assertFalse(added.getSealedPrivateJwk().contains("jwk"), added.toString());
    assertEquals("{\"jwk\":1}", MASTER.open(added.getSealedPrivateJwk(), "SigningKeys/k1"));
    assertEquals("{\"jwk\":1}", first.reply().keys().get(0).privateJwk(), "plain in memory and in replies");

    var second = kit.<SigningKeysEntity.State>runCommand(r -> new SigningKeysEntity.AddKeyIfNone("k2", "{\"jwk\":2}", r));
    assertTrue(second.hasNoEvents(), "a second node's offer loses");
    assertEquals(List.of("k1"), second.reply().keys().stream().map(SigningKeysEntity.Key::kid).toList());

    assertEquals(first.state(), kit.restart().state());
  }

  @Test
  void snapshotAdapterRoundTripsTheKeys() throws Exception {
    var adapter = new SigningKeysEntity("", "", MASTER).snapshotAdapter();
    var state = new SigningKeysEntity.State(List.of(new SigningKeysEntity.Key("k1", "{}", 1L),
        new SigningKeysEntity.Key("k2", "{\"a\":1}", 2L)));
    SigningKeysSnapshot stored = assertInstanceOf(SigningKeysSnapshot.class, adapter.toJournal(state));
    assertFalse(stored.toString().contains("\"a\""), "snapshots hold the keys sealed: " + stored);
    assertEquals(state, adapter.fromJournal(SigningKeysSnapshot.parseFrom(stored.toByteArray())));
  }

  /** An older build's journal: keys in plain. Read as they are; the first command seals them again. */
  @Test
  void plainKeysOfAnOlderBuildAreSealedAgainByTheFirstCommand() throws Exception {
    var kit = EventSourcedBehaviorTestKit.create(testKit.system(), new SigningKeysEntity("", "", MASTER),
        EntityTestKits.strictSerialization());
    kit.initialize(new Object[] {SigningKeyAdded.newBuilder().setKid("old").setPrivateJwk("{\"old\":1}").setAt(1).build(),
        SigningKeyAdded.newBuilder().setKid("new").setPrivateJwk("{\"new\":2}").setAt(2).build()});
    var result = kit.<SigningKeysEntity.State>runCommand(SigningKeysEntity.GetKeys::new);
    assertEquals(List.of("old", "new"), result.reply().keys().stream().map(SigningKeysEntity.Key::kid).toList());
    assertEquals("{\"old\":1}", result.reply().keys().get(0).privateJwk());
    // sealed again, snapshot taken, the events before it deleted: no key in plain is left in the journal
    List<Object> stored = plainDeleted(kit, "SigningKeys|jwt");
    assertFalse(stored.isEmpty());
    for (Object e : stored) {
      assertEquals("", ((SigningKeyAdded) e).getPrivateJwk(), stored.toString());
      assertFalse(((SigningKeyAdded) e).getSealedPrivateJwk().isEmpty());
    }
    assertTrue(kit.<SigningKeysEntity.State>runCommand(SigningKeysEntity.GetKeys::new).hasNoEvents(), "sealed once");
    assertEquals(result.state(), kit.restart().state());
  }

  /** A journal sealed with another master key does not open: the entity fails instead of signing with garbage. */
  @Test
  void anotherMasterKeyDoesNotOpenTheKeys() {
    var sealedElsewhere = SigningKeyAdded.newBuilder().setKid("k1").setAt(1)
        .setSealedPrivateJwk(MasterKeyTest.randomKey().seal("{}", "SigningKeys/k1")).build();
    var adapter = new SigningKeysEntity("", "", MASTER).snapshotAdapter();
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> adapter.fromJournal(SigningKeysSnapshot.newBuilder().addKeys(sealedElsewhere).build()));
    assertTrue(e.getMessage().contains("not with this node's master key"), e.getMessage());
  }

  /** The stored events once the plain ones are deleted (the deletion follows the snapshot, asynchronously). */
  static List<Object> plainDeleted(EventSourcedBehaviorTestKit<?, ?, ?> kit, String persistenceId) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    List<Object> stored = kit.persistenceTestKit().persistedInStorage(persistenceId);
    while (stored.stream().anyMatch(e -> !((SigningKeyAdded) e).getPrivateJwk().isEmpty()) && System.nanoTime() < deadline) {
      Thread.sleep(50);
      stored = kit.persistenceTestKit().persistedInStorage(persistenceId);
    }
    return stored;
  }
}
