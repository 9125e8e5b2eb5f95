package arca.objects;

import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
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

  static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  static ByteString chunk(int size, long seed) {
    return ByteString.fromArrayUnsafe(random(size, seed));
  }

  static byte[] slice(byte[] bytes, int from, int length) {
    byte[] out = new byte[length];
    System.arraycopy(bytes, from, out, 0, length);
    return out;
  }

  static byte[] concat(List<byte[]> parts) {
    byte[] all = new byte[parts.stream().mapToInt(p -> p.length).sum()];
    int at = 0;
    for (byte[] part : parts) {
      System.arraycopy(part, 0, all, at, part.length);
      at += part.length;
    }
    return all;
  }

  static String hex(String algorithm, byte[] bytes) {
    return HexFormat.of().formatHex(Hasher.digest(algorithm).digest(bytes));
  }
}
