package arca.rest.files.io;

import java.util.Optional;

/** The outcome of checking a request's AWS Signature Version 4: who signed it, or the S3 error to answer. */
public sealed interface SigV4Result {

  /**
   * The signature holds. {@code contentSha256} is the payload claim the client signed (a hex SHA-256 the gateway
   * must check the body against, {@code UNSIGNED-PAYLOAD}, or one of the {@code STREAMING-*} aws-chunked forms);
   * for the streaming forms {@code chunkSeed} carries what the chunk signatures chain from.
   */
  record Verified(String accessKeyId, String contentSha256, Optional<ChunkSeed> chunkSeed) implements SigV4Result {}

  /** The request is refused with an S3 error code (see {@link S3Errors}) and a message for the client. */
  record Rejected(String code, String message) implements SigV4Result {}

  /**
   * The request signature and the key it was made with: each aws-chunked chunk is signed with the same key and
   * scope, chained from the previous signature, starting with the request's own.
   */
  record ChunkSeed(byte[] signingKey, String timestamp, String scope, String seedSignature) {
    @Override public String toString() { return "ChunkSeed[" + timestamp + ", " + scope + "]"; }
  }
}
