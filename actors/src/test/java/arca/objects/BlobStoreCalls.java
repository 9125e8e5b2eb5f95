package arca.objects;

import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/** Calls on a {@link BlobStore} as the tests of every store make them: bytes in, bytes out, the failure expected. */
abstract class BlobStoreCalls {
  abstract BlobStore store();

  abstract Materializer materializer();

  BlobInfo put(byte[] bytes, Expected expected) {
    return await(store().put(chunked(bytes), expected));
  }

  BlobException putFailure(byte[] bytes, Expected expected) {
    return failure(store().put(chunked(bytes), expected));
  }

  /** The bytes in chunks of 64 KiB, as a client would send them. */
  static Source<ByteString, ?> chunked(byte[] bytes) {
    List<ByteString> chunks = new ArrayList<>();
    for (int at = 0; at < bytes.length; at += 64 * 1024) {
      chunks.add(ByteString.fromArray(bytes, at, Math.min(64 * 1024, bytes.length - at)));
    }
    return Source.from(chunks);
  }

  byte[] read(BlobId id, long offset, long length) {
    return await(store().get(id, offset, length).runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat),
        materializer())).toArray();
  }

  BlobException readFailure(BlobId id, long offset, long length) {
    return failure(store().get(id, offset, length).runWith(Sink.ignore(), materializer()));
  }

  static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("call failed", e);
    }
  }

  static BlobException failure(CompletionStage<?> stage) {
    try {
      Object value = stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
      return fail("expected a failure, got " + value);
    } catch (ExecutionException e) {
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BlobException b) return b;
      }
      throw new AssertionError("expected a BlobException", e);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
