package arca.token;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.query.EventEnvelope;
import akka.persistence.query.Offset;
import akka.persistence.query.PersistenceQuery;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import akka.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import akka.stream.javadsl.Sink;
import arca.proto.token.AccessTokenRevoked;
import arca.proto.token.RefreshRotated;
import arca.proto.token.SessionRevoked;
import arca.proto.token.SessionSnapshot;
import arca.proto.token.SessionStarted;
import arca.testkit.EntityTestKits;
import com.google.protobuf.GeneratedMessageV3;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionEntityTest {
  private static ActorTestKit testKit;
  private static final long HOUR = 3_600_000L;
  private static final String FIRST = Secrets.sha256("first secret");
  private static final String SECOND = Secrets.sha256("second secret");
  private static final String THIRD = Secrets.sha256("third secret");

  @BeforeAll
  static void startTestKit() {
    testKit = EntityTestKits.start("SessionEntityTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private record Session(String sid, EventSourcedBehaviorTestKit<SessionEntity.Command, GeneratedMessageV3, SessionEntity.State> kit) {
    EventSourcedBehaviorTestKit.CommandResultWithReply<SessionEntity.Command, GeneratedMessageV3, SessionEntity.State, SessionEntity.Reply> rotate(
        String presented, String next) {
      return kit.runCommand(r -> new SessionEntity.Rotate(presented, next, System.currentTimeMillis() + 2 * HOUR, r));
    }

    EventSourcedBehaviorTestKit.CommandResultWithReply<SessionEntity.Command, GeneratedMessageV3, SessionEntity.State, SessionEntity.Reply> revoke(
        String presented) {
      return kit.runCommand(r -> new SessionEntity.Revoke(presented, "by test", r));
    }
  }

  /** A session (22-character id, as the token service makes them) started with secret hash {@link #FIRST}. */
  private static Session started(long expiresAt) {
    Session s = newSession();
    var start = s.kit().<SessionEntity.Reply>runCommand(r -> new SessionEntity.Start("alice", FIRST, expiresAt, "web", r));
    assertNull(start.reply().failure());
    return s;
  }

  private static Session started() {
    return started(System.currentTimeMillis() + HOUR);
  }

  private static Session newSession() {
    String sid = Secrets.random(16);
    assertEquals(22, sid.length());
    return new Session(sid, EventSourcedBehaviorTestKit.create(testKit.system(), new SessionEntity(sid, "", ""),
        EntityTestKits.strictSerialization()));
  }

  private static void assertInvalid(SessionEntity.Reply reply) {
    assertEquals(Status.Code.UNAUTHENTICATED.name(), reply.failure().code());
    assertNull(reply.subject());
  }

  @Test
  void startPersistsSessionStarted() {
    Session s = newSession();
    long expiresAt = System.currentTimeMillis() + HOUR;
    var result = s.kit().<SessionEntity.Reply>runCommand(r -> new SessionEntity.Start("alice", FIRST, expiresAt, "web", r));

    SessionStarted event = assertInstanceOf(SessionStarted.class, result.event());
    assertEquals("alice", event.getSubject());
    assertEquals(FIRST, event.getSecretHash());
    assertEquals(expiresAt, event.getExpiresAt());
    assertEquals(new SessionEntity.Reply("alice", "web", expiresAt, null, event.getAt()), result.reply());
    assertEquals(new SessionEntity.State(true, "alice", FIRST, "", expiresAt, "web", false, event.getAt(), 0), result.state());
  }

  @Test
  void startingAnExistingSessionFails() {
    Session s = started();
    var again = s.kit().<SessionEntity.Reply>runCommand(r -> new SessionEntity.Start("mallory", SECOND, 1, "x", r));
    assertEquals(Status.Code.ALREADY_EXISTS.name(), again.reply().failure().code());
    assertTrue(again.hasNoEvents());
    assertEquals("alice", again.state().subject());
  }

  @Test
  void rotateWithTheCurrentSecretReplacesIt() {
    Session s = started();
    var result = s.rotate(FIRST, SECOND);

    RefreshRotated event = assertInstanceOf(RefreshRotated.class, result.event());
    assertEquals(SECOND, event.getSecretHash());
    assertNull(result.reply().failure());
    assertEquals("alice", result.reply().subject());
    assertEquals(event.getExpiresAt(), result.reply().expiresAt());
    assertEquals(SECOND, result.state().secretHash());
    assertEquals(FIRST, result.state().previousSecretHash());
    assertEquals(1, result.state().rotations());

    assertNull(s.rotate(SECOND, THIRD).reply().failure(), "the new secret rotates again");
  }

  @Test
  void reusingThePreviousSecretRevokesTheSession() {
    Session s = started();
    s.rotate(FIRST, SECOND);

    var reuse = s.rotate(FIRST, THIRD);

    assertInvalid(reuse.reply());
    SessionRevoked event = assertInstanceOf(SessionRevoked.class, reuse.event());
    assertEquals("refresh token reused", event.getReason());
    assertTrue(reuse.state().revoked());

    var afterwards = s.rotate(SECOND, THIRD);
    assertInvalid(afterwards.reply());
    assertTrue(afterwards.hasNoEvents(), "a revoked session never rotates again, not even with its current secret");
  }

  @Test
  void rotateWithAnUnknownSecretFailsWithoutRevoking() {
    Session s = started();
    var result = s.rotate(THIRD, SECOND);
    assertInvalid(result.reply());
    assertTrue(result.hasNoEvents());
    assertFalse(result.state().revoked());
  }

  @Test
  void rotateOfAnExpiredOrMissingSessionFails() {
    var expired = started(System.currentTimeMillis() - 1).rotate(FIRST, SECOND);
    assertInvalid(expired.reply());
    assertTrue(expired.hasNoEvents());

    var missing = newSession().rotate(FIRST, SECOND);
    assertInvalid(missing.reply());
    assertTrue(missing.hasNoEvents());
  }

  @Test
  void revokeRequiresTheCurrentOrPreviousSecret() {
    Session wrong = started();
    var refused = wrong.revoke(SECOND);
    assertInvalid(refused.reply());
    assertTrue(refused.hasNoEvents());
    assertFalse(refused.state().revoked());

    Session current = started();
    var byCurrent = current.revoke(FIRST);
    assertNull(byCurrent.reply().failure());
    assertEquals("by test", assertInstanceOf(SessionRevoked.class, byCurrent.event()).getReason());
    assertTrue(byCurrent.state().revoked());

    Session previous = started();
    previous.rotate(FIRST, SECOND);
    var byPrevious = previous.revoke(FIRST);
    assertNull(byPrevious.reply().failure());
    assertInstanceOf(SessionRevoked.class, byPrevious.event());
  }

  @Test
  void revokingTwicePersistsOnce() {
    Session s = started();
    s.revoke(FIRST);
    var again = s.revoke(FIRST);
    assertNull(again.reply().failure());
    assertTrue(again.hasNoEvents());
  }

  @Test
  void unconditionalRevokeNeedsAnExistingSession() {
    var missing = newSession().revoke(null);
    assertInvalid(missing.reply());
    assertTrue(missing.hasNoEvents());

    var existing = started().revoke(null);
    assertNull(existing.reply().failure());
    assertInstanceOf(SessionRevoked.class, existing.event());
  }

  @Test
  void revokeAccessTokenPersistsAccessTokenRevoked() {
    Session s = started();
    long expiresAt = System.currentTimeMillis() + 900_000;
    var result = s.kit().<SessionEntity.Reply>runCommand(r -> new SessionEntity.RevokeAccessToken("jti-1", expiresAt, r));

    AccessTokenRevoked event = assertInstanceOf(AccessTokenRevoked.class, result.event());
    assertEquals("jti-1", event.getJti());
    assertEquals(expiresAt, event.getExpiresAt());
    assertFalse(result.state().revoked(), "revoking one access token leaves the session alive");
  }

  @Test
  void onlyRevocationsAreTaggedForTheAuthFeed() throws Exception {
    Session s = started();
    s.rotate(FIRST, SECOND);
    s.kit().<SessionEntity.Reply>runCommand(r -> new SessionEntity.RevokeAccessToken("jti-2", 1, r));
    s.revoke(SECOND);
    assertEquals(4, s.kit().persistenceTestKit().persistedInStorage("TokenSession|" + s.sid()).size());

    PersistenceTestKitReadJournal journal = PersistenceQuery.get(testKit.system())
        .getReadJournalFor(PersistenceTestKitReadJournal.class, PersistenceTestKitReadJournal.Identifier());
    List<Object> tagged = journal.currentEventsByTag(SessionEntity.AUTH_TAG, Offset.noOffset())
        .filter(env -> env.persistenceId().equals("TokenSession|" + s.sid()))
        .map(EventEnvelope::event)
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture().get(5, TimeUnit.SECONDS);

    assertEquals(2, tagged.size(), "tagged: " + tagged);
    assertInstanceOf(AccessTokenRevoked.class, tagged.get(0));
    assertInstanceOf(SessionRevoked.class, tagged.get(1));
  }

  @Test
  void snapshotAdapterRoundTripsTheState() throws Exception {
    var adapter = new SessionEntity("s", "", "").snapshotAdapter();
    for (SessionEntity.State s : List.of(new SessionEntity.State(false, "", "", "", 0, "", false, 0, 0),
        new SessionEntity.State(true, "alice", SECOND, FIRST, 1_800_000_000_000L, "web", true, 1_700_000_000_000L, 3))) {
      SessionSnapshot stored = assertInstanceOf(SessionSnapshot.class, adapter.toJournal(s));
      assertEquals(s, adapter.fromJournal(SessionSnapshot.parseFrom(stored.toByteArray())));
    }
  }

  @Test
  void restartRecoversRotationAndRevocation() {
    Session s = started();
    s.rotate(FIRST, SECOND);
    s.revoke(SECOND);
    SessionEntity.State before = s.kit().getState();
    assertEquals(before, s.kit().restart().state());
    assertInvalid(s.rotate(SECOND, THIRD).reply());
  }
}
