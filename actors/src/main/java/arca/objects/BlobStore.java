package arca.objects;

import akka.NotUsed;
import akka.stream.javadsl.Source;
import akka.util.ByteString;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The bytes of one datasource, as immutable blobs named by server-chosen ids. Shaped like an S3 bucket so that a
 * bucket can back a datasource as well as a local folder: put from a stream, ranged get, stat, delete,
 * server-side copy, compose (multipart complete). Bytes only ever stream; nothing holds a whole blob in memory.
 * Failures the caller can act on are {@link BlobException}s.
 */
public interface BlobStore {
  /** Most parts {@link #compose} takes (the S3 limit). */
  int MAX_PARTS = 10_000;

  /**
   * Stores the bytes as a new blob. It becomes visible only once complete, durable and matching {@code expected};
   * a failed or mismatching stream leaves nothing behind.
   */
  CompletionStage<BlobInfo> put(Source<ByteString, ?> bytes, Expected expected);

  /**
   * {@code length} bytes from {@code offset} ({@code length} 0: to the end; a range past the end stops at the end).
   * Fails with NOT_FOUND for an unknown blob, OUT_OF_RANGE for an offset past the end.
   */
  Source<ByteString, NotUsed> get(BlobId id, long offset, long length);

  CompletionStage<BlobInfo> stat(BlobId id);

  /** Idempotent; true if the blob existed. */
  CompletionStage<Boolean> delete(BlobId id);

  /** A new blob with the same bytes. */
  CompletionStage<BlobInfo> copy(BlobId source);

  /** A new blob with the parts' bytes in order (1 to {@link #MAX_PARTS} parts); the parts stay as they are. */
  CompletionStage<Composed> compose(List<BlobId> parts);

  CompletionStage<Usage> usage();
}
