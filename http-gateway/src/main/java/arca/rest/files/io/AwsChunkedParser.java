package arca.rest.files.io;

import akka.util.ByteString;
import arca.rest.files.io.SigV4Result.ChunkSeed;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * Incremental parser of an aws-chunked body ({@code hex-size[;chunk-signature=sig]\r\n data \r\n ... 0...\r\n
 * trailers \r\n}): fed arbitrary slices, it returns the payload bytes they contain and checks each chunk's
 * signature as the chunk ends. Memory is bounded by one header line, whatever the chunk sizes.
 */
final class AwsChunkedParser {
  /** Which aws-chunked dialect the request's {@code x-amz-content-sha256} announced. */
  enum Mode { SIGNED, SIGNED_TRAILER, UNSIGNED_TRAILER }

  private enum State { HEADER, DATA, DATA_END, TRAILER, DONE }

  private static final int MAX_LINE = 4096;
  private static final int MAX_TRAILERS = 16;
  private static final String SIGNATURE_EXT = "chunk-signature=";
  private static final String TRAILER_SIGNATURE = "x-amz-trailer-signature";

  private final Mode mode;
  private final ChunkSeed seed;
  private final MessageDigest digest = SigV4Crypto.sha256();
  private final byte[] line = new byte[MAX_LINE];
  private final StringBuilder trailers = new StringBuilder();
  private State state = State.HEADER;
  private int lineLength;
  private long remaining;
  private int dataEndSeen;
  private int trailerCount;
  private String chunkSignature;
  private String trailerSignature;
  private String previousSignature;

  /** @param seed the request's signature and key; ignored in {@link Mode#UNSIGNED_TRAILER} */
  AwsChunkedParser(Mode mode, ChunkSeed seed) {
    this.mode = mode;
    this.seed = seed;
    this.previousSignature = seed == null ? null : seed.seedSignature();
  }

  /** Consumes the next slice of the body; returns the payload bytes in it (slices of the input, not copies). */
  ByteString feed(ByteString input) {
    ByteString payload = ByteString.emptyByteString();
    int i = 0;
    int n = input.size();
    while (i < n) {
      switch (state) {
        case HEADER, TRAILER -> {
          byte b = input.apply(i++);
          if (b == '\n') {
            endOfLine();
          } else if (lineLength == MAX_LINE) {
            throw malformed("a chunk header or trailer line is longer than " + MAX_LINE + " bytes");
          } else {
            line[lineLength++] = b;
          }
        }
        case DATA -> {
          int take = (int) Math.min(remaining, n - i);
          ByteString part = input.slice(i, i + take);
          if (mode != Mode.UNSIGNED_TRAILER) {
            for (ByteBuffer buffer : part.getByteBuffers()) digest.update(buffer);
          }
          payload = payload.concat(part);
          remaining -= take;
          i += take;
          if (remaining == 0) {
            checkChunk(digest.digest());
            state = State.DATA_END;
          }
        }
        case DATA_END -> {
          byte b = input.apply(i++);
          if (b != (dataEndSeen == 0 ? '\r' : '\n')) throw malformed("chunk data is not followed by CRLF");
          if (++dataEndSeen == 2) {
            dataEndSeen = 0;
            state = State.HEADER;
          }
        }
        case DONE -> throw malformed("data after the final chunk");
      }
    }
    return payload;
  }

  /** Called at the end of the body: fails unless the final chunk and its trailers arrived. */
  void finish() {
    if (state != State.DONE) throw new S3Exception("IncompleteBody", "The aws-chunked body ended before its final chunk.");
  }

  private void endOfLine() {
    if (lineLength == 0 || line[lineLength - 1] != '\r') throw malformed("a line does not end with CRLF");
    String text = new String(line, 0, lineLength - 1, StandardCharsets.ISO_8859_1);
    lineLength = 0;
    if (state == State.HEADER) {
      chunkHeader(text);
    } else {
      trailerLine(text);
    }
  }

  private void chunkHeader(String text) {
    int semicolon = text.indexOf(';');
    String size = semicolon < 0 ? text : text.substring(0, semicolon);
    if (size.isEmpty() || size.length() > 15 || !size.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
      throw malformed("bad chunk size '" + size + "'");
    }
    remaining = Long.parseLong(size, 16);
    chunkSignature = null;
    if (mode != Mode.UNSIGNED_TRAILER) {
      int at = text.indexOf(SIGNATURE_EXT, semicolon + 1);
      if (semicolon < 0 || at < 0) throw malformed("a chunk has no chunk-signature");
      chunkSignature = text.substring(at + SIGNATURE_EXT.length());
    }
    if (remaining > 0) {
      state = State.DATA;
    } else {
      checkChunk(digest.digest());
      state = State.TRAILER;
    }
  }

  private void trailerLine(String text) {
    if (text.isEmpty()) {
      if (mode == Mode.SIGNED_TRAILER) checkTrailers();
      state = State.DONE;
      return;
    }
    if (mode == Mode.SIGNED) throw malformed("trailing headers in a body that announced none");
    int colon = text.indexOf(':');
    if (colon <= 0 || ++trailerCount > MAX_TRAILERS) throw malformed("bad trailing header '" + text + "'");
    String name = text.substring(0, colon).trim().toLowerCase(Locale.ROOT);
    String value = text.substring(colon + 1).trim();
    if (name.equals(TRAILER_SIGNATURE)) {
      trailerSignature = value;
    } else {
      trailers.append(name).append(':').append(value).append('\n');
    }
  }

  private void checkChunk(byte[] chunkSha256) {
    if (mode == Mode.UNSIGNED_TRAILER) return;
    String stringToSign = "AWS4-HMAC-SHA256-PAYLOAD\n" + seed.timestamp() + "\n" + seed.scope() + "\n"
        + previousSignature + "\n" + SigV4Crypto.EMPTY_SHA256 + "\n" + SigV4Crypto.hex(chunkSha256);
    previousSignature = verify(stringToSign, chunkSignature, "chunk");
  }

  private void checkTrailers() {
    if (trailerSignature == null) throw malformed("the trailing headers carry no x-amz-trailer-signature");
    String stringToSign = "AWS4-HMAC-SHA256-TRAILER\n" + seed.timestamp() + "\n" + seed.scope() + "\n"
        + previousSignature + "\n" + SigV4Crypto.sha256Hex(trailers.toString());
    verify(stringToSign, trailerSignature, "trailer");
  }

  private String verify(String stringToSign, String provided, String what) {
    String expected = SigV4Crypto.sign(seed.signingKey(), stringToSign);
    if (!SigV4Crypto.sameSignature(expected, provided)) {
      throw new S3Exception("SignatureDoesNotMatch", "The " + what + " signature we calculated does not match the one provided.");
    }
    return expected;
  }

  private static S3Exception malformed(String why) {
    return new S3Exception("InvalidRequest", "Malformed aws-chunked body: " + why + ".");
  }
}
