package arca.rest.files.io;

import akka.NotUsed;
import akka.stream.Attributes;
import akka.stream.FlowShape;
import akka.stream.Inlet;
import akka.stream.Outlet;
import akka.stream.javadsl.Flow;
import akka.stream.stage.AbstractInHandler;
import akka.stream.stage.AbstractOutHandler;
import akka.stream.stage.GraphStage;
import akka.stream.stage.GraphStageLogic;
import akka.util.ByteString;
import arca.rest.files.io.AwsChunkedParser.Mode;
import arca.rest.files.io.SigV4Result.ChunkSeed;
import arca.rest.files.io.SigV4Result.Verified;

import java.util.Optional;

/**
 * Turns an aws-chunked request body (what AWS SDKs send with {@code x-amz-content-sha256:
 * STREAMING-AWS4-HMAC-SHA256-PAYLOAD}, its {@code -TRAILER} variant, or {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER})
 * back into the object's bytes, checking every chunk signature against the chain started by the request's
 * signature. The stream fails with an {@link S3Exception} on a bad signature, bad framing or a body cut short.
 *
 * <p>Bytes flow on as they arrive, before the signature at the end of their chunk is checked, so memory stays
 * constant whatever the chunk size: a consumer must treat the bytes as trusted only when the stream completes.
 * Trailing checksums ({@code x-amz-checksum-*}) are covered by the trailer signature but not compared with the data.
 */
public final class AwsChunkedDecoder extends GraphStage<FlowShape<ByteString, ByteString>> {
  private final Inlet<ByteString> in = Inlet.create("AwsChunkedDecoder.in");
  private final Outlet<ByteString> out = Outlet.create("AwsChunkedDecoder.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final Mode mode;
  private final ChunkSeed seed;

  private AwsChunkedDecoder(Mode mode, ChunkSeed seed) {
    this.mode = mode;
    this.seed = seed;
  }

  /** The decoder a verified request's body needs, or empty if its payload is not aws-chunked. */
  public static Optional<Flow<ByteString, ByteString, NotUsed>> forRequest(Verified verified) {
    return switch (verified.contentSha256()) {
      case SigV4.STREAMING_SIGNED -> Optional.of(signed(verified.chunkSeed().orElseThrow(), false));
      case SigV4.STREAMING_SIGNED_TRAILER -> Optional.of(signed(verified.chunkSeed().orElseThrow(), true));
      case SigV4.STREAMING_UNSIGNED_TRAILER -> Optional.of(unsigned());
      default -> Optional.empty();
    };
  }

  /** Signed chunks chained from {@code seed}; with {@code trailer}, then signed trailing headers. */
  public static Flow<ByteString, ByteString, NotUsed> signed(ChunkSeed seed, boolean trailer) {
    return Flow.fromGraph(new AwsChunkedDecoder(trailer ? Mode.SIGNED_TRAILER : Mode.SIGNED, seed));
  }

  /** Unsigned chunks followed by (ignored) trailing headers. */
  public static Flow<ByteString, ByteString, NotUsed> unsigned() {
    return Flow.fromGraph(new AwsChunkedDecoder(Mode.UNSIGNED_TRAILER, null));
  }

  @Override public FlowShape<ByteString, ByteString> shape() { return shape; }

  @Override public GraphStageLogic createLogic(Attributes attributes) {
    AwsChunkedParser parser = new AwsChunkedParser(mode, seed);
    return new GraphStageLogic(shape) {
      {
        setHandler(in, new AbstractInHandler() {
          @Override public void onPush() {
            ByteString payload;
            try {
              payload = parser.feed(grab(in));
            } catch (S3Exception e) {
              failStage(e);
              return;
            }
            if (payload.isEmpty()) {
              pull(in);
            } else {
              push(out, payload);
            }
          }

          @Override public void onUpstreamFinish() {
            try {
              parser.finish();
              completeStage();
            } catch (S3Exception e) {
              failStage(e);
            }
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override public void onPull() { pull(in); }
        });
      }
    };
  }
}
