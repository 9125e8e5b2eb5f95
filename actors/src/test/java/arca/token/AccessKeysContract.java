package arca.token;

import arca.proto.token.AccessKey;
import arca.proto.token.AccessKeyCreated;
import arca.proto.token.CreateAccessKeyRequest;
import arca.proto.token.CreatedAccessKey;
import arca.proto.token.DeleteAccessKeyRequest;
import arca.proto.token.ListAccessKeysRequest;
import arca.proto.token.ResolveAccessKeyRequest;
import arca.proto.token.ResolvedAccessKey;
import arca.proto.user.CreateUserRequest;
import arca.proto.user.DeleteUserRequest;
import arca.testkit.NodeContract;
import arca.testkit.TestNode;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;

import static arca.testkit.Calls.assertStatus;
import static arca.testkit.Calls.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access-key calls of the token service on real storage, through the generated gRPC client only. The same test
 * body runs on every storage backend (one subclass each); the restart test replaces the node with a new one on the
 * same database and data directory.
 */
abstract class AccessKeysContract extends NodeContract {
  private void createUser(String login, String... roles) {
    await(node.users.createUser(CreateUserRequest.newBuilder().setLogin(login).setPassword("correct horse battery")
        .addAllRoles(List.of(roles)).build()));
  }

  private CreatedAccessKey create(String login, String label) {
    return await(node.tokens.createAccessKey(CreateAccessKeyRequest.newBuilder().setLogin(login).setLabel(label).build()));
  }

  private List<AccessKey> list(String login) {
    return await(node.tokens.listAccessKeys(ListAccessKeysRequest.newBuilder().setLogin(login).build())).getKeysList();
  }

  private ResolvedAccessKey resolve(String id) {
    return await(node.tokens.resolveAccessKey(ResolveAccessKeyRequest.newBuilder().setAccessKeyId(id).build()));
  }

  private CompletionStage<?> delete(String login, String id) {
    return node.tokens.deleteAccessKey(DeleteAccessKeyRequest.newBuilder().setLogin(login).setAccessKeyId(id).build());
  }

  /** A creation sent again with its request id gets the same key and secret, and leaves one key; so does a deletion. */
  @Test
  void creationsAndDeletionsSentAgainApplyOnce() {
    createUser("rita");
    CreateAccessKeyRequest req = CreateAccessKeyRequest.newBuilder().setLogin("rita").setLabel("laptop").setRequestId("ak-1").build();
    CreatedAccessKey first = await(node.tokens.createAccessKey(req));
    CreatedAccessKey again = await(node.tokens.createAccessKey(req));
    assertEquals(first, again);
    assertEquals(1, list("rita").size());
    CreatedAccessKey other = await(node.tokens.createAccessKey(req.toBuilder().setRequestId("ak-2").build()));
    assertTrue(!other.getAccessKeyId().equals(first.getAccessKeyId()));
    assertEquals(2, list("rita").size());
    // another user's request with the same id is another key
    createUser("sam");
    CreatedAccessKey sams = await(node.tokens.createAccessKey(req.toBuilder().setLogin("sam").build()));
    assertTrue(!sams.getAccessKeyId().equals(first.getAccessKeyId()));

    DeleteAccessKeyRequest delete = DeleteAccessKeyRequest.newBuilder().setLogin("rita").setAccessKeyId(first.getAccessKeyId())
        .setRequestId("del-1").build();
    await(node.tokens.deleteAccessKey(delete));
    await(node.tokens.deleteAccessKey(delete));
    assertStatus(Status.Code.NOT_FOUND, node.tokens.deleteAccessKey(delete.toBuilder().setRequestId("del-2").build()));
    assertEquals(1, list("rita").size());
  }

  @Test
  void createListResolveDelete() {
    createUser("alice", "staff");
    CreatedAccessKey k = create("Alice", "rclone on the laptop");
    assertTrue(k.getAccessKeyId().matches("AK[A-Z0-9]{18}"), k.getAccessKeyId());
    assertTrue(k.getSecretAccessKey().matches("[A-Za-z0-9_-]{40}"), k.getSecretAccessKey());
    assertEquals("rclone on the laptop", k.getLabel());
    assertTrue(k.getCreatedAt() > 0);

    assertEquals(List.of(AccessKey.newBuilder().setAccessKeyId(k.getAccessKeyId()).setLabel(k.getLabel())
        .setCreatedAt(k.getCreatedAt()).build()), list("alice"), "listed at once, without the secret");

    ResolvedAccessKey resolved = resolve(k.getAccessKeyId());
    assertEquals(k.getAccessKeyId(), resolved.getAccessKeyId());
    assertEquals("alice", resolved.getLogin());
    assertEquals(k.getSecretAccessKey(), resolved.getSecretAccessKey());
    assertEquals(List.of("staff"), resolved.getRolesList());

    CreatedAccessKey second = create("alice", "");
    assertEquals(List.of(k.getAccessKeyId(), second.getAccessKeyId()),
        list("alice").stream().map(AccessKey::getAccessKeyId).toList(), "oldest first");

    await(delete("alice", k.getAccessKeyId()));
    assertEquals(List.of(second.getAccessKeyId()), list("alice").stream().map(AccessKey::getAccessKeyId).toList());
    assertStatus(Status.Code.NOT_FOUND, node.tokens.resolveAccessKey(
        ResolveAccessKeyRequest.newBuilder().setAccessKeyId(k.getAccessKeyId()).build()));
    assertStatus(Status.Code.NOT_FOUND, delete("alice", k.getAccessKeyId()));
  }

  @Test
  void aUserHoldsAtMostTenKeys() {
    createUser("bob");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 10; i++) ids.add(create("bob", "key " + i).getAccessKeyId());
    assertStatus(Status.Code.FAILED_PRECONDITION, node.tokens.createAccessKey(
        CreateAccessKeyRequest.newBuilder().setLogin("bob").build()));
    assertEquals(10, list("bob").size());

    await(delete("bob", ids.get(4)));
    create("bob", "the freed place");
    assertEquals(10, list("bob").size());
  }

  @Test
  void onlyTheOwnerDeletes() {
    createUser("carol");
    createUser("dave");
    CreatedAccessKey carols = create("carol", "");
    assertStatus(Status.Code.NOT_FOUND, delete("dave", carols.getAccessKeyId()));
    assertTrue(list("dave").isEmpty());
    assertEquals(carols.getSecretAccessKey(), resolve(carols.getAccessKeyId()).getSecretAccessKey(), "still live");
    assertStatus(Status.Code.NOT_FOUND, delete("carol", "AK" + "0".repeat(18)));
  }

  @Test
  void badInputAndUnknownUsersAreRefused() {
    createUser("erin");
    assertStatus(Status.Code.NOT_FOUND, node.tokens.createAccessKey(
        CreateAccessKeyRequest.newBuilder().setLogin("nobody-here").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.tokens.createAccessKey(
        CreateAccessKeyRequest.newBuilder().setLogin("not a login").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.tokens.createAccessKey(
        CreateAccessKeyRequest.newBuilder().setLogin("erin").setLabel("x".repeat(65)).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.tokens.createAccessKey(
        CreateAccessKeyRequest.newBuilder().setLogin("erin").setLabel("line\nbreak").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.tokens.listAccessKeys(
        ListAccessKeysRequest.newBuilder().setLogin("").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, delete("erin", "ak-lowercase"));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.tokens.resolveAccessKey(
        ResolveAccessKeyRequest.newBuilder().setAccessKeyId("AKIA").build()));
    assertStatus(Status.Code.NOT_FOUND, node.tokens.resolveAccessKey(
        ResolveAccessKeyRequest.newBuilder().setAccessKeyId("AK" + "Z".repeat(18)).build()));
    assertTrue(list("erin").isEmpty(), "nothing was created");
    assertTrue(list("nobody-here").isEmpty());
  }

  @Test
  void theKeyOfADeletedUserNoLongerResolves() {
    createUser("frank");
    CreatedAccessKey k = create("frank", "");
    await(node.users.deleteUser(DeleteUserRequest.newBuilder().setLogin("frank").build()));
    assertStatus(Status.Code.NOT_FOUND, node.tokens.resolveAccessKey(
        ResolveAccessKeyRequest.newBuilder().setAccessKeyId(k.getAccessKeyId()).build()));
  }

  @Test
  void theJournalHoldsSealedSecretsOnly() throws Exception {
    createUser("gina");
    CreatedAccessKey k = create("gina", "");
    byte[] secret = k.getSecretAccessKey().getBytes(StandardCharsets.UTF_8);
    AccessKeyCreated stored = null;
    int rows = 0;
    try (Connection c = node.storage("token").dataSource().getConnection()) {
      String q = c.getMetaData().getIdentifierQuoteString(); // H2's journal names are quoted lower case
      for (String[] table : List.of(new String[] {"token_event_journal", "event_payload"},
          new String[] {"token_snapshot", "snapshot_payload"})) {
        String query = "SELECT " + q + "persistence_id" + q + ", " + q + table[1] + q + " FROM " + q + table[0] + q;
        try (PreparedStatement s = c.prepareStatement(query); ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            byte[] payload = rs.getBytes(2);
            rows++;
            assertFalse(contains(payload, secret), "plain secret in " + rs.getString(1));
            if (rs.getString(1).equals("AccessKey|" + k.getAccessKeyId())) stored = AccessKeyCreated.parseFrom(payload);
          }
        }
      }
    }
    assertTrue(rows > 0);
    assertTrue(stored != null, "the key's event is in the journal");
    assertEquals("gina", stored.getLogin());
    assertFalse(stored.getCipherKid().isEmpty());
    assertTrue(stored.getSealedSecret().length() > 40, "sealed: IV, ciphertext and tag");
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) return true;
    }
    return false;
  }

  @Test
  void keysSurviveARestartOnTheSameStorage() {
    createUser("hugo", "staff");
    CreatedAccessKey k = create("hugo", "before the restart");

    node.close();
    node = TestNode.start(dataDir, database);

    assertEquals(k.getSecretAccessKey(), resolve(k.getAccessKeyId()).getSecretAccessKey(),
        "the same encryption key opens it after a restart");
    assertEquals(List.of(k.getAccessKeyId()), list("hugo").stream().map(AccessKey::getAccessKeyId).toList());
    CreatedAccessKey after = create("hugo", "after");
    assertEquals(after.getSecretAccessKey(), resolve(after.getAccessKeyId()).getSecretAccessKey());
  }
}
