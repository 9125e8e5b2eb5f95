package arca.objects;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import arca.service.Entities;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local-folder store on a temporary folder: sizes, digests, ranges, refusals, atomicity, copy, compose. */
class LocalFolderBlobStoreTest extends BlobStoreCalls {
  private static final int MIB = 1024 * 1024;
  private static ActorTestKit testKit;
  private static Materializer materializer;

  @TempDir Path root;
  private LocalFolderBlobStore store;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create();
    materializer = Materializer.matFromSystem(testKit.system());
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void openStore() throws IOException {
    store = open();
  }

  private LocalFolderBlobStore open() throws IOException {
    return LocalFolderBlobStore.open(root, materializer, Entities.blocking(testKit.system()));
  }

  // ---------------------------------------------------------------- put, get, stat

  @Test
  void storesAndReadsBackBlobsOfAnySize() {
    for (int size : new int[] {0, 1, 5 * MIB + 1}) {
      byte[] bytes = random(size, size);
      BlobInfo info = put(bytes, Expected.NOTHING);

      assertEquals(size, info.size());
      assertEquals(hex("MD5", bytes), info.md5Hex(), "md5 of " + size + " bytes");
      assertEquals(hex("SHA-256", bytes), info.sha256Hex(), "sha256 of " + size + " bytes");
      assertArrayEquals(bytes, read(info.id(), 0, 0), "content of " + size + " bytes");
      assertEquals(info, await(store.stat(info.id())));
    }
  }

  @Test
  void readsRanges() {
    int size = 5 * MIB + 1;
    byte[] bytes = random(size, 7);
    BlobId id = put(bytes, Expected.NOTHING).id();

    assertArrayEquals(slice(bytes, 0, 10), read(id, 0, 10), "start");
    assertArrayEquals(slice(bytes, 1000, 300_000), read(id, 1000, 300_000), "middle, across chunks");
    assertArrayEquals(slice(bytes, 2 * MIB, 128 * 1024), read(id, 2 * MIB, 128 * 1024), "exactly one chunk");
    assertArrayEquals(slice(bytes, size - 5, 5), read(id, size - 5, 0), "end, length 0");
    assertArrayEquals(slice(bytes, size - 5, 5), read(id, size - 5, 100), "a range past the end stops at the end");
    assertArrayEquals(new byte[0], read(id, size, 0), "at the end: nothing");
    assertEquals(BlobException.Reason.OUT_OF_RANGE, readFailure(id, size + 1, 0).reason());
    assertEquals(BlobException.Reason.INVALID, readFailure(id, -1, 0).reason());
    assertEquals(BlobException.Reason.INVALID, readFailure(id, 0, -1).reason());
  }

  @Test
  void checksDeclaredSizeAndDigests() {
    byte[] bytes = random(300_000, 3);
    String md5 = hex("MD5", bytes);
    String md5Base64 = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(md5));
    String sha256 = hex("SHA-256", bytes);

    assertEquals(md5, put(bytes, Expected.parse(300_000L, md5Base64, sha256.toUpperCase())).md5Hex());

    String otherMd5 = hex("MD5", new byte[] {1});
    BlobException md5Mismatch = putFailure(bytes, Expected.parse(null, otherMd5, ""));
    assertEquals(BlobException.Reason.INVALID, md5Mismatch.reason());
    assertTrue(md5Mismatch.getMessage().startsWith("md5 mismatch"), md5Mismatch.getMessage());
    assertTrue(putFailure(bytes, Expected.parse(null, "", hex("SHA-256", new byte[0]))).getMessage()
        .startsWith("sha256 mismatch"));
    assertTrue(putFailure(bytes, Expected.parse(299_999L, "", "")).getMessage().startsWith("size mismatch"));
    assertTrue(putFailure(bytes, Expected.parse(300_001L, "", "")).getMessage().startsWith("size mismatch"));
    assertThrows(BlobException.class, () -> Expected.parse(null, "not-an-md5", ""));
    assertThrows(BlobException.class, () -> Expected.parse(null, "", md5));

    assertEquals(1, blobFiles().size(), "only the accepted blob is stored");
    assertEquals(List.of(), tmpFiles(), "refused uploads leave no tmp file");
  }

  @Test
  void anInterruptedUploadLeavesNothing() {
    Source<ByteString, ?> failing = Source.from(List.of(chunk(MIB, 1), chunk(MIB, 2)))
        .concat(Source.failed(new IOException("the client went away")));

    assertThrows(ExecutionException.class, () -> store.put(failing, Expected.NOTHING).toCompletableFuture()
        .get(10, TimeUnit.SECONDS));
    assertEquals(List.of(), blobFiles());
    assertEquals(List.of(), tmpFiles());
  }

  @Test
  void refusesIdsThatAreNotCanonicalUuids() {
    for (String bad : new String[] {"../x", "a/b", "", "\0", "..", "0e8a7f5c-1b2d-4c3e-9f40-5a6b7c8d9e0f/..",
        "0E8A7F5C-1B2D-4C3E-9F40-5A6B7C8D9E0F", "0e8a7f5c1b2d4c3e9f405a6b7c8d9e0f", "0e8a7f5c-1b2d-4c3e-9f40-5a6b7c8d9e0\0"}) {
      BlobException e = assertThrows(BlobException.class, () -> new BlobId(bad), "id " + bad);
      assertEquals(BlobException.Reason.INVALID, e.reason());
    }
    assertThrows(BlobException.class, () -> new BlobId(null));
    assertEquals("0e8a7f5c-1b2d-4c3e-9f40-5a6b7c8d9e0f", new BlobId("0e8a7f5c-1b2d-4c3e-9f40-5a6b7c8d9e0f").value());
  }

  // ---------------------------------------------------------------- delete, copy, compose, usage

  @Test
  void deleteIsIdempotent() {
    BlobId id = put(random(1000, 4), Expected.NOTHING).id();

    assertTrue(await(store.delete(id)));
    assertFalse(await(store.delete(id)));
    assertFalse(await(store.delete(BlobId.random())));
    assertEquals(BlobException.Reason.NOT_FOUND, failure(store.stat(id)).reason());
    assertEquals(BlobException.Reason.NOT_FOUND, readFailure(id, 0, 0).reason());
    assertEquals(List.of(), blobFiles());
  }

  @Test
  void copiesIntoANewBlob() {
    byte[] bytes = random(MIB + 17, 5);
    BlobInfo original = put(bytes, Expected.NOTHING);

    BlobInfo copy = await(store.copy(original.id()));

    assertNotEquals(original.id(), copy.id());
    assertEquals(original.withId(copy.id()), copy);
    assertTrue(await(store.delete(original.id())));
    assertArrayEquals(bytes, read(copy.id(), 0, 0), "the copy outlives the original");
    assertEquals(copy, await(store.stat(copy.id())));
    assertEquals(BlobException.Reason.NOT_FOUND, failure(store.copy(original.id())).reason());
  }

  @Test
  void composesPartsWithTheMultipartEtag() throws Exception {
    List<byte[]> parts = List.of(random(5 * MIB, 10), random(5 * MIB, 11), random(1024, 12));
    List<BlobId> ids = new ArrayList<>();
    MessageDigest etag = MessageDigest.getInstance("MD5");
    for (byte[] part : parts) {
      ids.add(put(part, Expected.NOTHING).id());
      etag.update(MessageDigest.getInstance("MD5").digest(part));
    }
    byte[] all = concat(parts);

    Composed composed = await(store.compose(ids));

    assertEquals(HexFormat.of().formatHex(etag.digest()) + "-3", composed.multipartEtag());
    assertEquals(all.length, composed.blob().size());
    assertEquals(hex("MD5", all), composed.blob().md5Hex());
    assertEquals(hex("SHA-256", all), composed.blob().sha256Hex());
    assertArrayEquals(all, read(composed.blob().id(), 0, 0));
    for (int i = 0; i < parts.size(); i++) assertArrayEquals(parts.get(i), read(ids.get(i), 0, 0), "part left alone");

    assertEquals(BlobException.Reason.NOT_FOUND, failure(store.compose(List.of(ids.get(0), BlobId.random()))).reason());
    assertEquals(BlobException.Reason.INVALID, failure(store.compose(List.of())).reason());
    assertEquals(List.of(), tmpFiles());
  }

  @Test
  void countsUsage() {
    put(random(1000, 20), Expected.NOTHING);
    put(random(24, 21), Expected.NOTHING);

    assertEquals(new Usage(2, 1024), await(store.usage()));
  }

  @Test
  void removesStaleUploadsAtOpen() throws IOException {
    Path stale = Files.write(root.resolve("tmp").resolve("stale.part"), new byte[] {1});
    Path fresh = Files.write(root.resolve("tmp").resolve("fresh.part"), new byte[] {2});
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofHours(25))));

    open();

    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(fresh), "a recent upload may still be in progress");
  }

  // ---------------------------------------------------------------- helpers

  @Override BlobStore store() { return store; }
  @Override Materializer materializer() { return materializer; }


  private List<Path> blobFiles() {
    try (Stream<Path> files = Files.walk(root.resolve("blobs"))) {
      return files.filter(Files::isRegularFile).filter(p -> !p.toString().endsWith(".meta")).toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private List<Path> tmpFiles() {
    try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
      return files.toList();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
