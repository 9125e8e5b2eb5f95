package arca.testkit;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;

/**
 * The actor test kit for entity unit tests: Akka's in-memory persistence test kit over the real serialization
 * bindings of a node (arca-serialization.conf: Java serialization off, commands in Jackson CBOR, events and
 * snapshots in Protobuf), so that every command, event and state a test runs is also serialized and read back.
 * Akka 2.8 has no JUnit 5 extension: create it in {@code @BeforeAll}, shut it down in {@code @AfterAll}.
 */
public final class EntityTestKits {
  private EntityTestKits() {}

  public static ActorTestKit start(String name) {
    return ActorTestKit.create(name, config());
  }

  public static Config config() {
    Config serialization = ConfigFactory.parseResources("arca-serialization.conf",
        ConfigParseOptions.defaults().setAllowMissing(false));
    return EventSourcedBehaviorTestKit.config().withFallback(serialization)
        .withFallback(ConfigFactory.parseString("akka.loglevel = WARNING"));
  }

  /** Serialization checks of the test kit, including that what comes back equals what went in. */
  public static EventSourcedBehaviorTestKit.SerializationSettings strictSerialization() {
    return EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true);
  }
}
