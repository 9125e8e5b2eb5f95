package arca.token;

import com.typesafe.config.Config;

import java.sql.Connection;
import java.sql.SQLIntegrityConstraintViolationException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import javax.sql.DataSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Base64;

/**
 * The master key: AES-256, kept in a file outside the database, that seals the token service's key material (the JWT
 * signing keys, the keys that encrypt access-key secrets) before it goes into the journal and snapshots, so that a
 * dump or backup of the database alone reveals none of it. The one place that seals and opens that material.
 *
 * <p>The file ({@code arca.master-key-file}, {@code ARCA_MASTER_KEY_FILE}) holds the base64 of 32 random bytes; with no
 * file configured it is {@code <data dir>/master.key}, generated (mode 0600) at first start. Every node of a cluster
 * must use the same file. Sealed values name the master key's {@link #id()} (a digest that reveals nothing of the
 * key), and the token service's table {@code token_master_key} records the id of the key its material is sealed with,
 * so that a node given another key refuses to start ({@link #checkAgainst}) instead of failing at the first login.
 */
public final class MasterKey {
  public static final String FILE_NAME = "master.key";
  private static final int KEY_BYTES = 32;
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKey key;
  private final String id;
  private final Path file;

  private MasterKey(byte[] key, Path file) {
    if (key.length != KEY_BYTES) throw new IllegalArgumentException(file + " must hold the base64 of " + KEY_BYTES
        + " random bytes (e.g. `head -c 32 /dev/urandom | base64`), it holds " + key.length + " bytes");
    this.key = new SecretKeySpec(key, "AES");
    this.file = file;
    this.id = computeId(key);
  }

  /** A key held in memory only (tests). */
  static MasterKey of(byte[] key) {
    return new MasterKey(key, Path.of("(memory)"));
  }

  /** The configured file ({@code arca.master-key-file}), or {@code <data dir>/master.key} when none is configured. */
  public static Path file(Config config) {
    String configured = config.getString("arca.master-key-file");
    return configured.isBlank() ? Path.of(config.getString("arca.data-dir")).resolve(FILE_NAME) : Path.of(configured);
  }

  /**
   * The node's master key: read from {@link #file}; the default file is generated when missing (a configured one must
   * exist: generating a key of its own would split a cluster).
   */
  public static MasterKey forNode(Config config) {
    Path file = file(config);
    boolean configured = !config.getString("arca.master-key-file").isBlank();
    try {
      if (!Files.exists(file)) {
        if (configured) throw new IllegalStateException("master key file " + file + " (ARCA_MASTER_KEY_FILE) does not"
            + " exist; create it once for the whole cluster: head -c 32 /dev/urandom | base64 > " + file + " && chmod 600 " + file);
        byte[] fresh = new byte[KEY_BYTES];
        RANDOM.nextBytes(fresh);
        Files.createDirectories(file.getParent());
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, Base64.getEncoder().encodeToString(fresh) + "\n", StandardOpenOption.TRUNCATE_EXISTING);
      }
      String text = Files.readString(file).strip();
      byte[] key;
      try {
        key = Base64.getDecoder().decode(text.replaceAll("\\s", ""));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException("master key file " + file + " does not hold base64", e);
      }
      return new MasterKey(key, file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read or create the master key file " + file + ": " + e, e);
    }
  }

  /** A digest of the key (HMAC-SHA256 of a fixed text under it, 16 base64url characters): names it, reveals nothing. */
  public String id() {
    return id;
  }

  public Path path() {
    return file;
  }

  /**
   * {@code plain} sealed: {@code "<id>.<base64url(IV || ciphertext and tag)>"}, AES-256-GCM with a fresh 12-byte IV;
   * {@code context} (what the value is: entity and key id) is the associated data, so a sealed value moved to another
   * place does not open there.
   */
  public String seal(String plain, String context) {
    byte[] iv = new byte[IV_BYTES];
    RANDOM.nextBytes(iv);
    byte[] sealed = run(Cipher.ENCRYPT_MODE, iv, context, plain.getBytes(StandardCharsets.UTF_8));
    byte[] out = ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
    return id + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
  }

  /** What {@link #seal} sealed; IllegalStateException naming the keys when another master key sealed it, or when altered. */
  public String open(String sealed, String context) {
    int dot = sealed.indexOf('.');
    String by = dot < 0 ? "" : sealed.substring(0, dot);
    if (!by.equals(id)) throw new IllegalStateException(context + " is sealed with master key " + by
        + ", not with this node's master key " + id + " (" + file + ")");
    byte[] in;
    try {
      in = Base64.getUrlDecoder().decode(sealed.substring(dot + 1));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(context + ": sealed value is not base64url", e);
    }
    if (in.length <= IV_BYTES) throw new IllegalStateException(context + ": sealed value is truncated");
    return new String(run(Cipher.DECRYPT_MODE, Arrays.copyOf(in, IV_BYTES), context,
        Arrays.copyOfRange(in, IV_BYTES, in.length)), StandardCharsets.UTF_8);
  }

  /**
   * Records this key's id in the token service's database when none is recorded yet (the first node), else checks it is
   * the recorded one: IllegalStateException saying what to do when it is not. Blocking: call at start.
   */
  public void checkAgainst(DataSource tokenDatabase) {
    try (var c = tokenDatabase.getConnection()) {
      String recorded = recorded(c);
      if (recorded == null) {
        try (var ps = c.prepareStatement("INSERT INTO token_master_key (id, key_id) VALUES (1, ?)")) {
          ps.setString(1, id);
          ps.executeUpdate();
        } catch (SQLIntegrityConstraintViolationException anotherNodeWasFirst) {
          // recorded meanwhile by another node: compared below
        }
        recorded = recorded(c);
      }
      if (!id.equals(recorded)) {
        throw new IllegalStateException("the master key in " + file + " (id " + id + ") is not the one the token"
            + " service's key material is sealed with (id " + recorded + "): start every node with the same master key"
            + " file (ARCA_MASTER_KEY_FILE), e.g. restore it from its backup");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot check the master key against the token database: " + e.getMessage(), e);
    }
  }

  private static String recorded(Connection c) throws SQLException {
    try (var ps = c.prepareStatement("SELECT key_id FROM token_master_key WHERE id = 1"); var rs = ps.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private byte[] run(int mode, byte[] iv, String context, byte[] input) {
    try {
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
      cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
      return cipher.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(context + " does not " + (mode == Cipher.ENCRYPT_MODE ? "seal" : "open")
          + " with master key " + id + " (altered?)", e);
    }
  }

  private static String computeId(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      byte[] digest = mac.doFinal("arca master key id".getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest).substring(0, 16);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "MasterKey[" + id + ", " + file + "]";
  }
}
