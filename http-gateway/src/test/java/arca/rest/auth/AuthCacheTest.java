package arca.rest.auth;

import akka.actor.typed.ActorSystem;
import arca.proto.token.AuthEvent;
import arca.proto.token.LoginCutoff;
import arca.proto.token.LoginThrottle;
import arca.proto.token.Revoked;
import arca.rest.testsupport.FakeTokenService;
import arca.rest.testsupport.Jwt;
import arca.rest.testsupport.TestGateway;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class AuthCacheTest {
  private Path dir;
  private Path file;

  @BeforeEach
  void setUp() throws IOException {
    dir = Files.createTempDirectory("arca-auth-cache");
    file = dir.resolve("cache").resolve("auth-cache.cm"); // parent does not exist yet: open() creates it
  }

  @AfterEach
  void tearDown() throws IOException {
    TestGateway.deleteTree(dir);
  }

  static AuthEvent revoked(long offset, String id, long expiresAt) {
    return AuthEvent.newBuilder().setOffset(offset)
        .setRevoked(Revoked.newBuilder().setId(id).setExpiresAt(expiresAt)).build();
  }

  static AuthEvent throttle(long offset, String login, long lockedUntil) {
    return AuthEvent.newBuilder().setOffset(offset)
        .setThrottle(LoginThrottle.newBuilder().setLogin(login).setFailures(5).setLockedUntil(lockedUntil)).build();
  }

  static AuthEvent cutoff(long offset, String login, long notBefore, String keep) {
    return AuthEvent.newBuilder().setOffset(offset)
        .setCutoff(LoginCutoff.newBuilder().setLogin(login).setNotBefore(notBefore).setKeepSession(keep)).build();
  }

  @Test
  void cutOffsVoidEarlierCredentialsButTheSparedSessionAndSurviveAReopen() {
    try (AuthCache cache = AuthCache.open(file)) {
      assertFalse(cache.endedByCutoff("carol", "sid-a", 1_000), "no cut-off yet");
      cache.apply(cutoff(1, "carol", 5_000, "sid-kept"));
      assertTrue(cache.endedByCutoff("carol", "sid-a", 4_999), "issued before the cut-off");
      assertFalse(cache.endedByCutoff("carol", "sid-a", 5_000), "issued at or after it");
      assertFalse(cache.endedByCutoff("carol", "sid-kept", 4_999), "the spared session");
      assertTrue(cache.endedByCutoff("carol", "", 4_999), "a Basic or access-key credential verified before it");
      assertFalse(cache.endedByCutoff("dave", "sid-a", 1), "another account");
      assertEquals(5_000, cache.notBefore("carol"));

      // a later cut-off that spares nobody ends the spared session too; an older one (replayed) changes nothing
      cache.apply(cutoff(2, "carol", 7_000, ""));
      assertTrue(cache.endedByCutoff("carol", "sid-kept", 6_000));
      cache.apply(cutoff(3, "carol", 6_500, "sid-kept"));
      assertEquals(7_000, cache.notBefore("carol"));
      assertTrue(cache.endedByCutoff("carol", "sid-kept", 6_000));
      assertEquals(1, cache.purgeExpired(System.currentTimeMillis()), "the replaced spared session is dropped");
      assertEquals(3, cache.offset());
    }
    try (AuthCache reopened = AuthCache.open(file)) {
      assertTrue(reopened.endedByCutoff("carol", "sid-x", 6_999), "kept in the file");
    }
  }

  @Test
  void newFileIsEmptyAndMarkedRebuilt() {
    try (AuthCache cache = AuthCache.open(file)) {
      assertTrue(cache.rebuilt(), "a missing file must be reported as rebuilt (refill from offset 0)");
      assertEquals(0, cache.offset());
      assertFalse(cache.isRevoked("anything"));
      assertFalse(cache.isRevoked(null));
      assertEquals(0, cache.lockedUntil("alice"));
      assertTrue(Files.exists(file));
    }
  }

  @Test
  void appliesRevocationAndThrottleEventsAndAdvancesTheOffset() {
    long later = System.currentTimeMillis() + 3_600_000;
    try (AuthCache cache = AuthCache.open(file)) {
      cache.apply(revoked(1, "sid-1", later));
      assertTrue(cache.isRevoked("sid-1"));
      assertFalse(cache.isRevoked("sid-2"));
      assertEquals(1, cache.offset());

      cache.apply(throttle(2, "alice", later));
      assertEquals(later, cache.lockedUntil("alice"));
      assertEquals(0, cache.lockedUntil("bob"));
      assertEquals(2, cache.offset());

      // a throttle event with lockedUntil 0 ends the lock
      cache.apply(throttle(3, "alice", 0));
      assertEquals(0, cache.lockedUntil("alice"));
      assertEquals(3, cache.offset());

      // an event re-delivered after a reconnect never moves the offset back
      cache.apply(revoked(2, "jti-9", later));
      assertTrue(cache.isRevoked("jti-9"));
      assertEquals(3, cache.offset());

      // an event with no kind still advances the offset
      cache.apply(AuthEvent.newBuilder().setOffset(7).build());
      assertEquals(7, cache.offset());
    }
  }

  @Test
  void revocationsAndLoginsDoNotCollide() {
    long later = System.currentTimeMillis() + 3_600_000;
    try (AuthCache cache = AuthCache.open(file)) {
      cache.apply(throttle(1, "alice", later));
      assertFalse(cache.isRevoked("alice"), "a locked login is not a revoked id");
      cache.revoke("bob", later);
      assertEquals(0, cache.lockedUntil("bob"), "a revoked id is not a locked login");
    }
  }

  @Test
  void closeAndReopenKeepsEntries() {
    long later = System.currentTimeMillis() + 3_600_000;
    try (AuthCache cache = AuthCache.open(file)) {
      cache.apply(revoked(10, "sid-a", later));
      cache.apply(throttle(11, "carol", later));
      cache.revoke("jti-local", later);
    }
    try (AuthCache cache = AuthCache.open(file)) {
      assertFalse(cache.rebuilt(), "an intact file is reused, not rebuilt");
      assertTrue(cache.isRevoked("sid-a"));
      assertTrue(cache.isRevoked("jti-local"));
      assertEquals(later, cache.lockedUntil("carol"));
      assertEquals(11, cache.offset());
    }
  }

  /** Fills a cache file with random bytes; {@code headerReady} fixes the sign of the header's size word (offset 8). */
  static void overwriteWithRandomBytes(Path file, boolean headerReady) throws IOException {
    byte[] garbage = new byte[(int) Math.min(Files.size(file), 1 << 20)];
    new Random(42).nextBytes(garbage);
    // Chronicle Map reads the little-endian int at offset 8 and treats the header as complete when it is > 0
    if (headerReady) {
      garbage[11] &= 0x3F;
      garbage[8] |= 1;
    } else {
      garbage[11] |= (byte) 0x80;
    }
    Files.write(file, garbage);
  }

  @Test
  void corruptFileIsRecreatedEmpty() throws IOException {
    long later = System.currentTimeMillis() + 3_600_000;
    try (AuthCache cache = AuthCache.open(file)) {
      cache.apply(revoked(5, "sid-a", later));
    }
    overwriteWithRandomBytes(file, true);

    try (AuthCache cache = AuthCache.open(file)) {
      assertTrue(cache.rebuilt(), "a corrupt file must be reported as rebuilt");
      assertEquals(0, cache.offset(), "a rebuilt cache is refilled from offset 0");
      assertFalse(cache.isRevoked("sid-a"));
      cache.revoke("sid-b", later);
      assertTrue(cache.isRevoked("sid-b"), "the recreated cache is usable");
    }
    try (AuthCache cache = AuthCache.open(file)) {
      assertFalse(cache.rebuilt(), "the recreated file is a valid cache afterwards");
      assertTrue(cache.isRevoked("sid-b"));
    }
  }

  /**
   * A file whose header was never marked complete (all zeros, e.g. a crash or power loss while the file was being
   * created; random bytes whose size word is not positive; a non-empty file shorter than 12 bytes) must also be
   * recreated at once. Chronicle Map polls
   * such a header for 60 s (600 x 100 ms, not configurable) before it gives up, which would hold the node's start
   * for a minute. The open runs on a thread of its own that is interrupted after the limit, so this test ends fast.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"zeros", "random bytes, header not marked ready", "3 bytes"})
  void corruptHeaderIsRecreatedWithoutWaitingAMinute(String kind) throws Exception {
    try (AuthCache cache = AuthCache.open(file)) {
      cache.apply(revoked(5, "sid-a", System.currentTimeMillis() + 60_000));
    }
    switch (kind) {
      case "zeros" -> Files.write(file, new byte[(int) Files.size(file)]);
      case "3 bytes" -> Files.write(file, new byte[] {1, 2, 3}); // shorter than the 12-byte size word Chronicle waits for
      default -> overwriteWithRandomBytes(file, false);
    }

    AtomicReference<Object> result = new AtomicReference<>();
    Thread opener = new Thread(() -> {
      try {
        AuthCache cache = AuthCache.open(file);
        result.set(new Object[] {cache.rebuilt(), cache.offset(), cache.isRevoked("sid-a")});
        cache.close();
      } catch (Throwable t) {
        result.set(t);
      }
    }, "auth-cache-opener");
    long start = System.nanoTime();
    opener.start();
    opener.join(3_000);
    if (opener.isAlive()) {
      opener.interrupt();
      opener.join(10_000);
      fail("AuthCache.open blocked for more than 3 s on a corrupt file (" + kind + "); Chronicle Map waits 60 s for"
          + " an incomplete header before failing, so the node's start stalls for a minute");
    }
    assertTrue(result.get() instanceof Object[], () -> "open failed: " + result.get());
    Object[] r = (Object[]) result.get();
    assertEquals(true, r[0], "rebuilt");
    assertEquals(0L, r[1], "offset");
    assertEquals(false, r[2], "old entries are gone");
    assertTrue(System.nanoTime() - start < 3_000_000_000L);
  }

  @Test
  void emptyFileOpensAsAnEmptyCache() throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, new byte[0]);
    try (AuthCache cache = AuthCache.open(file)) {
      assertEquals(0, cache.offset());
      cache.revoke("sid-b", System.currentTimeMillis() + 60_000);
      assertTrue(cache.isRevoked("sid-b"));
    }
  }

  @Test
  void truncatedFileIsRecreatedEmpty() throws IOException {
    try (AuthCache cache = AuthCache.open(file)) {
      cache.apply(revoked(5, "sid-a", System.currentTimeMillis() + 60_000));
    }
    byte[] head = new byte[100];
    try (var in = Files.newInputStream(file)) {
      in.readNBytes(head, 0, head.length);
    }
    Files.write(file, head); // a crash while the file was being created: only part of the header
    try (AuthCache cache = AuthCache.open(file)) {
      assertTrue(cache.rebuilt());
      assertEquals(0, cache.offset());
      assertFalse(cache.isRevoked("sid-a"));
    }
  }

  @Test
  void purgeExpiredRemovesOnlyExpiredEntries() {
    long now = System.currentTimeMillis();
    try (AuthCache cache = AuthCache.open(file)) {
      cache.apply(revoked(1, "old-jti", now - 1_000));
      cache.apply(revoked(2, "live-jti", now + 60_000));
      cache.apply(throttle(3, "was-locked", now - 1_000));
      cache.apply(throttle(4, "still-locked", now + 60_000));

      assertEquals(2, cache.purgeExpired(now));

      assertFalse(cache.isRevoked("old-jti"));
      assertTrue(cache.isRevoked("live-jti"));
      assertEquals(0, cache.lockedUntil("was-locked"));
      assertEquals(now + 60_000, cache.lockedUntil("still-locked"));
      assertEquals(4, cache.offset(), "the offset is not an expiring entry");
      assertEquals(0, cache.purgeExpired(now), "nothing left to purge");
    }
  }

  @Test
  void feedAppliesEventsAndResumesFromTheStoredOffset() throws Exception {
    long later = System.currentTimeMillis() + 3_600_000;
    FakeTokenService tokens = new FakeTokenService(new Jwt(Jwt.signingKey(), TestGateway.ISSUER));
    tokens.publish(revoked(1, "sid-1", later));
    tokens.publish(throttle(2, "dave", later));
    ActorSystem<Void> system = TestGateway.newSystem("auth-cache-feed");
    try (AuthCache cache = AuthCache.open(file)) {
      cache.startFeed(system, tokens);
      await(() -> cache.offset() == 2);
      assertTrue(cache.isRevoked("sid-1"));
      assertEquals(later, cache.lockedUntil("dave"));

      // the stream ended; the feed reconnects (after its backoff) from the offset it stored
      tokens.publish(revoked(3, "sid-3", later));
      await(() -> cache.isRevoked("sid-3"));
      assertEquals(3, cache.offset());
      assertEquals(0L, tokens.watchedFrom.get(0));
      assertTrue(tokens.watchedFrom.contains(2L), "reconnects from the stored offset, saw " + tokens.watchedFrom);
      cache.stopFeed();
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("condition not met within 10 s");
      Thread.sleep(20);
    }
  }
}
