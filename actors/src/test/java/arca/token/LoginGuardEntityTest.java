package arca.token;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import arca.cluster.ArcaConfig;
import arca.proto.token.LoginFailed;
import arca.proto.token.LoginGuardSnapshot;
import arca.proto.token.LoginSucceeded;
import arca.proto.token.SessionsEnded;
import arca.testkit.EntityTestKits;
import com.google.protobuf.GeneratedMessageV3;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
    LoginGuardEntity.State s = new LoginGuardEntity.State(4, 1_700_000_002_000L, 1_700_000_000_000L,
        1_700_000_003_000L, "sid-a", 1_700_000_001_000L, "sid-b");
    LoginGuardSnapshot stored = assertInstanceOf(LoginGuardSnapshot.class, adapter.toJournal(s));
    assertEquals(s, adapter.fromJournal(LoginGuardSnapshot.parseFrom(stored.toByteArray())));
  }

  @Test
  void policyIsReadFromConfiguration() {
    var defaults = LoginGuardEntity.Policy.of(ArcaConfig.load(ConfigFactory.empty()));
    assertEquals(new LoginGuardEntity.Policy(5, Duration.ofSeconds(30), Duration.ofMinutes(15), 5, Duration.ofSeconds(30)), defaults);
    var fewer = LoginGuardEntity.Policy.of(ArcaConfig.load(ConfigFactory.parseString("arca.token.login-throttle.max-failures = 3")));
    assertEquals(3, fewer.maxConcurrent(), "max-concurrent follows max-failures unless set");
    var configured = LoginGuardEntity.Policy.of(ArcaConfig.load(ConfigFactory.parseString(
        "arca.token.login-throttle { max-failures = 3, lock = 1s, max-lock = 4s, max-concurrent = 4, reservation-timeout = 30s }")));
    assertEquals(POLICY, configured);
  }

  // ---- reservations: a check is reserved before the password is verified, its outcome recorded after ----

  private static LoginGuardEntity.Reservation reserve(
      EventSourcedBehaviorTestKit<LoginGuardEntity.Command, GeneratedMessageV3, LoginGuardEntity.State> kit, String attempt) {
    var result = kit.<LoginGuardEntity.Reservation>runCommand(r -> new LoginGuardEntity.Reserve(attempt, r));
    assertTrue(result.hasNoEvents(), "a reservation is not persisted");
    return result.reply();
  }

  private static LoginGuardEntity.State outcome(
      EventSourcedBehaviorTestKit<LoginGuardEntity.Command, GeneratedMessageV3, LoginGuardEntity.State> kit,
      String attempt, boolean success) {
    return kit.<LoginGuardEntity.State>runCommand(r -> new LoginGuardEntity.Outcome(attempt, success, r)).reply();
  }

  @Test
  void parallelGuessesCannotPassTheLimit() {
    var kit = guard();   // max-failures 3
    // three checks may run at once: all three failing reach the lock, so a fourth must wait
    for (int i = 0; i < 3; i++) assertTrue(reserve(kit, "a" + i).granted(), "attempt " + i);
    LoginGuardEntity.Reservation fourth = reserve(kit, "a3");
    assertFalse(fourth.granted(), "in-flight checks count against the limit");
    assertFalse(fourth.locked());
    assertEquals(LoginGuardEntity.BUSY_RETRY_MS, fourth.retryAfterMs());
    for (int i = 0; i < 3; i++) outcome(kit, "a" + i, false);
    LoginGuardEntity.Reservation locked = reserve(kit, "a4");
    assertFalse(locked.granted());
    assertTrue(locked.locked(), "three failures lock the account");
    assertTrue(locked.retryAfterMs() > 0 && locked.retryAfterMs() <= 1_000, "retry after " + locked.retryAfterMs());
  }

  @Test
  void aCorrectPasswordIsRefusedWhileLocked() {
    var kit = guard();
    for (int i = 0; i < 3; i++) {
      assertTrue(reserve(kit, "w" + i).granted());
      outcome(kit, "w" + i, false);
    }
    // the password check never runs: the reservation is refused before it
    assertFalse(reserve(kit, "right").granted());
  }

  @Test
  void nearTheLimitOnlyOneCheckRunsAtATime() {
    var kit = guard();
    assertTrue(reserve(kit, "x1").granted());
    outcome(kit, "x1", false);
    assertTrue(reserve(kit, "x2").granted());
    outcome(kit, "x2", false);          // two failures: one more reaches the lock
    assertTrue(reserve(kit, "x3").granted());
    assertFalse(reserve(kit, "x4").granted(), "one check at a time at the edge of the lock");
    outcome(kit, "x3", true);
    assertTrue(reserve(kit, "x5").granted(), "a success frees the slot and clears the failures");
    assertTrue(reserve(kit, "x6").granted());
  }

  @Test
  void atMostMaxConcurrentChecksRunForOneAccount() {
    var kit = EventSourcedBehaviorTestKit.<LoginGuardEntity.Command, GeneratedMessageV3, LoginGuardEntity.State>create(
        testKit.system(), new LoginGuardEntity("busy" + ids.incrementAndGet(), "", "",
            new LoginGuardEntity.Policy(10, Duration.ofSeconds(1), Duration.ofSeconds(4), 2, Duration.ofSeconds(30))),
        EntityTestKits.strictSerialization());
    assertTrue(reserve(kit, "c1").granted());
    assertTrue(reserve(kit, "c2").granted());
    LoginGuardEntity.Reservation third = reserve(kit, "c3");
    assertFalse(third.granted(), "bounded per account, also for correct passwords");
    assertFalse(third.locked());
    outcome(kit, "c1", true);
    assertTrue(reserve(kit, "c4").granted(), "a finished check frees its slot");
    kit.<LoginGuardEntity.State>runCommand(r -> new LoginGuardEntity.Release("c2", r));
    assertTrue(reserve(kit, "c5").granted(), "a released check frees its slot without a verdict");
    assertEquals(0, kit.getState().failures(), "a release records nothing");
  }

  @Test
  void aSuccessClearsTheFailures() {
    var kit = guard();
    assertTrue(reserve(kit, "s1").granted());
    outcome(kit, "s1", false);
    assertTrue(reserve(kit, "s2").granted());
    var cleared = kit.<LoginGuardEntity.State>runCommand(r -> new LoginGuardEntity.Outcome("s2", true, r));
    assertInstanceOf(LoginSucceeded.class, cleared.event());
    assertEquals(0, cleared.reply().failures());
  }

  @Test
  void aReservationThatNeverReportsBackLapses() throws Exception {
    var kit = EventSourcedBehaviorTestKit.<LoginGuardEntity.Command, GeneratedMessageV3, LoginGuardEntity.State>create(
        testKit.system(), new LoginGuardEntity("lapse" + ids.incrementAndGet(), "", "",
            new LoginGuardEntity.Policy(3, Duration.ofSeconds(1), Duration.ofSeconds(4), 1, Duration.ofMillis(200))),
        EntityTestKits.strictSerialization());
    assertTrue(reserve(kit, "lost").granted());
    assertFalse(reserve(kit, "next").granted());
    Thread.sleep(300);
    assertTrue(reserve(kit, "after").granted(), "the lost check's slot is free after the reservation timeout");
  }

  @Test
  void theLockExpiresAndTheNextFailureDoublesIt() throws Exception {
    var kit = guard();   // lock 1 s after 3 failures
    for (int i = 0; i < 3; i++) {
      assertTrue(reserve(kit, "e" + i).granted());
      outcome(kit, "e" + i, false);
    }
    assertFalse(reserve(kit, "early").granted());
    Thread.sleep(1_100);
    assertTrue(reserve(kit, "late").granted(), "the lock has expired");
    assertFalse(reserve(kit, "second").granted(), "after a lock, one check at a time");
    var again = kit.<LoginGuardEntity.State>runCommand(r -> new LoginGuardEntity.Outcome("late", false, r));
    LoginFailed event = assertInstanceOf(LoginFailed.class, again.event());
    assertEquals(2_000, event.getLockedUntil() - event.getAt(), "the next failure locks twice as long");
  }

  // ---- cut-offs ----

  @Test
  void endSessionsRecordsCutOffsThatSpareOneSession() {
    var kit = guard();
    var ended = kit.<LoginGuardEntity.State>runCommand(r -> new LoginGuardEntity.EndSessions(true, "mine", "password changed", r));
    SessionsEnded e = assertInstanceOf(SessionsEnded.class, ended.event());
    assertEquals(e.getTokensNotBefore(), e.getSessionsNotBefore());
    LoginGuardEntity.State s = ended.reply();
    assertEquals(e.getTokensNotBefore(), s.tokensNotBefore());
    assertTrue(s.sessionEnded("other", e.getAt() - 1), "a session started before it ends");
    assertFalse(s.sessionEnded("mine", e.getAt() - 1), "the spared session lives");
    assertFalse(s.sessionEnded("later", e.getAt()), "a session started after it lives");

    // a role change voids access tokens only: the sessions' cut-off and its spared session stay
    var roles = kit.<LoginGuardEntity.State>runCommand(r -> new LoginGuardEntity.EndSessions(false, "", "roles changed", r));
    LoginGuardEntity.State after = roles.reply();
    assertTrue(after.tokensNotBefore() > s.tokensNotBefore(), "cut-offs only move forward");
    assertEquals("", after.tokensKeep());
    assertEquals(s.sessionsNotBefore(), after.sessionsNotBefore());
    assertEquals("mine", after.sessionsKeep());
    assertEquals(after, kit.restart().state(), "recovered from the journal");
  }

}
