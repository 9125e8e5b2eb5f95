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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SigningKeysEntityTest {
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
    var kit = EventSourcedBehaviorTestKit.create(testKit.system(), new SigningKeysEntity("", ""),
        EntityTestKits.strictSerialization());
    assertTrue(kit.<SigningKeysEntity.State>runCommand(SigningKeysEntity.GetKeys::new).reply().keys().isEmpty());

    var first = kit.<SigningKeysEntity.State>runCommand(r -> new SigningKeysEntity.AddKeyIfNone("k1", "{\"jwk\":1}", r));
    assertEquals("k1", assertInstanceOf(SigningKeyAdded.class, first.event()).getKid());

    var second = kit.<SigningKeysEntity.State>runCommand(r -> new SigningKeysEntity.AddKeyIfNone("k2", "{\"jwk\":2}", r));
    assertTrue(second.hasNoEvents(), "a second node's offer loses");
    assertEquals(List.of("k1"), second.reply().keys().stream().map(SigningKeysEntity.Key::kid).toList());

    assertEquals(first.state(), kit.restart().state());
  }

  @Test
  void snapshotAdapterRoundTripsTheKeys() throws Exception {
    var adapter = new SigningKeysEntity("", "").snapshotAdapter();
    var state = new SigningKeysEntity.State(List.of(new SigningKeysEntity.Key("k1", "{}", 1L),
        new SigningKeysEntity.Key("k2", "{\"a\":1}", 2L)));
    SigningKeysSnapshot stored = assertInstanceOf(SigningKeysSnapshot.class, adapter.toJournal(state));
    assertEquals(state, adapter.fromJournal(SigningKeysSnapshot.parseFrom(stored.toByteArray())));
  }
}
