package arca.objects;

import akka.util.ByteString;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Size, MD5 and SHA-256 of a byte stream, fed chunk by chunk by one stream stage (not thread-safe). */
final class Hasher {
  private final MessageDigest md5 = digest("MD5");
  private final MessageDigest sha256 = digest("SHA-256");
  private long size;

  void update(ByteString chunk) {
    for (ByteBuffer b : chunk.getByteBuffers()) md5.update(b);
    for (ByteBuffer b : chunk.getByteBuffers()) sha256.update(b);
    size += chunk.size();
  }

  long size() {
    return size;
  }

  /** Call once, at the end (finishes the digest). */
  String md5Hex() {
    return HexFormat.of().formatHex(md5.digest());
  }

  /** Call once, at the end (finishes the digest). */
  String sha256Hex() {
    return HexFormat.of().formatHex(sha256.digest());
  }

  static MessageDigest digest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JVM lacks " + algorithm, e);
    }
  }
}
