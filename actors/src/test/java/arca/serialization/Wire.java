package arca.serialization;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.ActorSystem;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import akka.serialization.jackson.JacksonCborSerializer;
import arca.service.CborSerializable;
import arca.testkit.EntityTestKits;
import com.google.protobuf.Message;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigUtil;

import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Serialization as a node does it (arca-serialization.conf: Java serialization off, Protobuf for
 * {@code GeneratedMessageV3}, Jackson CBOR for {@link CborSerializable}), in an actor system named like a node's
 * ({@code arca}), plus the checks every message class must pass.
 */
final class Wire implements AutoCloseable {
  /** Akka's ProtobufSerializer (bound to "proto"). */
  static final int PROTOBUF = 2;

  final ActorTestKit kit;
  final ActorSystem<Void> system;
  final Serialization serialization;
  final Samples samples;
  final int jacksonCbor;

  Wire() {
    kit = ActorTestKit.create("arca", EntityTestKits.config());
    system = kit.system();
    serialization = SerializationExtension.get(system);
    samples = new Samples(system.deadLetters());
    // the binding name used in arca-serialization.conf, and its identifier (written into every journal row)
    jacksonCbor = system.settings().config().getInt("akka.actor.serialization-identifiers.jackson-cbor");
    if (!(serialization.serializerByIdentity().get(jacksonCbor).get() instanceof JacksonCborSerializer)) {
      throw new IllegalStateException("serializer " + jacksonCbor + " is not Jackson CBOR");
    }
  }

  /** Every production class that crosses nodes or lands on disk (Protobuf messages, entity protocol records). */
  static Set<Class<?>> messageClasses() {
    Set<Class<?>> production = MessageClasses.production();
    Set<Class<?>> all = new TreeSet<>(Comparator.comparing(Class::getName));
    all.addAll(MessageClasses.protobufMessages(production));
    all.addAll(MessageClasses.actorMessages(production));
    return all;
  }

  /** The serializer Akka picks for a class (unchecked: for classes the binding check has passed). */
  Serializer serializerFor(Class<?> c) {
    try {
      return serialization.serializerFor(c);
    } catch (NotSerializableException e) {
      throw new IllegalStateException(c.getName() + " has no serializer", e);
    }
  }

  /** The serializer a class must have: Protobuf for Protobuf messages, Jackson CBOR for everything else. */
  int expectedSerializer(Class<?> c) {
    return Message.class.isAssignableFrom(c) ? PROTOBUF : jacksonCbor;
  }

  Config migrations() {
    return system.settings().config().getConfig("akka.serialization.jackson.migrations");
  }

  boolean hasMigration(String className) {
    return migrations().hasPath(ConfigUtil.joinPath(className));
  }

  /** The manifest a class must be written with: its name, and {@code #<version>} once it has a JacksonMigration. */
  boolean stableManifest(Class<?> c, String manifest) {
    if (manifest.equals(c.getName())) return true;
    return !Message.class.isAssignableFrom(c) && hasMigration(c.getName())
        && manifest.matches(Pattern.quote(c.getName()) + "#[0-9]+");
  }

  /** What is wrong with how a class is serialized (empty: an explicit serializer, a stable manifest, a round trip). */
  List<String> problems(Class<?> c) {
    List<String> out = new ArrayList<>();
    Serializer serializer;
    try {
      serializer = serialization.serializerFor(c);
    } catch (Exception e) {
      out.add(c.getName() + ": no serializer (" + e.getMessage() + "): implement arca.service.CborSerializable "
          + "or make it a Protobuf message");
      return out;
    }
    if (serializer.identifier() != expectedSerializer(c)) {
      out.add(c.getName() + ": serialized by " + serializer.getClass().getName() + " (id " + serializer.identifier()
          + "), expected id " + expectedSerializer(c));
      return out;
    }
    Object sample;
    try {
      sample = samples.of(c);
    } catch (RuntimeException e) {
      out.add(c.getName() + ": no sample instance: " + e.getMessage()
          + (e.getCause() != null ? " (" + e.getCause() + ")" : ""));
      return out;
    }
    String manifest = Serializers.manifestFor(serializer, sample);
    if (!stableManifest(c, manifest)) out.add(c.getName() + ": unstable manifest '" + manifest + "'");
    try {
      byte[] bytes = serialization.serialize(sample).get(); // with the transport information ActorRefs need
      Object back = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
      if (!sample.equals(back)) out.add(c.getName() + ": round trip changed it: " + sample + " -> " + back);
    } catch (Exception e) {
      out.add(c.getName() + ": round trip failed: " + e);
    }
    return out;
  }

  @Override
  public void close() {
    kit.shutdownTestKit();
  }
}
