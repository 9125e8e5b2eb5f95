package arca.tree;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Behaviors;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import arca.proto.tree.ChildPropsChanged;
import arca.proto.tree.ChildPut;
import arca.proto.tree.FolderSnapshot;
import arca.testkit.EntityTestKits;
import com.google.protobuf.GeneratedMessageV3;
import com.google.protobuf.InvalidProtocolBufferException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One folder's children's dead properties: events, replies, recovery and the snapshot. */
class FolderEntityTest {
  private static ActorTestKit testKit;
  private static final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  static void startTestKit() {
    testKit = ActorTestKit.create("FolderEntityTest",
        ConfigFactory.parseString("arca.ask-timeout = 5s").withFallback(EntityTestKits.config()));
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<FolderEntity.Command, GeneratedMessageV3, Folder> newFolder() {
    String id = "ds/folder-" + ids.incrementAndGet();
    // the state (a mutable index) is never serialized itself: its snapshot is, see below
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        Behaviors.setup(ctx -> new FolderEntity(id, ctx, "", "")),
        EntityTestKits.strictSerialization().withVerifyState(false));
  }

  private static Entry file(String name, String blob, Map<String, String> props) {
    return new Entry("", name, false, 1, "e", 1, 0, blob, "", "", null, 0, null, "", props);
  }

  @Test
  void propertyChangesPersistOnlyWhatChangesAndSurviveRecoveryAndSnapshots() {
    var folder = newFolder();
    Map<String, String> copied = Map.of("{urn:x}c", "copied");
    var created = folder.<FolderEntity.Reply>runCommand(r -> new FolderEntity.EnsureFolder("sub", "", copied, r));
    assertEquals(copied, assertInstanceOf(ChildPut.class, created.event()).getChild().getPropsMap());
    folder.<FolderEntity.Reply>runCommand(r -> new FolderEntity.PutFile(file("a.txt", "b1", Map.of()), null, false, false, r));

    var set = folder.<FolderEntity.Reply>runCommand(r -> new FolderEntity.SetProps("a.txt",
        Map.of("{urn:x}a", "1", "{urn:x}b", "2"), List.of(), "req-1", r));
    assertEquals(Map.of("{urn:x}a", "1", "{urn:x}b", "2"), set.reply().entry().props());
    var change = folder.<FolderEntity.Reply>runCommand(r -> new FolderEntity.SetProps("a.txt",
        Map.of("{urn:x}a", "1", "{urn:x}c", "3"), List.of("{urn:x}b", "{urn:x}a", "{urn:x}none"), "", r));
    ChildPropsChanged e = assertInstanceOf(ChildPropsChanged.class, change.event());
    assertEquals(Map.of("{urn:x}c", "3"), e.getSetMap(), "a value set again as it was is no change");
    assertEquals(List.of("{urn:x}b"), e.getRemovedList(), "only names there and not set again");
    assertEquals(Map.of("{urn:x}a", "1", "{urn:x}c", "3"), change.reply().entry().props());
    assertTrue(folder.<FolderEntity.Reply>runCommand(r -> new FolderEntity.SetProps("a.txt",
        Map.of("{urn:x}c", "3"), List.of("{urn:x}b"), "", r)).hasNoEvents(), "nothing to change");
    assertTrue(folder.<FolderEntity.Reply>runCommand(r -> new FolderEntity.SetProps("a.txt",
        Map.of("{urn:x}a", "again"), List.of(), "req-1", r)).hasNoEvents(), "applied once");
    assertEquals("NOT_FOUND", folder.<FolderEntity.Reply>runCommand(r -> new FolderEntity.SetProps("b.txt",
        Map.of("{urn:x}a", "1"), List.of(), "", r)).reply().failure().code());

    // new content keeps them; a copy's content brings its own
    var v2 = folder.<FolderEntity.Reply>runCommand(r -> new FolderEntity.PutFile(file("a.txt", "b2", Map.of()), null, false, false, r));
    assertEquals(Map.of("{urn:x}a", "1", "{urn:x}c", "3"), v2.reply().entry().props());
    var copy = folder.<FolderEntity.Reply>runCommand(r -> new FolderEntity.PutFile(file("c.txt", "b3", copied), null, true, true, r));
    assertEquals(copied, copy.reply().entry().props());

    folder.restart();
    assertEquals(Map.of("{urn:x}a", "1", "{urn:x}c", "3"), folder.getState().get("a.txt").getPropsMap(), "recovered");
    assertEquals(copied, folder.getState().get("sub").getPropsMap());

    FolderSnapshot snapshot = folder.getState().snapshot();
    Folder back;
    try {
      back = Folder.of(FolderSnapshot.parseFrom(snapshot.toByteArray()));
    } catch (InvalidProtocolBufferException x) {
      throw new AssertionError(x);
    }
    assertEquals(Map.of("{urn:x}a", "1", "{urn:x}c", "3"), back.get("a.txt").getPropsMap(), "through a snapshot");
    assertEquals(copied, back.get("sub").getPropsMap());
    assertEquals(copied, back.get("c.txt").getPropsMap());
  }
}
