package arca.lock;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import arca.proto.lock.LockGranted;
import arca.proto.lock.LockRefreshed;
import arca.proto.lock.LocksReleased;
import arca.testkit.EntityTestKits;
import com.google.protobuf.GeneratedMessageV3;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The locks of one datasource: the conflict matrix, resends, ownership, expiry (on a clock the test moves), release
 * under a path, the limit, and the state through events, snapshots and serialization.
 */
class LockEntityTest {
  private static final long T0 = 1_800_000_000_000L;
  private static ActorTestKit testKit;
  private static final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  static void startTestKit() {
    testKit = EntityTestKits.start("LockEntityTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  /** One datasource's entity on its own clock. */
  private record Ds(AtomicLong clock,
                    EventSourcedBehaviorTestKit<LockEntity.Command, GeneratedMessageV3, LockEntity.State> kit) {
    LockEntity.Result lock(String path, boolean exclusive, boolean infinite) {
      return lock(token(), path, exclusive, infinite, "alice", 60);
    }

    LockEntity.Result lock(String token, String path, boolean exclusive, boolean infinite, String login, long seconds) {
      return kit.<LockEntity.Result>runCommand(r -> new LockEntity.Lock(path, exclusive, infinite, "<D:href>me</D:href>",
          login, seconds, "/dav/ds/" + path, token, r)).reply();
    }

    LockEntity.Result refresh(String token, String login, long seconds) {
      return kit.<LockEntity.Result>runCommand(r -> new LockEntity.Refresh(token, login, seconds, r)).reply();
    }

    LockEntity.Result unlock(String token, String login) {
      return kit.<LockEntity.Result>runCommand(r -> new LockEntity.Unlock(token, login, false, r)).reply();
    }

    LockEntity.Result forceUnlock(String token, String login) {
      return kit.<LockEntity.Result>runCommand(r -> new LockEntity.Unlock(token, login, true, r)).reply();
    }

    List<String> covering(String path, boolean descendants) {
      return kit.<LockEntity.Locks>runCommand(r -> new LockEntity.Covering(path, descendants, r)).reply().locks()
          .stream().map(LockEntity.Held::path).toList();
    }

    List<String> releaseUnder(String path) {
      return kit.<LockEntity.Released>runCommand(r -> new LockEntity.ReleaseUnder(path, r)).reply().tokens();
    }

    void advance(long millis) {
      clock.addAndGet(millis);
    }
  }

  private static Ds newDs(int maxLocks) {
    return newDs(maxLocks, maxLocks);
  }

  private static Ds newDs(int maxLocks, int maxPerLogin) {
    AtomicLong clock = new AtomicLong(T0);
    return new Ds(clock, EventSourcedBehaviorTestKit.create(testKit.system(),
        new LockEntity("ds-" + ids.incrementAndGet(), "", "", clock::get, maxLocks, maxPerLogin), EntityTestKits.strictSerialization()));
  }

  private static Ds newDs() {
    return newDs(LockEntity.MAX_LOCKS);
  }

  private static String token() {
    return "urn:uuid:" + UUID.randomUUID();
  }

  private static void assertFailure(Status.Code code, LockEntity.Result r) {
    assertNull(r.lock(), () -> "expected " + code + ", got " + r.lock());
    assertEquals(code.name(), r.failure().code(), r.failure().message());
  }

  private static LockEntity.Held ok(LockEntity.Result r) {
    assertNull(r.failure(), () -> r.failure().code() + ": " + r.failure().message());
    return r.lock();
  }

  @Test
  void aGrantPersistsTheLockWithItsExpiry() {
    Ds ds = newDs();
    String token = token();
    var result = ds.kit().<LockEntity.Result>runCommand(r -> new LockEntity.Lock("a/b", true, false, "<o/>", "alice",
        120, "/dav/a/b", token, r));
    LockGranted event = assertInstanceOf(LockGranted.class, result.event());
    assertEquals(T0, event.getAt());
    LockEntity.Held expected = new LockEntity.Held(token, "a/b", true, false, "<o/>", "alice", 120, T0 + 120_000,
        "/dav/a/b", T0);
    assertEquals(expected, result.reply().lock());
    assertEquals(expected, LockEntity.Held.of(event.getLock()));
    assertEquals(List.of(expected), result.state().locks());
  }

  /** Existing lock (shared/exclusive x depth 0/infinity) on "a" against requests on "a", "a/b", "" and "ab". */
  @Test
  void theConflictMatrix() {
    record Case(boolean exclusive, boolean infinite, String requestPath, boolean reqExclusive, boolean reqInfinite,
                boolean conflicts) {}
    List<Case> cases = new ArrayList<>();
    for (boolean ex : new boolean[] {false, true}) {
      for (boolean inf : new boolean[] {false, true}) {
        for (boolean rex : new boolean[] {false, true}) {
          for (boolean rinf : new boolean[] {false, true}) {
            boolean eitherExclusive = ex || rex;
            cases.add(new Case(ex, inf, "a", rex, rinf, eitherExclusive));                 // same path
            cases.add(new Case(ex, inf, "a/b/c", rex, rinf, eitherExclusive && inf));      // below a lock on "a"
            cases.add(new Case(ex, inf, "", rex, rinf, eitherExclusive && rinf));          // above it (the root)
            cases.add(new Case(ex, inf, "ab", rex, rinf, false));                          // a sibling sharing a prefix
            cases.add(new Case(ex, inf, "b/a", rex, rinf, false));                         // elsewhere
          }
        }
      }
    }
    for (Case c : cases) {
      Ds ds = newDs();
      ok(ds.lock("a", c.exclusive(), c.infinite()));
      LockEntity.Result r = ds.lock(c.requestPath(), c.reqExclusive(), c.reqInfinite());
      if (c.conflicts()) {
        assertFailure(Status.Code.FAILED_PRECONDITION, r);
        assertTrue(r.failure().message().contains("on 'a'"), c + ": " + r.failure().message());
        assertEquals(1, ds.kit().getState().locks().size(), c + ": nothing stored");
      } else {
        assertNotNull(ok(r), c.toString());
      }
    }
  }

  @Test
  void sharedLocksStackAndAnExclusiveOneWaitsForAllOfThem() {
    Ds ds = newDs();
    LockEntity.Held s1 = ok(ds.lock("docs", false, true));
    ok(ds.lock("docs", false, false));
    ok(ds.lock("docs/x", false, false));
    assertFailure(Status.Code.FAILED_PRECONDITION, ds.lock("docs/x", true, false));
    assertFailure(Status.Code.FAILED_PRECONDITION, ds.lock("docs/y", true, false));
    ok(ds.unlock(s1.token(), "alice"));
    assertFailure(Status.Code.FAILED_PRECONDITION, ds.lock("docs", true, false));
    assertFailure(Status.Code.FAILED_PRECONDITION, ds.lock("", true, true));
    ok(ds.lock("docs/y", true, false));
  }

  @Test
  void aResentLockAnswersTheLockItTookAndOtherParametersAreRefused() {
    Ds ds = newDs();
    String token = token();
    LockEntity.Held first = ok(ds.lock(token, "a", true, true, "alice", 60));
    ds.advance(1_000);
    var again = ds.kit().<LockEntity.Result>runCommand(r -> new LockEntity.Lock("a", true, true, "<D:href>me</D:href>",
        "alice", 60, "/dav/ds/a", token, r));
    assertTrue(again.hasNoEvents());
    assertEquals(first, ok(again.reply()), "the lock as it was taken, not a conflict with itself");
    assertFailure(Status.Code.ALREADY_EXISTS, ds.lock(token, "a", true, false, "alice", 60));
    assertFailure(Status.Code.ALREADY_EXISTS, ds.lock(token, "b", true, true, "alice", 60));
    assertFailure(Status.Code.ALREADY_EXISTS, ds.lock(token, "a", true, true, "bob", 60));
    assertFailure(Status.Code.ALREADY_EXISTS, ds.lock(token, "a", true, true, "alice", 61));
    assertEquals(List.of(first), ds.kit().getState().locks());
  }

  @Test
  void onlyTheOwnerRefreshesOrReleasesALiveLock() {
    Ds ds = newDs();
    LockEntity.Held lock = ok(ds.lock("a", true, false));
    assertFailure(Status.Code.PERMISSION_DENIED, ds.refresh(lock.token(), "bob", 600));
    assertFailure(Status.Code.PERMISSION_DENIED, ds.unlock(lock.token(), "bob"));
    assertFailure(Status.Code.NOT_FOUND, ds.refresh(token(), "alice", 600));
    assertFailure(Status.Code.NOT_FOUND, ds.unlock(token(), "alice"));

    ds.advance(30_000);
    var refreshed = ds.kit().<LockEntity.Result>runCommand(r -> new LockEntity.Refresh(lock.token(), "alice", 600, r));
    LockRefreshed e = assertInstanceOf(LockRefreshed.class, refreshed.event());
    assertEquals(T0 + 30_000 + 600_000, e.getExpiresAt());
    assertEquals(new LockEntity.Held(lock.token(), "a", true, false, lock.ownerXml(), "alice", 600, T0 + 630_000,
        lock.rootHref(), T0), refreshed.reply().lock());

    var released = ds.kit().<LockEntity.Result>runCommand(r -> new LockEntity.Unlock(lock.token(), "alice", null, r));
    assertEquals(List.of(lock.token()), assertInstanceOf(LocksReleased.class, released.event()).getTokensList());
    assertEquals(lock.token(), released.reply().lock().token());
    assertEquals(List.of(), released.state().locks());
    assertFailure(Status.Code.NOT_FOUND, ds.unlock(lock.token(), "alice"));
    ok(ds.lock("a", true, true));
  }

  @Test
  void aForcedUnlockReleasesAnotherUsersLockAndOnlyALiveOne() {
    Ds ds = newDs();
    LockEntity.Held lock = ok(ds.lock(token(), "", true, true, "mallory", 86_400));
    assertFailure(Status.Code.PERMISSION_DENIED, ds.unlock(lock.token(), "admin"));
    assertEquals(lock.token(), ok(ds.forceUnlock(lock.token(), "admin")).token());
    assertEquals(List.of(), ds.covering("", true), "the root is free again");
    assertFailure(Status.Code.NOT_FOUND, ds.forceUnlock(lock.token(), "admin"));
    assertFailure(Status.Code.NOT_FOUND, ds.forceUnlock(token(), "admin"));
  }

  @Test
  void anExpiredLockIsGoneAtOnceForEveryCommand() {
    Ds ds = newDs();
    LockEntity.Held lock = ok(ds.lock(token(), "a", true, true, "alice", 10));
    ds.advance(9_999);
    assertEquals(List.of("a"), ds.covering("a/b", false));
    ds.advance(1);
    assertEquals(List.of(), ds.covering("a/b", false), "expired at expires_at");
    assertEquals(List.of(), ds.covering("", true));
    assertFailure(Status.Code.NOT_FOUND, ds.refresh(lock.token(), "alice", 60));
    assertFailure(Status.Code.NOT_FOUND, ds.unlock(lock.token(), "alice"));
    assertEquals(List.of(), ds.releaseUnder(""));
    assertEquals(1, ds.kit().getState().locks().size(), "no event yet: still in the state, but invisible");

    var taken = ds.kit().<LockEntity.Result>runCommand(r -> new LockEntity.Lock("a/b", true, false, "", "bob", 60,
        "/dav/a/b", token(), r));
    assertNotNull(ok(taken.reply()), "the expired lock conflicts with nothing");
    assertEquals(List.of("a/b"), taken.state().locks().stream().map(LockEntity.Held::path).toList(),
        "the next event dropped the expired lock");
    // its token may be taken again once it expired (a new lock)
    assertEquals(T0 + 10_000 + 60_000, ok(ds.lock(lock.token(), "c", true, false, "alice", 60)).expiresAt());
  }

  @Test
  void aRefreshKeepsALockAliveBeyondItsFirstTimeout() {
    Ds ds = newDs();
    LockEntity.Held lock = ok(ds.lock(token(), "a", true, false, "alice", 10));
    ds.advance(8_000);
    ok(ds.refresh(lock.token(), "alice", 10));
    ds.advance(8_000);
    assertEquals(List.of("a"), ds.covering("a", false));
    assertFailure(Status.Code.FAILED_PRECONDITION, ds.lock("a", false, false));
  }

  /** Replay drops what each event's time had expired, whatever the clock says during recovery. */
  @Test
  void replayDropsTheLocksExpiredByEachEventsTime() {
    Ds ds = newDs();
    LockEntity.Held shortLived = ok(ds.lock(token(), "a", true, false, "alice", 5));
    LockEntity.Held longLived = ok(ds.lock(token(), "b", true, false, "alice", 3600));
    ds.advance(6_000);
    LockEntity.Held later = ok(ds.lock(token(), "c", true, false, "alice", 3600));
    LockEntity.State before = ds.kit().getState();
    assertEquals(List.of(longLived, later), before.locks());
    ds.clock().set(T0); // as if the clock were earlier on the node that recovers
    ds.kit().restart();
    assertEquals(before, ds.kit().getState());
    assertTrue(ds.kit().getState().locks().stream().noneMatch(h -> h.token().equals(shortLived.token())));
  }

  @Test
  void stateSurvivesARestartFromASnapshot() {
    Ds ds = newDs();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 104; i++) tokens.add(ok(ds.lock("f" + i, true, false)).token());
    for (int i = 0; i < 4; i++) ok(ds.refresh(tokens.get(i), "alice", 300));
    LockEntity.State before = ds.kit().getState();
    ds.kit().restart();
    assertEquals(before, ds.kit().getState(), "snapshot at 100 plus 8 events");
    assertEquals(104, before.locks().size());
  }

  @Test
  void coveringFindsLocksOnThePathOnDeepAncestorsAndWithDescendantsBelow() {
    Ds ds = newDs();
    ok(ds.lock("", false, false));          // the root, depth 0: covers only the root
    ok(ds.lock("a", false, true));          // covers a and everything below
    ok(ds.lock("a/b", false, false));
    ok(ds.lock("a/b/c", false, false));
    ok(ds.lock("a/b/c/d", false, true));
    ok(ds.lock("ab", false, true));         // not below "a"
    ok(ds.lock("x", false, false));
    assertEquals(List.of("a", "a/b"), ds.covering("a/b", false));
    assertEquals(List.of("a", "a/b", "a/b/c", "a/b/c/d"), ds.covering("a/b", true));
    assertEquals(List.of("a"), ds.covering("a/z", true));
    assertEquals(List.of(""), ds.covering("", false));
    assertEquals(7, ds.covering("", true).size());
    assertEquals(List.of("ab"), ds.covering("ab/q", false));
  }

  @Test
  void releaseUnderDropsThePathAndBelowOnly() {
    Ds ds = newDs();
    String a = ok(ds.lock("a", false, false)).token();
    String ab = ok(ds.lock("a/b", false, false)).token();
    String abc = ok(ds.lock("a/b/c", false, true)).token();
    String sibling = ok(ds.lock("ab", false, false)).token();
    String other = ok(ds.lock("x/y", false, false)).token();
    var released = ds.kit().<LockEntity.Released>runCommand(r -> new LockEntity.ReleaseUnder("a/b", r));
    assertEquals(List.of(ab, abc), released.reply().tokens());
    assertEquals(List.of(ab, abc), assertInstanceOf(LocksReleased.class, released.event()).getTokensList());
    var nothing = ds.kit().<LockEntity.Released>runCommand(r -> new LockEntity.ReleaseUnder("a/b", r));
    assertTrue(nothing.hasNoEvents());
    assertEquals(List.of(), nothing.reply().tokens());
    assertEquals(List.of(a, sibling, other), ds.kit().getState().locks().stream().map(LockEntity.Held::token).toList());
    assertEquals(List.of(a, sibling, other), ds.releaseUnder(""));
    assertEquals(List.of(), ds.kit().getState().locks());
  }

  @Test
  void aDatasourceHoldsAtMostItsLimitOfLiveLocks() {
    Ds ds = newDs(3);
    String first = ok(ds.lock(token(), "a", false, false, "alice", 10)).token();
    ok(ds.lock("b", false, false));
    ok(ds.lock("c", false, false));
    assertFailure(Status.Code.RESOURCE_EXHAUSTED, ds.lock("d", false, false));
    ok(ds.unlock(first, "alice"));
    ok(ds.lock("d", false, false));
    assertFailure(Status.Code.RESOURCE_EXHAUSTED, ds.lock("e", false, false));
    ds.advance(60_001); // all three expire: the limit counts live locks only
    ok(ds.lock("e", false, false));
  }

  @Test
  void oneLoginHoldsAtMostItsShareOfTheLocks() {
    Ds ds = newDs(10, 2);
    ok(ds.lock(token(), "a", false, false, "mallory", 60));
    ok(ds.lock(token(), "b", false, false, "mallory", 60));
    assertFailure(Status.Code.RESOURCE_EXHAUSTED, ds.lock(token(), "c", false, false, "mallory", 60));
    ok(ds.lock(token(), "c", false, false, "alice", 60));
  }

  @Test
  void pathsCompareSegmentWise() {
    assertTrue(LockEntity.below("a/b", "a"));
    assertTrue(LockEntity.below("a", ""));
    assertTrue(!LockEntity.below("ab", "a"));
    assertTrue(!LockEntity.below("a", "a"));
    assertTrue(!LockEntity.below("", ""));
    assertTrue(!LockEntity.below("a", "a/b"));
  }
}
