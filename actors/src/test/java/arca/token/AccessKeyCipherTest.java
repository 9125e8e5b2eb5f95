package arca.token;

import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sealing and opening access-key secrets, and the shapes of access key ids and secrets. */
class AccessKeyCipherTest {
  private static final String ID = "AKTESTTESTTESTTEST01";

  private static AccessKeyCipher.Keys keys(String... kids) {
    return AccessKeyCipher.Keys.of(new EncryptionKeysEntity.State(List.of(kids).stream()
        .map(kid -> new EncryptionKeysEntity.Key(kid, Secrets.random(32), 1L)).toList()));
  }

  @Test
  void aSealedSecretOpensToItself() {
    AccessKeyCipher.Keys keys = keys("k1");
    String secret = Secrets.accessKeySecret();
    AccessKeyCipher.Sealed sealed = keys.seal(ID, "alice", secret);
    assertEquals("k1", sealed.kid());
    assertFalse(sealed.data().contains(secret));
    assertEquals(secret, keys.open(ID, "alice", sealed));
  }

  @Test
  void theNewestKeySealsAndEveryKeyOpensItsOwn() {
    AccessKeyCipher.Keys old = keys("k1");
    AccessKeyCipher.Sealed byOld = old.seal(ID, "alice", "secret");
    AccessKeyCipher.Keys both = AccessKeyCipher.Keys.of(new EncryptionKeysEntity.State(List.of(
        new EncryptionKeysEntity.Key("k1", keyOf(old, "k1"), 1L), new EncryptionKeysEntity.Key("k2", Secrets.random(32), 2L))));
    assertEquals("k2", both.seal(ID, "alice", "secret").kid());
    assertEquals("secret", both.open(ID, "alice", byOld));
  }

  private static String keyOf(AccessKeyCipher.Keys keys, String kid) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(keys.byKid().get(kid).getEncoded());
  }

  @Test
  void everySealingUsesAFreshIv() {
    AccessKeyCipher.Keys keys = keys("k1");
    assertNotEquals(keys.seal(ID, "alice", "same").data(), keys.seal(ID, "alice", "same").data());
  }

  @Test
  void aSealedSecretMovedToAnotherKeyOrLoginDoesNotOpen() {
    AccessKeyCipher.Keys keys = keys("k1");
    AccessKeyCipher.Sealed sealed = keys.seal(ID, "alice", "secret");
    assertThrows(IllegalStateException.class, () -> keys.open("AKTESTTESTTESTTEST02", "alice", sealed));
    assertThrows(IllegalStateException.class, () -> keys.open(ID, "mallory", sealed));
  }

  @Test
  void alteredTruncatedOrForeignDataDoesNotOpen() {
    AccessKeyCipher.Keys keys = keys("k1");
    AccessKeyCipher.Sealed sealed = keys.seal(ID, "alice", "secret");
    byte[] raw = Base64.getUrlDecoder().decode(sealed.data());
    raw[raw.length - 1] ^= 1;
    String altered = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    assertThrows(IllegalStateException.class, () -> keys.open(ID, "alice", new AccessKeyCipher.Sealed("k1", altered)));
    assertThrows(IllegalStateException.class, () -> keys.open(ID, "alice", new AccessKeyCipher.Sealed("k1", "AAAA")));
    assertThrows(IllegalStateException.class, () -> keys.open(ID, "alice", new AccessKeyCipher.Sealed("k9", sealed.data())));
    assertThrows(IllegalStateException.class, () -> keys("k1").open(ID, "alice", sealed), "another cluster's key");
  }

  @Test
  void accessKeyIdsAndSecretsHaveTheShapesS3ClientsExpect() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 1000; i++) {
      String id = Secrets.accessKeyId();
      assertTrue(Secrets.ACCESS_KEY_ID.matcher(id).matches(), id);
      assertEquals(20, id.length());
      ids.add(id);
      String secret = Secrets.accessKeySecret();
      assertTrue(secret.matches("[A-Za-z0-9_-]{40}"), secret);
    }
    assertEquals(1000, ids.size());
  }
}
