package arca.serialization;

import akka.actor.typed.ActorRef;
import arca.proto.user.UserCreated;
import arca.proto.user.UserSnapshot;
import arca.service.CborSerializable;
import arca.testkit.TestNode;
import arca.tree.FolderEntity;
import arca.user.UserEntity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every class that can cross nodes or land on disk has an explicit serializer (Protobuf or Jackson CBOR, never
 * Java), a stable manifest, and a sample instance that survives a round trip. Classes are found on the classpath
 * (see {@link MessageClasses}), so a new service or message is checked without being listed here.
 */
class SerializationBindingsTest {
  private static Wire wire;
  private static Set<Class<?>> production;

  @BeforeAll
  static void start() {
    wire = new Wire();
    production = MessageClasses.production();
  }

  @AfterAll
  static void stop() {
    wire.close();
  }

  @Test
  void javaSerializationIsOff() {
    assertFalse(wire.system.settings().config().getBoolean("akka.actor.allow-java-serialization"));
    // a java.io.Serializable class with no binding gets no working serializer
    assertFalse(wire.problems(ArrayList.class).isEmpty());
  }

  @Test
  void discoveryFindsTheMessagesOfEveryService() {
    Set<Class<?>> protos = MessageClasses.protobufMessages(production);
    Set<Class<?>> records = MessageClasses.actorMessages(production);
    assertTrue(protos.containsAll(Set.of(UserCreated.class, UserSnapshot.class)), "proto messages: " + protos);
    // commands, replies, and a command only an entity sends itself
    assertTrue(records.containsAll(Set.of(UserEntity.Create.class, UserEntity.Result.class, UserEntity.State.class,
        FolderEntity.PageReply.class, FolderEntity.ListParams.class)), "records: " + records);
    assertTrue(records.stream().anyMatch(c -> c.getName().equals("arca.tree.FolderEntity$AdoptAnswered")));
    Set<String> withProtos = new TreeSet<>();
    protos.forEach(c -> withProtos.add(Golden.service(c)));
    assertTrue(withProtos.containsAll(TestNode.SERVICES), "services with proto messages: " + withProtos);
    Set<String> entityTypes = new TreeSet<>();
    MessageClasses.entityCommandTypes(production).forEach(c -> entityTypes.add(c.getName()));
    assertTrue(entityTypes.containsAll(Set.of("arca.user.UserEntity$Command", "arca.role.RoleEntity$Command",
        "arca.token.SessionEntity$Command", "arca.workspace.WorkspaceEntity$Command",
        "arca.tree.FolderEntity$Command", "arca.tree.CopyJobEntity$Command", "arca.acl.AclEntity$Command")),
        "entity command types: " + entityTypes);
  }

  @Test
  void everyMessageHasAnExplicitSerializerAStableManifestAndRoundTrips() {
    Set<Class<?>> all = Wire.messageClasses();
    List<String> problems = new ArrayList<>();
    for (Class<?> c : all) problems.addAll(wire.problems(c));
    assertEquals(List.of(), problems, problems.size() + " of " + all.size() + " message classes:\n"
        + String.join("\n", problems));
  }

  // ---- the check fails when it should ----

  record Unbound(String text) {}

  sealed interface Protocol extends CborSerializable permits Ask {}

  record Ask(String question, ActorRef<Answer> replyTo) implements Protocol {}

  /** A reply type that forgot the marker: reachable from the protocol, so found, and refused. */
  record Answer(String text) {}

  @Test
  void aRecordWithoutBindingIsReported() {
    List<String> problems = wire.problems(Unbound.class);
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("no serializer") || problems.get(0).contains("expected id"), problems.get(0));
  }

  @Test
  void aReplyTypeWithoutTheMarkerIsFoundThroughItsCommandAndReported() {
    Set<Class<?>> found = new TreeSet<>(Comparator.comparing(Class::getName));
    MessageClasses.reachable(Protocol.class, found);
    assertEquals(Set.of(Ask.class.getName(), Answer.class.getName()),
        new TreeSet<>(found.stream().map(Class::getName).toList()));
    assertTrue(wire.problems(Ask.class).isEmpty(), wire.problems(Ask.class).toString());
    assertFalse(wire.problems(Answer.class).isEmpty());
  }
}
