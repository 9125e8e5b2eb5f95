package arca.token;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import arca.cluster.ArcaConfig;
import arca.proto.token.LoginFailed;
import arca.proto.token.LoginGuardSnapshot;
import arca.proto.token.LoginSucceeded;
import arca.testkit.EntityTestKits;
import com.google.protobuf.GeneratedMessageV3;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoginGuardEntityTest {
  private static final LoginGuardEntity.Policy POLICY =
      new LoginGuardEntity.Policy(3, Duration.ofSeconds(1), Duration.ofSeconds(4));
  private static ActorTestKit testKit;
  private static final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  static void startTestKit() {
    testKit = EntityTestKits.start("LoginGuardEntityTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<LoginGuardEntity.Command, GeneratedMessageV3, LoginGuardEntity.State> guard() {
    return EventSourcedBehaviorTestKit.create(testKit.system(),
        new LoginGuardEntity("login" + ids.incrementAndGet(), "", "", POLICY), EntityTestKits.strictSerialization());
  }

  /** Records one failure; returns the lock duration it caused (0 = not locked), checking event and reply agree. */
  private static long fail(EventSourcedBehaviorTestKit<LoginGuardEntity.Command, GeneratedMessageV3, LoginGuardEntity.State> kit,
                           int expectedFailures) {
    var result = kit.<LoginGuardEntity.State>runCommand(LoginGuardEntity.RecordFailure::new);
    LoginFailed event = assertInstanceOf(LoginFailed.class, result.event());
    assertEquals(expectedFailures, event.getFailures());
    assertEquals(new LoginGuardEntity.State(expectedFailures, event.getLockedUntil(), event.getAt()), result.reply());
    return event.getLockedUntil() == 0 ? 0 : event.getLockedUntil() - event.getAt();
  }

  @Test
  void locksAfterMaxFailuresDoublingUpToTheCap() {
    var kit = guard();
    assertEquals(0, fail(kit, 1));
    assertEquals(0, fail(kit, 2));
    assertEquals(1_000, fail(kit, 3));
    assertEquals(2_000, fail(kit, 4));
    assertEquals(4_000, fail(kit, 5));
    assertEquals(4_000, fail(kit, 6), "capped at max-lock");
    for (int failures = 7; failures < 70; failures++) fail(kit, failures);
    assertEquals(4_000, fail(kit, 70), "no overflow after many failures");
  }

  @Test
  void checkReportsTheLockWithoutPersisting() {
    var kit = guard();
    fail(kit, 1);
    fail(kit, 2);
    fail(kit, 3);
    var check = kit.<LoginGuardEntity.State>runCommand(LoginGuardEntity.Check::new);
    assertTrue(check.hasNoEvents());
    assertTrue(check.reply().lockedUntil() > System.currentTimeMillis());
  }

  @Test
  void successResetsFailuresAndLock() {
    var kit = guard();
    fail(kit, 1);
    fail(kit, 2);
    fail(kit, 3);

    var success = kit.<LoginGuardEntity.State>runCommand(LoginGuardEntity.RecordSuccess::new);

    assertInstanceOf(LoginSucceeded.class, success.event());
    assertEquals(0, success.reply().failures());
    assertEquals(0, success.reply().lockedUntil());
    assertEquals(0, fail(kit, 1), "counting starts over");
  }

  @Test
  void successWithoutFailuresPersistsNothing() {
    var kit = guard();
    var success = kit.<LoginGuardEntity.State>runCommand(LoginGuardEntity.RecordSuccess::new);
    assertTrue(success.hasNoEvents());
    assertEquals(new LoginGuardEntity.State(0, 0, 0), success.reply());
  }

  @Test
  void restartRecoversTheLock() {
    var kit = guard();
    fail(kit, 1);
    fail(kit, 2);
    fail(kit, 3);
    LoginGuardEntity.State before = kit.getState();
    assertEquals(before, kit.restart().state());
  }

  @Test
  void snapshotAdapterRoundTripsTheState() throws Exception {
    var adapter = new LoginGuardEntity("x", "", "", POLICY).snapshotAdapter();
    LoginGuardEntity.State s = new LoginGuardEntity.State(4, 1_700_000_002_000L, 1_700_000_000_000L);
    LoginGuardSnapshot stored = assertInstanceOf(LoginGuardSnapshot.class, adapter.toJournal(s));
    assertEquals(s, adapter.fromJournal(LoginGuardSnapshot.parseFrom(stored.toByteArray())));
  }

  @Test
  void policyIsReadFromConfiguration() {
    var defaults = LoginGuardEntity.Policy.of(ArcaConfig.load(ConfigFactory.empty()));
    assertEquals(new LoginGuardEntity.Policy(5, Duration.ofSeconds(30), Duration.ofMinutes(15)), defaults);
    var configured = LoginGuardEntity.Policy.of(ArcaConfig.load(ConfigFactory.parseString(
        "arca.token.login-throttle { max-failures = 3, lock = 1s, max-lock = 4s }")));
    assertEquals(POLICY, configured);
  }
}
