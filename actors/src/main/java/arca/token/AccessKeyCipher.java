package arca.token;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * Seals the secrets of access keys (AES-256-GCM, a fresh 12-byte IV per secret) with the cluster's encryption key from
 * {@link EncryptionKeysEntity}, creating that key on first use; the key is cached per node after the first read.
 * SigV4 needs the plain secret on the server (the signature is an HMAC keyed by it), so the secret cannot be stored
 * hashed like a refresh token; it is stored sealed instead. The associated data binds each ciphertext to its access
 * key id and login.
 *
 * <p>What this protects against: anyone who sees the access-key events or snapshots without the encryption-key entity's
 * events — a copy, export or log of those rows, a dump of one entity's journal, a backup of selected tables — learns no
 * secret; and a sealed secret copied into another key's row, or another login's, does not open.
 *
 * <p>The encryption key is itself an event of the token journal, sealed there with the {@link MasterKey} (a file
 * outside the database), so a dump of the whole database does not open the secrets either. What this does not protect
 * against: whoever has the database and the master key file, or can call {@code ResolveAccessKey} on the internal gRPC
 * port, or read a token node's memory, can open every secret.
 */
final class AccessKeyCipher {
  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;
  private static final int KEY_BYTES = 32;
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A sealed secret: the encryption key that sealed it, and base64url(IV || ciphertext and tag). */
  record Sealed(String kid, String data) {}

  /** The encryption keys in usable form: the newest seals, each opens what it sealed. */
  record Keys(String newest, Map<String, SecretKey> byKid) {
    static Keys of(EncryptionKeysEntity.State state) {
      Map<String, SecretKey> byKid = state.keys().stream().collect(Collectors.toUnmodifiableMap(
          EncryptionKeysEntity.Key::kid, k -> new SecretKeySpec(Base64.getUrlDecoder().decode(k.key()), "AES")));
      return new Keys(state.keys().get(state.keys().size() - 1).kid(), byKid);
    }

    Sealed seal(String accessKeyId, String login, String secret) {
      byte[] iv = new byte[IV_BYTES];
      RANDOM.nextBytes(iv);
      byte[] sealed = run(Cipher.ENCRYPT_MODE, byKid.get(newest), iv, associated(accessKeyId, login),
          secret.getBytes(StandardCharsets.UTF_8));
      byte[] out = ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed).array();
      return new Sealed(newest, Base64.getUrlEncoder().withoutPadding().encodeToString(out));
    }

    /** The plain secret; IllegalStateException when the key is unknown or the data was altered or moved. */
    String open(String accessKeyId, String login, Sealed sealed) {
      SecretKey key = byKid.get(sealed.kid());
      if (key == null) throw new IllegalStateException("unknown encryption key " + sealed.kid());
      byte[] in = Base64.getUrlDecoder().decode(sealed.data());
      if (in.length <= IV_BYTES) throw new IllegalStateException("sealed secret of " + accessKeyId + " is truncated");
      byte[] plain = run(Cipher.DECRYPT_MODE, key, Arrays.copyOf(in, IV_BYTES), associated(accessKeyId, login),
          Arrays.copyOfRange(in, IV_BYTES, in.length));
      return new String(plain, StandardCharsets.UTF_8);
    }

    private static byte[] associated(String accessKeyId, String login) {
      return (accessKeyId + "\n" + login).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] run(int mode, SecretKey key, byte[] iv, byte[] aad, byte[] input) {
      try {
        Cipher cipher = Cipher.getInstance(TRANSFORMATION);
        cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, iv));
        cipher.updateAAD(aad);
        return cipher.doFinal(input);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("access-key secret does not " + (mode == Cipher.ENCRYPT_MODE ? "seal" : "open"), e);
      }
    }
  }

  private final ActorSystem<?> system;
  private final Duration timeout;
  private final AtomicReference<CompletableFuture<Keys>> cache = new AtomicReference<>();

  AccessKeyCipher(ActorSystem<?> system) {
    this.system = system;
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
  }

  CompletionStage<Keys> keys() {
    CompletableFuture<Keys> current = cache.get();
    if (current != null && !current.isCompletedExceptionally()) return current;
    CompletableFuture<Keys> fresh = load().toCompletableFuture();
    cache.set(fresh);
    return fresh;
  }

  private CompletionStage<Keys> load() {
    var ref = ClusterSharding.get(system).entityRefFor(EncryptionKeysEntity.KEY, EncryptionKeysEntity.ID);
    return ref.ask(EncryptionKeysEntity.GetKeys::new, timeout).thenCompose(state -> {
      if (!state.keys().isEmpty()) return CompletableFuture.completedFuture(state);
      return ref.<EncryptionKeysEntity.State>ask(r -> new EncryptionKeysEntity.AddKeyIfNone(
          Secrets.random(9), Secrets.random(KEY_BYTES), r), timeout);
    }).thenApply(Keys::of);
  }
}
