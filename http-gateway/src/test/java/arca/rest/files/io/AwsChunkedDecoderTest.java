package arca.rest.files.io;

import akka.NotUsed;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import arca.rest.files.io.SdkSigner.Payload;
import arca.rest.files.io.SdkSigner.Signed;
import arca.rest.files.io.SigV4.Secret;
import arca.rest.files.io.SigV4Result.ChunkSeed;
import arca.rest.files.io.SigV4Result.Verified;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The aws-chunked decoder against the worked example of the AWS documentation ("Transferring Payload in Multiple
 * Chunks": 64 KiB + 1 KiB of 'a') and against bodies the AWS SDK v2 encodes, each fed in randomly cut pieces.
 */
class AwsChunkedDecoderTest {
  static final String SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  static final String SIG1 = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648";
  static final String SIG2 = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497";
  static final String SIG_FINAL = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9";
  static ActorTestKit testKit;

  @BeforeAll static void start() { testKit = ActorTestKit.create(); }

  @AfterAll static void stop() { testKit.shutdownTestKit(); }

  /** The documented request; its signature is the seed of the chunk chain. */
  static Verified docRequest() {
    Map<String, List<String>> h = new LinkedHashMap<>();
    h.put("Host", List.of("s3.amazonaws.com"));
    h.put("x-amz-date", List.of("20130524T000000Z"));
    h.put("x-amz-storage-class", List.of("REDUCED_REDUNDANCY"));
    h.put("Authorization", List.of("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        + "SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;"
        + "x-amz-decoded-content-length;x-amz-storage-class,Signature=" + SEED));
    h.put("x-amz-content-sha256", List.of(SigV4.STREAMING_SIGNED));
    h.put("Content-Encoding", List.of("aws-chunked"));
    h.put("x-amz-decoded-content-length", List.of("66560"));
    h.put("Content-Length", List.of("66824"));
    SigV4 v = new SigV4(id -> Optional.of(new Secret(SigV4Test.SECRET)), Clock.fixed(SigV4Test.DOC_TIME, ZoneOffset.UTC));
    return assertInstanceOf(Verified.class, v.verify(new SigV4Request("PUT", "/examplebucket/chunkObject.txt", "", h)));
  }

  static String docBody(String sig1, String sig2, String sigFinal) {
    return "10000;chunk-signature=" + sig1 + "\r\n" + "a".repeat(65536) + "\r\n"
        + "400;chunk-signature=" + sig2 + "\r\n" + "a".repeat(1024) + "\r\n"
        + "0;chunk-signature=" + sigFinal + "\r\n\r\n";
  }

  @Test void awsDocExampleDecodesWhateverThePieces() {
    Verified verified = docRequest();
    ChunkSeed seed = verified.chunkSeed().orElseThrow();
    assertEquals(SEED, seed.seedSignature());
    assertEquals("20130524/us-east-1/s3/aws4_request", seed.scope());
    byte[] body = docBody(SIG1, SIG2, SIG_FINAL).getBytes(StandardCharsets.US_ASCII);
    assertEquals(66824, body.length);
    Flow<ByteString, ByteString, NotUsed> decoder = AwsChunkedDecoder.forRequest(verified).orElseThrow();
    Random random = new Random(42);
    for (int maxPiece : new int[] {1, 3, 100, 8192, 70_000}) {
      assertArrayEquals("a".repeat(66560).getBytes(StandardCharsets.US_ASCII), decode(decoder, body, random, maxPiece));
    }
  }

  @Test void awsDocExampleTampered() {
    ChunkSeed seed = docRequest().chunkSeed().orElseThrow();
    Flow<ByteString, ByteString, NotUsed> decoder = AwsChunkedDecoder.signed(seed, false);
    String good = docBody(SIG1, SIG2, SIG_FINAL);
    int firstData = good.indexOf("\r\n") + 2;
    List<String> badSignatures = List.of(
        good.substring(0, firstData + 100) + "b" + good.substring(firstData + 101),
        docBody(SIG1.replace('a', 'b'), SIG2, SIG_FINAL),
        docBody(SIG1, SIG2, SIG_FINAL.replace('b', 'c')),
        docBody(SIG1, SIG1, SIG_FINAL),
        good.replace("400;chunk", "3ff;chunk").replace("a".repeat(1024) + "\r\n0", "a".repeat(1023) + "\r\n0"));
    for (String body : badSignatures) assertFails("SignatureDoesNotMatch", decoder, body);
    assertFails("IncompleteBody", decoder, good.substring(0, good.length() - 2));
    assertFails("IncompleteBody", decoder, good.substring(0, good.indexOf("0;chunk-signature=" + SIG_FINAL)));
    assertFails("IncompleteBody", decoder, good.substring(0, 5000));
    assertFails("IncompleteBody", decoder, "");
    assertFails("InvalidRequest", decoder, good + "x");
    assertFails("InvalidRequest", decoder, good.replace("10000;", "1000z;"));
    assertFails("InvalidRequest", decoder, good.replace("10000;chunk-signature=", "10000;chunk-sig="));
    assertFails("InvalidRequest", decoder, good.replace("\r\n400;", "\n400;"));
    assertFails("InvalidRequest", decoder, good.replace(SIG1 + "\r\n", SIG1 + "\n"));
    assertFails("InvalidRequest", decoder, good.replace("10000;", "0".repeat(5000) + "10000;"));
    assertFails("InvalidRequest", decoder, good.replace("\r\n\r\n", "\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"));
    assertFails("InvalidRequest", decoder, "ffffffffffffffff;chunk-signature=" + SIG1 + "\r\n");
  }

  @ParameterizedTest @EnumSource(value = Payload.class, names = {"CHUNKED", "CHUNKED_TRAILER", "UNSIGNED_TRAILER"})
  void sdkEncodedBodiesDecode(Payload payload) {
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    Signed signed = new SdkSigner(SigV4SdkOracleTest.AKID, SigV4SdkOracleTest.SECRET, SigV4SdkOracleTest.NOW)
        .sign("PUT", SdkSigner.objectPath("a b/\u00e9.bin"), Map.of(), Map.of(), data, payload);
    SigV4 v = new SigV4(id -> Optional.of(new Secret(SigV4SdkOracleTest.SECRET)),
        Clock.fixed(SigV4SdkOracleTest.NOW, ZoneOffset.UTC));
    Verified verified = assertInstanceOf(Verified.class, v.verify(signed.request()));
    assertEquals(switch (payload) {
      case CHUNKED -> SigV4.STREAMING_SIGNED;
      case CHUNKED_TRAILER -> SigV4.STREAMING_SIGNED_TRAILER;
      default -> SigV4.STREAMING_UNSIGNED_TRAILER;
    }, verified.contentSha256());
    Flow<ByteString, ByteString, NotUsed> decoder = AwsChunkedDecoder.forRequest(verified).orElseThrow();
    assertTrue(signed.wireBody().length > data.length);
    Random random = new Random(11);
    for (int maxPiece : new int[] {1, 7, 1000, 65_536, 400_000}) {
      assertArrayEquals(data, decode(decoder, signed.wireBody(), random, maxPiece), payload + " in pieces up to " + maxPiece);
    }
    if (payload != Payload.UNSIGNED_TRAILER) {
      byte[] tampered = signed.wireBody().clone();
      tampered[tampered.length / 2] ^= 1;
      assertFails("SignatureDoesNotMatch", decoder, new String(tampered, StandardCharsets.ISO_8859_1));
    }
  }

  @Test void signedTrailerMustCarryAValidTrailerSignature() {
    byte[] data = "short body".getBytes(StandardCharsets.US_ASCII);
    Signed signed = new SdkSigner(SigV4SdkOracleTest.AKID, SigV4SdkOracleTest.SECRET, SigV4SdkOracleTest.NOW)
        .sign("PUT", "/io/t", Map.of(), Map.of(), data, Payload.CHUNKED_TRAILER);
    SigV4 v = new SigV4(id -> Optional.of(new Secret(SigV4SdkOracleTest.SECRET)),
        Clock.fixed(SigV4SdkOracleTest.NOW, ZoneOffset.UTC));
    Verified verified = assertInstanceOf(Verified.class, v.verify(signed.request()));
    Flow<ByteString, ByteString, NotUsed> decoder = AwsChunkedDecoder.forRequest(verified).orElseThrow();
    String wire = new String(signed.wireBody(), StandardCharsets.ISO_8859_1);
    assertTrue(wire.contains("x-amz-trailer-signature:"), wire);
    String checksumLine = wire.substring(wire.indexOf("x-amz-checksum-crc32:"), wire.indexOf("\r\n", wire.indexOf("x-amz-checksum-crc32:")));
    assertFails("SignatureDoesNotMatch", decoder, wire.replace(checksumLine, "x-amz-checksum-crc32:AAAAAA=="));
    assertFails("InvalidRequest", decoder, wire.replaceAll("x-amz-trailer-signature:[0-9a-f]+\r\n", ""));
  }

  @Test void plainPayloadsNeedNoDecoder() {
    assertTrue(AwsChunkedDecoder.forRequest(new Verified("k", SigV4.UNSIGNED_PAYLOAD, Optional.empty())).isEmpty());
    assertTrue(AwsChunkedDecoder.forRequest(new Verified("k", SigV4Crypto.EMPTY_SHA256, Optional.empty())).isEmpty());
  }

  static byte[] decode(Flow<ByteString, ByteString, NotUsed> decoder, byte[] body, Random random, int maxPiece) {
    List<ByteString> pieces = new ArrayList<>();
    for (int i = 0; i < body.length; ) {
      int n = Math.min(body.length - i, 1 + random.nextInt(maxPiece));
      pieces.add(ByteString.fromArray(Arrays.copyOfRange(body, i, i + n)));
      i += n;
    }
    try {
      return Source.from(pieces).via(decoder).runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), testKit.system())
          .toCompletableFuture().get(30, TimeUnit.SECONDS).toArray();
    } catch (Exception e) {
      throw new CompletionException(e.getCause() == null ? e : e.getCause());
    }
  }

  static void assertFails(String code, Flow<ByteString, ByteString, NotUsed> decoder, String body) {
    CompletionException e = assertThrows(CompletionException.class, () ->
        decode(decoder, body.getBytes(StandardCharsets.ISO_8859_1), new Random(3), 500));
    S3Exception s3 = assertInstanceOf(S3Exception.class, e.getCause());
    assertEquals(code, s3.code(), s3.getMessage());
  }
}
