package arca.token;

import akka.Done;
import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.AskPattern;
import akka.persistence.typed.PersistenceId;
import akka.persistence.typed.javadsl.CommandHandler;
import akka.persistence.typed.javadsl.EventHandler;
import akka.persistence.typed.javadsl.EventSourcedBehavior;
import arca.proto.token.GetJwksRequest;
import arca.proto.token.SigningKeyAdded;
import arca.proto.token.SigningKeysSnapshot;
import arca.testkit.TestDatabase;
import arca.testkit.TestNode;
import com.google.protobuf.GeneratedMessageV3;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An install upgraded from a build that kept the signing key in plain (H2, the real JDBC journal): the node reads the
 * key, seals it again at start, and afterwards no journal or snapshot row (deleted-marked rows included) holds it in
 * the clear, while the same key still signs (tokens issued before the upgrade stay valid).
 */
class KeysSealedOnUpgradeTest {
  @TempDir
  Path dataDir;

  /** Writes events the way an older build's SigningKeysEntity did: the private JWK in plain. */
  record Write(SigningKeyAdded event, ActorRef<Done> replyTo) implements NoSerializationVerificationNeeded {}

  static final class OlderBuild extends EventSourcedBehavior<Write, GeneratedMessageV3, Integer> {
    private final String journal;

    OlderBuild(String journal) {
      super(PersistenceId.of(SigningKeysEntity.KEY.name(), SigningKeysEntity.ID));
      this.journal = journal;
    }

    @Override public String journalPluginId() { return journal; }
    @Override public Integer emptyState() { return 0; }

    @Override
    public CommandHandler<Write, GeneratedMessageV3, Integer> commandHandler() {
      return newCommandHandlerBuilder().forAnyState()
          .onCommand(Write.class, (s, c) -> Effect().persist(c.event()).thenRun(st -> c.replyTo().tell(Done.getInstance())))
          .build();
    }

    @Override
    public EventHandler<Integer, GeneratedMessageV3> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> s + 1);
    }
  }

  @Test
  void plainKeysOfAnOlderBuildLeaveTheJournalAndStillSign() throws Exception {
    RSAKey legacy = new RSAKeyGenerator(2048).keyID("legacy").generate();
    String secret = legacy.getPrivateExponent().toString();
    try (TestNode node = TestNode.start(dataDir, TestDatabase.h2())) {
      // the journal an older build left: no key event yet (a fresh node wakes the entity, which writes nothing)
      var writer = node.system.systemActorOf(new OlderBuild(node.storage("token").journalPluginId()), "older-build",
          Props.empty());
      AskPattern.<Write, Done>ask(writer, r -> new Write(SigningKeyAdded.newBuilder().setKid("legacy")
              .setPrivateJwk(legacy.toJSONString()).setAt(1).build(), r), Duration.ofSeconds(10), node.system.scheduler())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertTrue(rows(node).stream().anyMatch(r -> r.contains(secret)), "the older build's row holds the key in plain");
    }
    try (TestNode node = TestNode.start(dataDir, TestDatabase.h2())) {
      JWKSet jwks = JWKSet.parse(node.tokens.getJwks(GetJwksRequest.getDefaultInstance()).toCompletableFuture()
          .get(20, TimeUnit.SECONDS).getJson());
      assertEquals(legacy.toPublicJWK().toJSONObject(), jwks.getKeyByKeyId("legacy").toJSONObject(), "the same key signs");
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      List<String> rows = rows(node);
      while (rows.stream().anyMatch(r -> r.contains(secret)) && System.nanoTime() < deadline) {
        Thread.sleep(200);
        rows = rows(node);
      }
      assertFalse(rows.isEmpty());
      assertFalse(rows.stream().anyMatch(r -> r.contains(secret)), "a token journal or snapshot row holds the key in plain");
      assertTrue(snapshots(node) > 0, "a sealed snapshot");
    }
    // and the sealed journal recovers
    try (TestNode node = TestNode.start(dataDir, TestDatabase.h2())) {
      JWKSet jwks = JWKSet.parse(node.tokens.getJwks(GetJwksRequest.getDefaultInstance()).toCompletableFuture()
          .get(20, TimeUnit.SECONDS).getJson());
      assertEquals(legacy.toPublicJWK().toJSONObject(), jwks.getKeyByKeyId("legacy").toJSONObject());
    }
  }

  /** Every journal and snapshot row of the signing keys (deleted-marked ones too), their key material as text. */
  private static List<String> rows(TestNode node) throws Exception {
    List<String> out = new ArrayList<>();
    try (var c = node.storage("token").dataSource().getConnection()) {
      try (var rs = c.createStatement().executeQuery("SELECT \"event_payload\" FROM \"token_event_journal\""
          + " WHERE \"persistence_id\" = 'SigningKeys|jwt'")) {
        while (rs.next()) out.add(material(SigningKeyAdded.parseFrom(rs.getBytes(1))) + new String(rs.getBytes(1), StandardCharsets.ISO_8859_1));
      }
      try (var rs = c.createStatement().executeQuery("SELECT \"snapshot_payload\" FROM \"token_snapshot\""
          + " WHERE \"persistence_id\" = 'SigningKeys|jwt'")) {
        while (rs.next()) {
          for (SigningKeyAdded k : SigningKeysSnapshot.parseFrom(rs.getBytes(1)).getKeysList()) out.add(material(k));
        }
      }
    }
    return out;
  }

  private static String material(SigningKeyAdded k) {
    return k.getPrivateJwk() + " " + k.getSealedPrivateJwk();
  }

  private static int snapshots(TestNode node) throws Exception {
    try (var c = node.storage("token").dataSource().getConnection();
         var rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM \"token_snapshot\" WHERE \"persistence_id\" = 'SigningKeys|jwt'")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
