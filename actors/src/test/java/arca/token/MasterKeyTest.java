package arca.token;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MasterKeyTest {
  @TempDir
  Path dir;

  static MasterKey randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return MasterKey.of(key);
  }

  @Test
  void sealsAndOpensWithAFreshIvEachTime() {
    MasterKey key = randomKey();
    String a = key.seal("the private key", "SigningKeys/k1");
    String b = key.seal("the private key", "SigningKeys/k1");
    assertNotEquals(a, b, "a fresh IV per value");
    assertTrue(a.startsWith(key.id() + "."), a);
    assertFalse(a.contains("private"), a);
    assertEquals("the private key", key.open(a, "SigningKeys/k1"));
    assertEquals("the private key", key.open(b, "SigningKeys/k1"));
  }

  @Test
  void anotherKeyIsRefusedNamingBothIds() {
    MasterKey mine = randomKey();
    MasterKey other = randomKey();
    String sealed = other.seal("x", "SigningKeys/k1");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> mine.open(sealed, "SigningKeys/k1"));
    assertTrue(e.getMessage().contains(other.id()) && e.getMessage().contains(mine.id()), e.getMessage());
    // even with the id forged to this key's, the tag does not verify
    String forged = mine.id() + sealed.substring(sealed.indexOf('.'));
    assertThrows(IllegalStateException.class, () -> mine.open(forged, "SigningKeys/k1"));
  }

  @Test
  void tamperedOrMovedValuesDoNotOpen() {
    MasterKey key = randomKey();
    String sealed = key.seal("secret material", "SigningKeys/k1");
    byte[] raw = Base64.getUrlDecoder().decode(sealed.substring(sealed.indexOf('.') + 1));
    for (int i = 0; i < raw.length; i++) {
      byte[] bad = raw.clone();
      bad[i] ^= 1;
      String tampered = key.id() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(bad);
      assertThrows(IllegalStateException.class, () -> key.open(tampered, "SigningKeys/k1"), "bit flipped in byte " + i);
    }
    assertThrows(IllegalStateException.class, () -> key.open(sealed, "SigningKeys/k2"), "another key id's place");
    assertThrows(IllegalStateException.class, () -> key.open(key.id() + ".AAAA", "SigningKeys/k1"), "truncated");
    assertThrows(IllegalStateException.class, () -> key.open("no-dot", "SigningKeys/k1"));
  }

  @Test
  void theDefaultFileIsGeneratedPrivateOnceAndReadAfterwards() throws Exception {
    var config = ConfigFactory.parseMap(Map.of("arca.data-dir", dir.toString(), "arca.master-key-file", ""));
    MasterKey first = MasterKey.forNode(config);
    Path file = dir.resolve("master.key");
    assertEquals(file, first.path());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(32, Base64.getMimeDecoder().decode(Files.readString(file).strip()).length);
    MasterKey again = MasterKey.forNode(config);
    assertEquals(first.id(), again.id());
    assertEquals("x", again.open(first.seal("x", "c"), "c"));
  }

  @Test
  void aConfiguredFileMustExistAndHoldAKey() throws Exception {
    Path file = dir.resolve("cluster.key");
    var config = ConfigFactory.parseMap(Map.of("arca.data-dir", dir.toString(), "arca.master-key-file", file.toString()));
    IllegalStateException missing = assertThrows(IllegalStateException.class, () -> MasterKey.forNode(config));
    assertTrue(missing.getMessage().contains(file.toString()) && missing.getMessage().contains("head -c 32 /dev/urandom"),
        missing.getMessage());
    assertFalse(Files.exists(file), "a configured file is never generated: each node would get its own key");
    Files.writeString(file, "c2hvcnQ=\n");
    assertThrows(IllegalArgumentException.class, () -> MasterKey.forNode(config));
    Files.writeString(file, "not base64 !!!\n");
    assertThrows(IllegalStateException.class, () -> MasterKey.forNode(config));
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");
    assertEquals(MasterKey.of(key).id(), MasterKey.forNode(config).id());
  }
}
