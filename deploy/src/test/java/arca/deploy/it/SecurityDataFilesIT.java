package arca.deploy.it;

import arca.proto.token.EncryptionKeyAdded;
import arca.proto.token.EncryptionKeysSnapshot;
import arca.proto.token.SigningKeyAdded;
import arca.proto.token.SigningKeysSnapshot;
import arca.token.MasterKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.typesafe.config.ConfigFactory;
import java.nio.file.LinkOption;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Data at rest (README "Data at rest"), on nodes of its own: a node started with umask 022 keeps every file of its data
 * directory from another local account; the token service's keys are not in the database in the clear; a node refuses
 * to start, naming the path, on a data directory or master key file others may read, and with another master key.
 */
class SecurityDataFilesIT {
  private static final String PASSWORD = "admin-pass-data-files";
  private static final String PROBE = "arca-probe";
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  @TempDir
  Path work;
  NodeProcess node;

  @AfterEach
  void stopNode() throws Exception {
    if (node != null) node.close();
  }

  @Test
  void anotherLocalAccountReadsNothingAndTheDatabaseHoldsNoKeyInTheClear() throws Exception {
    // the probe account must be able to reach the data dir's parent: only the node's own modes may stop it
    Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path dataDir = work.resolve("data");
    node = new NodeProcess(dataDir, Map.of("ARCA_ADMIN_PASSWORD", PASSWORD));
    node.log = work.resolve("node.log");
    node.umask = "022";
    node.start();

    Api api = new Api(node.url());
    String admin = api.token("admin", PASSWORD);
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", "mallory-victim", "password", "victim-pass-1")));
    String victim = api.token("mallory-victim", "victim-pass-1");
    byte[] content = "the victim's private content".getBytes(StandardCharsets.UTF_8);
    assertEquals(200, api.putBytes("/io/personal/secret.txt", victim, content).statusCode());
    assertStatus(201, api.send("POST", "/a/nodes/personal/folder", victim, null));
    assertEquals(200, api.putBytes("/io/personal/folder/second.txt", victim, content).statusCode());
    assertStatus(201, api.send("POST", "/a/access-keys", victim, Map.of("label", "probe")));
    String publicModulus = Api.JSON.readTree(api.get("/oidc/jwks", null).raw().body()).path("keys").get(0).path("n").asText();

    List<Path> files = files(dataDir);
    assertTrue(files.stream().anyMatch(f -> f.toString().endsWith(".mv.db")), "the H2 database: " + files);
    assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals("auth-cache.cm")), "the auth cache: " + files);
    assertTrue(files.stream().anyMatch(f -> f.toString().contains("/blobs/")), "blobs: " + files);
    assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().equals("master.key")), "the master key: " + files);
    assertEverythingPrivate(dataDir);
    assertProbeReadsNothing(dataDir);

    // stopped (the database flushed): neither the .mv.db file nor the token journal and snapshot rows hold the keys
    node.stop();
    MasterKey masterKey = MasterKey.forNode(ConfigFactory.parseMap(Map.of("arca.data-dir", dataDir.toString(), "arca.master-key-file", "")));
    List<String> secrets = new ArrayList<>();
    byte[] database = Files.readAllBytes(dataDir.resolve("db/arca.mv.db"));
    try (var c = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("db/arca"), "", "")) {
      List<byte[]> rows = new ArrayList<>();
      for (String sql : List.of("SELECT \"event_payload\", \"persistence_id\" FROM \"token_event_journal\"",
          "SELECT \"snapshot_payload\", \"persistence_id\" FROM \"token_snapshot\"")) {
        try (var rs = c.createStatement().executeQuery(sql)) {
          while (rs.next()) {
            byte[] payload = rs.getBytes(1);
            rows.add(payload);
            String pid = rs.getString(2);
            boolean snapshot = sql.contains("snapshot");
            if (pid.startsWith("SigningKeys|")) {
              List<SigningKeyAdded> keys = snapshot ? SigningKeysSnapshot.parseFrom(payload).getKeysList() : List.of(SigningKeyAdded.parseFrom(payload));
              for (SigningKeyAdded k : keys) {
                assertEquals("", k.getPrivateJwk(), "a signing key in plain in " + pid);
                RSAKey jwk = RSAKey.parse(masterKey.open(k.getSealedPrivateJwk(), "SigningKeys/" + k.getKid()));
                assertEquals(publicModulus, jwk.getModulus().toString(), "the sealed key is the one the JWKS publishes");
                byte[] pkcs8 = jwk.toPrivateKey().getEncoded();
                secrets.add(new String(pkcs8, StandardCharsets.ISO_8859_1));
                secrets.add(Base64.getEncoder().encodeToString(pkcs8));
                secrets.add(jwk.getPrivateExponent().toString());
                secrets.add(jwk.getFirstPrimeFactor().toString());
              }
            } else if (pid.startsWith("EncryptionKeys|")) {
              List<EncryptionKeyAdded> keys = snapshot ? EncryptionKeysSnapshot.parseFrom(payload).getKeysList() : List.of(EncryptionKeyAdded.parseFrom(payload));
              for (EncryptionKeyAdded k : keys) {
                assertEquals("", k.getKey(), "an encryption key in plain in " + pid);
                String key = masterKey.open(k.getSealedKey(), "EncryptionKeys/" + k.getKid());
                secrets.add(key);
                secrets.add(new String(Base64.getUrlDecoder().decode(key), StandardCharsets.ISO_8859_1));
              }
            }
          }
        }
      }
      assertTrue(secrets.size() >= 6, "found the sealed signing and encryption keys: " + secrets.size());
      for (byte[] row : rows) {
        String text = new String(row, StandardCharsets.ISO_8859_1);
        for (String secret : secrets) assertFalse(text.contains(secret), "a token journal row holds key material in the clear");
      }
    }
    String file = new String(database, StandardCharsets.ISO_8859_1);
    for (String secret : secrets) assertFalse(file.contains(secret), "the .mv.db file holds key material in the clear");

    // the same data with another master key: refused at once, naming the file
    Path keyFile = dataDir.resolve("master.key");
    byte[] other = new byte[32];
    new SecureRandom().nextBytes(other);
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(other) + "\n");
    String refused = refusedStart(node);
    assertTrue(refused.contains(keyFile.toString()) && refused.contains("is not the one"), refused);
  }

  @Test
  void aDataDirectoryOthersCanReadIsRefusedNamingIt() throws Exception {
    Path dataDir = Files.createDirectory(work.resolve("open-data"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    node = new NodeProcess(dataDir, Map.of("ARCA_ADMIN_PASSWORD", PASSWORD));
    node.log = work.resolve("open-data.log");
    String refused = refusedStart(node);
    assertTrue(refused.contains("data directory " + dataDir + " is rwxr-xr-x"), refused);
    assertTrue(refused.contains("chmod -R go= " + dataDir), refused);
    assertFalse(Files.exists(dataDir.resolve("db")), "nothing opened");
  }

  @Test
  void aMasterKeyFileOthersCanReadIsRefusedNamingIt() throws Exception {
    Path dataDir = Files.createDirectory(work.resolve("data"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path keyFile = work.resolve("cluster.key");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(key) + "\n");
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));
    node = new NodeProcess(dataDir, Map.of("ARCA_ADMIN_PASSWORD", PASSWORD, "ARCA_MASTER_KEY_FILE", keyFile.toString()));
    String refused = refusedStart(node);
    assertTrue(refused.contains("master key file " + keyFile + " is rw-r--r--"), refused);
    assertTrue(refused.contains("chmod 600 " + keyFile), refused);

    Files.delete(keyFile);
    String missing = refusedStart(node);
    assertTrue(missing.contains(keyFile + " (ARCA_MASTER_KEY_FILE) does not exist"), missing);
  }

  /** Starts the node expecting it to exit at once; the log. */
  private static String refusedStart(NodeProcess node) {
    long t0 = System.nanoTime();
    IllegalStateException e = assertThrows(IllegalStateException.class, node::start);
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L;
    assertTrue(e.getMessage().contains("node exited with 1"), e.getMessage());
    assertTrue(e.getMessage().contains("node refused to start"), e.getMessage());
    assertTrue(seconds < 30, "refused after " + seconds + " s");
    return e.getMessage();
  }

  private static List<Path> files(Path dir) throws Exception {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile).toList();
    }
  }

  private static void assertEverythingPrivate(Path dataDir) throws Exception {
    List<String> open = new ArrayList<>();
    try (Stream<Path> all = Files.walk(dataDir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        mode.retainAll(GROUP_OR_OTHERS);
        if (!mode.isEmpty()) open.add(p + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(p)));
      }
    }
    assertEquals(List.of(), open, "files and directories with group or others' bits");
  }

  /** A second local account (created once; tests run as root) fails to read each file and to list each directory. */
  private static void assertProbeReadsNothing(Path dataDir) throws Exception {
    if (run("id", "-u", PROBE) != 0) assertEquals(0, run("useradd", "--system", "--no-create-home", PROBE), "useradd " + PROBE);
    assertEquals(0, run("runuser", "-u", PROBE, "--", "test", "-x", dataDir.getParent().toString()),
        "the probe reaches the data dir's parent, so only the data dir's own modes stop it");
    List<String> readable = new ArrayList<>();
    try (Stream<Path> all = Files.walk(dataDir)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        int status = Files.isDirectory(p) ? run("runuser", "-u", PROBE, "--", "ls", p.toString())
            : run("runuser", "-u", PROBE, "--", "cat", p.toString());
        if (status == 0) readable.add(p.toString());
      }
    }
    assertEquals(List.of(), readable, PROBE + " could read these");
    // the check itself works: a file the probe may read is read
    Path open = Files.writeString(dataDir.getParent().resolve("readable-by-all.txt"), "x");
    Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
    assertEquals(0, run("runuser", "-u", PROBE, "--", "cat", open.toString()));
    assertNotEquals(0, run("runuser", "-u", PROBE, "--", "cat", dataDir.resolve("master.key").toString()));
  }

  private static int run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor();
  }
}
