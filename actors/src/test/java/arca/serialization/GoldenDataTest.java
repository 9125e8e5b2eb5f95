package arca.serialization;

import akka.serialization.Serializer;
import akka.serialization.Serializers;
import arca.proto.user.DeleteUserResponse;
import arca.proto.user.UserCreated;
import arca.user.UserEntity;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The golden data ({@code src/test/resources/golden/<service>/}): serialized samples of every persisted event and
 * snapshot and every message that crosses nodes, each written once by the build that introduced its class (or a
 * field of it) and never rewritten. This test proves the current code still reads every one of them, field by
 * field, and fails when a current class (or field) has no golden file yet.
 *
 * <p>Add the missing files with {@code ./arca golden} (the same as
 * {@code mvn -pl actors -am test -Dtest=GoldenDataTest -Dsurefire.failIfNoSpecifiedTests=false -Darca.golden.write=true})
 * and commit them.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GoldenDataTest {
  static final String HOW_TO_ADD = "run ./arca golden and commit the new files under actors/src/test/resources/golden";

  /**
   * Record components (Class$Record.component) that may read as null when an older build did not send them: null is
   * their meaning there. Every other component added to a record must default in the compact constructor.
   */
  static final Set<String> NULL_WHEN_ABSENT = Set.of();

  private static Wire wire;
  private static Golden golden;
  private static Set<Class<?>> current;

  @BeforeAll
  static void start() {
    wire = new Wire();
    golden = new Golden(Path.of(System.getProperty("arca.golden.dir", "src/test/resources/golden")));
    current = Wire.messageClasses();
  }

  @AfterAll
  static void stop() {
    wire.close();
  }

  @Test
  @Order(1)
  @EnabledIfSystemProperty(named = "arca.golden.write", matches = "true")
  void writeMissingGoldenFiles() {
    List<String> written = new ArrayList<>();
    for (Class<?> c : current) {
      if (uncovered(golden, c).isEmpty()) continue;
      Serializer serializer = wire.serializerFor(c);
      Object sample = wire.samples.of(c);
      Golden.Entry e = golden.add(Golden.service(c), serializer.identifier(), Serializers.manifestFor(serializer, sample),
          c, Golden.signature(c), wire.serialization.serialize(sample).get());
      written.add(e.service() + "/" + e.file());
    }
    System.out.println("golden files written under " + golden.root().toAbsolutePath() + ": " + written.size()
        + (written.isEmpty() ? "" : "\n  " + String.join("\n  ", written)));
  }

  @Test
  @Order(2)
  void everyMessageClassHasGoldenData() {
    List<String> missing = new ArrayList<>();
    for (Class<?> c : current) {
      Set<String> u = uncovered(golden, c);
      if (u.contains(NO_FILE)) missing.add(c.getName());
      else if (!u.isEmpty()) missing.add(c.getName() + " (fields " + u + ")");
    }
    assertEquals(List.of(), missing, missing.size() + " message classes or fields have no golden file: "
        + HOW_TO_ADD + "\n" + String.join("\n", missing));
  }

  @Test
  @Order(3)
  void everyGoldenFileReadsWithTheCurrentCode() {
    List<Golden.Entry> entries = golden.entries();
    assertTrue(entries.size() >= current.size(), "golden files: " + entries.size() + ", message classes: "
        + current.size() + " (" + HOW_TO_ADD + ")");
    List<String> problems = new ArrayList<>();
    golden.unlisted().forEach(f -> problems.add(f + ": in no index.tsv"));
    for (Golden.Entry e : entries) problems.addAll(read(e, golden.bytes(e)));
    assertEquals(List.of(), problems, problems.size() + " problems reading " + entries.size() + " golden files:\n"
        + String.join("\n", problems));
  }

  // ---- the checks fail when they should ----

  @Test
  void aFieldRetypedOrRemovedWithoutReservingItIsReported(@TempDir Path dir) {
    Golden g = new Golden(dir);
    Class<?> c = UserCreated.class;
    // as if field 7 ("at", int64) had been a string, and a field 40 had existed and been removed without "reserved 40"
    Map<String, String> signature = new LinkedHashMap<>(Golden.signature(c));
    signature.put("7", "string");
    signature.put("40", "int64");
    Message withField40 = ((Message) wire.samples.of(c)).toBuilder().setUnknownFields(UnknownFieldSet.newBuilder()
        .addField(40, UnknownFieldSet.Field.newBuilder().addVarint(5).build()).build()).build();
    Golden.Entry e = g.add("user", Wire.PROTOBUF, c.getName(), c, signature, withField40.toByteArray());
    List<String> problems = read(e, g.bytes(e));
    assertEquals(3, problems.size(), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains("field 7 retyped from string to int64")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains("field 40 (int64) was removed but is not reserved")), problems.toString());
    assertTrue(problems.stream().anyMatch(p -> p.contains("holds field 40")), problems.toString());
  }

  @Test
  void aValueReadDifferentlyAndAClassWithoutGoldenFileAreReported(@TempDir Path dir) {
    Golden g = new Golden(dir);
    Class<?> c = UserEntity.State.class;
    assertTrue(uncovered(g, c).contains(NO_FILE));
    assertTrue(uncovered(g, DeleteUserResponse.class).contains(NO_FILE)); // no fields, still a file
    UserEntity.State s = (UserEntity.State) wire.samples.of(c);
    UserEntity.State other = new UserEntity.State(s.exists(), "someone-else", s.passwordHash(),
        s.displayName(), s.email(), s.roles(), s.groupPath(), s.createdAt(), s.updatedAt(), s.version(),
        s.createRequestId(), s.id());
    Golden.Entry e = g.add("user", wire.jacksonCbor, c.getName(), c, Golden.signature(c),
        wire.serialization.serialize(other).get());
    assertEquals(Set.of(), uncovered(g, c));
    List<String> problems = read(e, g.bytes(e));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains(".login"), problems.get(0));
  }

  @Test
  void aRecordComponentAddedWithoutDefaultIsReported(@TempDir Path dir) throws IOException {
    // UserEntity.Create as a build without requestId sent it: the current code must read requestId as "", not null
    Golden g = new Golden(dir);
    Class<?> c = UserEntity.Create.class;
    ObjectMapper cbor = new ObjectMapper(new CBORFactory());
    byte[] current = wire.serialization.serialize(wire.samples.of(c)).get();
    ObjectNode tree = (ObjectNode) cbor.readTree(current);
    tree.remove("requestId");
    Map<String, String> signature = new LinkedHashMap<>(Golden.signature(c));
    signature.remove("requestId");
    Golden.Entry e = g.add("user", wire.jacksonCbor, c.getName(), c, signature, cbor.writeValueAsBytes(tree));
    assertEquals(Set.of("requestId"), uncovered(g, c));
    assertEquals(List.of(), read(e, g.bytes(e)));
    UserEntity.Create old = (UserEntity.Create) wire.serialization
        .deserialize(g.bytes(e), wire.jacksonCbor, c.getName()).get();
    assertEquals("", old.requestId());
    // and the check catches a component that would read as null
    Class<?> state = UserEntity.State.class;
    tree = (ObjectNode) cbor.readTree(wire.serialization.serialize(wire.samples.of(state)).get());
    tree.remove("passwordHash");
    Golden.Entry s = g.add("user", wire.jacksonCbor, state.getName(), state, Golden.signature(state),
        cbor.writeValueAsBytes(tree));
    List<String> problems = read(s, g.bytes(s));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).contains("passwordHash") && problems.get(0).contains("null"), problems.get(0));
  }

  // ---- coverage ----

  static final String NO_FILE = "(no golden file)";

  /**
   * The current fields (or components) of a class that no golden file of its current manifest holds, and
   * {@link #NO_FILE} when there is no such file at all (a message without fields needs one too).
   */
  static Set<String> uncovered(Golden g, Class<?> c) {
    Serializer serializer = wire.serializerFor(c);
    String manifest = Serializers.manifestFor(serializer, wire.samples.of(c));
    Set<String> left = new TreeSet<>(Golden.signature(c).keySet());
    left.add(NO_FILE);
    for (Golden.Entry e : g.entries()) {
      if (e.manifest().equals(manifest) && e.serializerId() == serializer.identifier()) {
        left.remove(NO_FILE);
        left.removeAll(e.signature().keySet());
      }
    }
    return left;
  }

  // ---- reading one golden file ----

  static List<String> read(Golden.Entry e, byte[] bytes) {
    String at = e.service() + "/" + e.file();
    List<String> out = new ArrayList<>();
    Class<?> c;
    try {
      c = Class.forName(e.className(), false, GoldenDataTest.class.getClassLoader());
    } catch (ClassNotFoundException x) {
      c = null;
    }
    boolean migrated = e.serializerId() != Wire.PROTOBUF && wire.hasMigration(e.className());
    Object read;
    try {
      read = wire.serialization.deserialize(bytes, e.serializerId(), e.manifest()).get();
    } catch (Exception x) {
      out.add(at + ": cannot be read: " + x + (c == null ? " (class " + e.className() + " is gone: "
          + (e.serializerId() == Wire.PROTOBUF ? "persisted data may hold it, keep the message"
          : "add a JacksonMigration that renames it") + ")" : ""));
      return out;
    }
    if (c == null || migrated) {
      // renamed or reshaped by a JacksonMigration: it must become a current message class
      if (!current.contains(read.getClass())) out.add(at + ": reads as " + read.getClass().getName() + ", not a message class");
      return out;
    }
    if (!c.isInstance(read)) {
      out.add(at + ": reads as " + read.getClass().getName() + ", expected " + c.getName());
      return out;
    }
    Object sample = wire.samples.of(c);
    if (read instanceof Message m) {
      signatureOfProto(at, m.getDescriptorForType(), e.signature(), out);
      compareProto(at, m, (Message) sample, out);
    } else {
      signatureOfRecord(at, c, e.signature(), out);
      JsonNode tree;
      try {
        tree = new ObjectMapper(new CBORFactory()).readTree(bytes);
      } catch (IOException x) {
        out.add(at + ": not CBOR: " + x);
        return out;
      }
      compareRecord(at, read, sample, tree, out);
    }
    return out;
  }

  private static void signatureOfProto(String at, Descriptor d, Map<String, String> was, List<String> out) {
    for (Map.Entry<String, String> f : was.entrySet()) {
      int number = Integer.parseInt(f.getKey());
      FieldDescriptor now = d.findFieldByNumber(number);
      if (now == null) {
        if (!d.isReservedNumber(number)) {
          out.add(at + ": field " + number + " (" + f.getValue() + ") was removed but is not reserved in " + d.getFullName());
        }
      } else if (!Golden.fieldType(now).equals(f.getValue())) {
        out.add(at + ": field " + number + " retyped from " + f.getValue() + " to " + Golden.fieldType(now)
            + " (add a new field instead)");
      }
    }
  }

  private static void signatureOfRecord(String at, Class<?> c, Map<String, String> was, List<String> out) {
    Map<String, String> now = Golden.signature(c);
    for (Map.Entry<String, String> f : was.entrySet()) {
      if (!now.containsKey(f.getKey())) {
        out.add(at + ": component " + f.getKey() + " was removed (add a JacksonMigration for " + c.getName() + ")");
      } else if (!now.get(f.getKey()).equals(f.getValue())) {
        out.add(at + ": component " + f.getKey() + " retyped from " + f.getValue() + " to " + now.get(f.getKey()));
      }
    }
  }

  /** Every field the golden file holds reads as the value the deterministic sample has; unknown fields are reserved. */
  private static void compareProto(String at, Message read, Message sample, List<String> out) {
    Descriptor d = read.getDescriptorForType();
    for (Integer number : read.getUnknownFields().asMap().keySet()) {
      if (!d.isReservedNumber(number)) {
        out.add(at + ": holds field " + number + " that " + d.getFullName() + " neither knows nor reserves");
      }
    }
    for (FieldDescriptor f : d.getFields()) {
      String path = at + "." + f.getName();
      if (f.isRepeated()) {
        int n = read.getRepeatedFieldCount(f);
        if (n == 0) continue; // a field added since the file was written
        if (n != sample.getRepeatedFieldCount(f)) {
          out.add(path + ": " + n + " elements, expected " + sample.getRepeatedFieldCount(f));
          continue;
        }
        for (int i = 0; i < n; i++) compareValue(path + "[" + i + "]", read.getRepeatedField(f, i), sample.getRepeatedField(f, i), out);
      } else if (read.hasField(f)) {
        compareValue(path, read.getField(f), sample.getField(f), out);
      }
    }
  }

  private static void compareValue(String at, Object read, Object sample, List<String> out) {
    if (read instanceof Message r && sample instanceof Message s) {
      compareProto(at, r, s, out);
    } else if (!Objects.equals(read, sample)) {
      out.add(at + ": reads as " + read + ", expected " + sample);
    }
  }

  /** Every component the golden file holds reads as the sample's value; the ones added since default to non-null. */
  private static void compareRecord(String at, Object read, Object sample, JsonNode tree, List<String> out) {
    Class<?> c = read.getClass();
    if (!c.isRecord() || tree == null || !tree.isObject()) {
      if (!Objects.equals(read, sample)) out.add(at + ": reads as " + read + ", expected " + sample);
      return;
    }
    Set<String> components = new HashSet<>();
    for (RecordComponent rc : c.getRecordComponents()) {
      components.add(rc.getName());
      String path = at + "." + rc.getName();
      Object r = component(rc, read);
      JsonNode node = tree.get(rc.getName());
      if (node == null) {
        if (r == null && !NULL_WHEN_ABSENT.contains(c.getName() + "." + rc.getName())) {
          out.add(path + ": absent from this older file and read as null: give it a default in "
              + c.getSimpleName() + "'s compact constructor");
        }
        continue;
      }
      Object s = component(rc, sample);
      if (r instanceof List<?> rl && s instanceof List<?> sl && node.isArray()) {
        if (rl.size() != sl.size()) {
          out.add(path + ": " + rl.size() + " elements, expected " + sl.size());
          continue;
        }
        for (int i = 0; i < rl.size(); i++) compareRecord(path + "[" + i + "]", rl.get(i), sl.get(i), node.get(i), out);
      } else if (r != null && r.getClass().isRecord()) {
        compareRecord(path, r, s, node, out);
      } else if (!Objects.equals(r, s)) {
        out.add(path + ": reads as " + r + ", expected " + s);
      }
    }
    for (Iterator<String> names = tree.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!components.contains(name)) out.add(at + ": holds '" + name + "' that " + c.getName() + " no longer has");
    }
  }

  private static Object component(RecordComponent rc, Object record) {
    try {
      var accessor = rc.getAccessor();
      accessor.setAccessible(true);
      return accessor.invoke(record);
    } catch (ReflectiveOperationException x) {
      throw new IllegalStateException(x);
    }
  }
}
