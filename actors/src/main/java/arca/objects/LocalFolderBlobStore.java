package arca.objects;

import akka.NotUsed;
import akka.japi.Pair;
import akka.japi.pf.PFBuilder;
import akka.stream.Materializer;
import akka.stream.javadsl.FileIO;
import akka.stream.javadsl.Source;
import akka.util.ByteString;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.Stream;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * A datasource in a local folder, flat like Cells' "flat" storage: blob {@code <id>} is the file
 * {@code blobs/<first two characters of id>/<id>}, its size and digests sit beside it in {@code <id>.meta}.
 * An upload streams into {@code tmp/}, hashed on the way; once complete it is checked, fsynced and moved into place
 * atomically (meta first), so a visible blob is always complete and has its meta, and a failed upload leaves only a
 * tmp file, deleted at once (or, after a crash, at the first start 24 h later). Blocking file calls run on the given
 * executor; bytes stream through Akka Streams' FileIO, which runs on its own blocking-I/O dispatcher.
 */
public final class LocalFolderBlobStore implements BlobStore {
  /** Chunk size of reads (gRPC messages of 128 KiB). */
  static final int READ_CHUNK = 128 * 1024;
  /** A tmp file this old belongs to an upload that died with its process. */
  static final Duration STALE_UPLOAD = Duration.ofHours(24);
  private static final String META = ".meta";
  private static final String PART = ".part";

  private final Path blobs;
  private final Path tmp;
  private final Materializer materializer;
  private final Executor blocking;

  /** What the store creates is private to the node's user, whatever the umask (README "Data at rest"). */
  static final FileAttribute<Set<PosixFilePermission>> PRIVATE_DIR =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
  private static final Set<PosixFilePermission> PRIVATE_FILE = PosixFilePermissions.fromString("rw-------");

  private LocalFolderBlobStore(Path root, Materializer materializer, Executor blocking) {
    this.blobs = root.resolve("blobs");
    this.tmp = root.resolve("tmp");
    this.materializer = materializer;
    this.blocking = blocking;
  }

  /**
   * Opens the store in {@code root}, creating its folders, and removes uploads older than {@link #STALE_UPLOAD}
   * from {@code tmp/}. Blocking: call at start.
   */
  public static LocalFolderBlobStore open(Path root, Materializer materializer, Executor blocking) throws IOException {
    LocalFolderBlobStore store = new LocalFolderBlobStore(root, materializer, blocking);
    Files.createDirectories(store.blobs, PRIVATE_DIR);
    Files.createDirectories(store.tmp, PRIVATE_DIR);
    store.removeUploadsOlderThan(Instant.now().minus(STALE_UPLOAD));
    return store;
  }

  private void removeUploadsOlderThan(Instant limit) throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      for (Path file : (Iterable<Path>) files::iterator) {
        try {
          if (Files.isRegularFile(file, NOFOLLOW_LINKS)
              && Files.getLastModifiedTime(file, NOFOLLOW_LINKS).toInstant().isBefore(limit)) {
            Files.deleteIfExists(file);
          }
        } catch (NoSuchFileException gone) {
          // an upload that completed (or was abandoned) meanwhile: another node sharing the folder is serving
        }
      }
    }
  }

  @Override
  public CompletionStage<BlobInfo> put(Source<ByteString, ?> bytes, Expected expected) {
    BlobId id = BlobId.random();
    Path part = tmp.resolve(id + PART);
    Hasher hasher = new Hasher();
    return bytes
        .map(chunk -> {
          hasher.update(chunk);
          expected.checkRunning(hasher.size());
          return chunk;
        })
        .runWith(FileIO.toPath(part, Set.of(WRITE, CREATE_NEW)), materializer)
        .thenApplyAsync(written -> {
          String md5 = hasher.md5Hex();
          String sha256 = hasher.sha256Hex();
          expected.check(hasher.size(), md5, sha256);
          BlobInfo info = new BlobInfo(id, hasher.size(), md5, sha256);
          io(() -> {
            force(part);
            install(info, part);
          });
          return info;
        }, blocking)
        .handleAsync((info, error) -> {
          if (error == null) return info;
          Throwable reason = reason(error);
          try {
            Files.deleteIfExists(part);
          } catch (IOException e) {
            reason.addSuppressed(e);
          }
          throw new CompletionException(reason);
        }, blocking);
  }

  @Override
  public Source<ByteString, NotUsed> get(BlobId id, long offset, long length) {
    if (offset < 0 || length < 0) return Source.failed(BlobException.invalid("offset and length must be >= 0"));
    return Source.completionStageSource(call(() -> sizeOf(id)).thenApply(size -> {
          if (offset > size) {
            throw new BlobException(BlobException.Reason.OUT_OF_RANGE,
                "offset " + offset + " is past the end of blob " + id + " (" + size + " bytes)");
          }
          long n = length == 0 ? size - offset : Math.min(length, size - offset);
          return n == 0 ? Source.<ByteString>empty() : range(blob(id), offset, n);
        }))
        .mapError(new PFBuilder<Throwable, Throwable>().matchAny(LocalFolderBlobStore::reason).build())
        .mapMaterializedValue(ignored -> NotUsed.notUsed());
  }

  /** {@code length} (> 0) bytes of the file from {@code offset}, stopping reading as soon as they are out. */
  private static Source<ByteString, NotUsed> range(Path file, long offset, long length) {
    return FileIO.fromPath(file, READ_CHUNK, offset)
        .statefulMap(() -> new long[] {length}, (left, chunk) -> {
          ByteString out = chunk.size() > left[0] ? chunk.take((int) left[0]) : chunk;
          left[0] -= out.size();
          return Pair.create(left, Pair.create(out, left[0] == 0));
        }, left -> Optional.empty())
        .takeWhile(chunkAndLast -> !chunkAndLast.second(), true)
        .map(Pair::first)
        .mapMaterializedValue(ignored -> NotUsed.notUsed());
  }

  @Override
  public CompletionStage<BlobInfo> stat(BlobId id) {
    return call(() -> readMeta(id));
  }

  @Override
  public CompletionStage<Boolean> delete(BlobId id) {
    return call(() -> {
      boolean existed = Files.deleteIfExists(blob(id));
      Files.deleteIfExists(meta(id));
      return existed;
    });
  }

  /** A hard link where the file system allows one (blobs never change, so sharing the file is safe), else a copy. */
  @Override
  public CompletionStage<BlobInfo> copy(BlobId source) {
    return call(() -> readMeta(source)).thenCompose(original -> call(() -> linked(original)).thenCompose(linked ->
        linked.isPresent() ? CompletableFuture.completedFuture(linked.get())
            : put(FileIO.fromPath(blob(source), READ_CHUNK),
                  new Expected(original.size(), original.md5Hex(), original.sha256Hex()))));
  }

  private Optional<BlobInfo> linked(BlobInfo original) throws IOException {
    BlobInfo copy = original.withId(BlobId.random());
    Path link = tmp.resolve(copy.id() + PART);
    try {
      Files.createLink(link, blob(original.id()));
    } catch (NoSuchFileException e) {
      throw missing(original.id());
    } catch (UnsupportedOperationException | IOException e) {
      return Optional.empty();
    }
    try {
      install(copy, link);
    } catch (IOException e) {
      Files.deleteIfExists(link);
      throw e;
    }
    return Optional.of(copy);
  }

  @Override
  public CompletionStage<Composed> compose(List<BlobId> parts) {
    if (parts.isEmpty() || parts.size() > MAX_PARTS) {
      return CompletableFuture.failedFuture(BlobException.invalid("compose takes 1 to " + MAX_PARTS + " parts"));
    }
    return call(() -> {
      List<BlobInfo> infos = new ArrayList<>(parts.size());
      for (BlobId part : parts) infos.add(readMeta(part));
      return infos;
    }).thenCompose(infos -> {
      long total = infos.stream().mapToLong(BlobInfo::size).sum();
      Source<ByteString, NotUsed> concatenated = Source.from(parts)
          .flatMapConcat(part -> FileIO.fromPath(blob(part), READ_CHUNK));
      return put(concatenated, new Expected(total, null, null))
          .thenApply(blob -> new Composed(blob, multipartEtag(infos)));
    });
  }

  /** S3's ETag of a multipart upload: hex(MD5(binary MD5 of part 1 || ... || of part N)) + "-" + N. */
  static String multipartEtag(List<BlobInfo> parts) {
    MessageDigest md5 = Hasher.digest("MD5");
    for (BlobInfo part : parts) md5.update(HexFormat.of().parseHex(part.md5Hex()));
    return HexFormat.of().formatHex(md5.digest()) + "-" + parts.size();
  }

  /** Walks the folder: proportional to the number of blobs. */
  @Override
  public CompletionStage<Usage> usage() {
    return call(() -> {
      long[] countAndBytes = new long[2];
      Files.walkFileTree(blobs, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
          if (attrs.isRegularFile() && !file.getFileName().toString().endsWith(META)) {
            countAndBytes[0]++;
            countAndBytes[1] += attrs.size();
          }
          return FileVisitResult.CONTINUE;
        }
      });
      return new Usage(countAndBytes[0], countAndBytes[1]);
    });
  }

  // ---- the folder ----

  private Path blob(BlobId id) {
    return blobs.resolve(id.value().substring(0, 2)).resolve(id.value());
  }

  private Path meta(BlobId id) {
    return blobs.resolve(id.value().substring(0, 2)).resolve(id.value() + META);
  }

  private long sizeOf(BlobId id) throws IOException {
    try {
      return Files.size(blob(id));
    } catch (NoSuchFileException e) {
      throw missing(id);
    }
  }

  private BlobInfo readMeta(BlobId id) throws IOException {
    if (!Files.isRegularFile(blob(id), NOFOLLOW_LINKS)) throw missing(id);
    Map<String, String> fields = new HashMap<>();
    for (String line : Files.readAllLines(meta(id), StandardCharsets.UTF_8)) {
      int eq = line.indexOf('=');
      if (eq > 0) fields.put(line.substring(0, eq), line.substring(eq + 1));
    }
    return new BlobInfo(id, Long.parseLong(fields.get("size")), fields.get("md5"), fields.get("sha256"));
  }

  /**
   * Puts a complete file of {@code tmp/} in place as blob {@code info.id()}: durable meta first, then the file, by
   * atomic renames, then the directory entry made durable.
   */
  private void install(BlobInfo info, Path file) throws IOException {
    Path dir = Files.createDirectories(blob(info.id()).getParent(), PRIVATE_DIR);
    Path metaPart = tmp.resolve(info.id() + META + PART);
    String text = "size=" + info.size() + "\nmd5=" + info.md5Hex() + "\nsha256=" + info.sha256Hex() + "\n";
    Files.setPosixFilePermissions(file, PRIVATE_FILE);
    try (FileChannel channel = FileChannel.open(metaPart, Set.of(WRITE, CREATE_NEW), PosixFilePermissions.asFileAttribute(PRIVATE_FILE))) {
      channel.write(StandardCharsets.UTF_8.encode(text));
      channel.force(true);
      Files.move(metaPart, meta(info.id()), ATOMIC_MOVE);
    } catch (IOException e) {
      Files.deleteIfExists(metaPart);
      throw e;
    }
    try {
      Files.move(file, blob(info.id()), ATOMIC_MOVE);
    } catch (IOException e) {
      Files.deleteIfExists(meta(info.id()));
      throw e;
    }
    force(dir);
  }

  private static void force(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, READ)) {
      channel.force(true);
    }
  }

  private static BlobException missing(BlobId id) {
    return BlobException.notFound("no blob " + id);
  }

  /** What to report for a failure: the BlobException in its causes (a stream wraps them), a vanished file as NOT_FOUND. */
  private static Throwable reason(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof BlobException b) return b;
      if (t instanceof NoSuchFileException) return BlobException.notFound("a blob being read was deleted");
    }
    return error instanceof CompletionException c && c.getCause() != null ? c.getCause() : error;
  }

  @FunctionalInterface
  private interface IoCall<T> {
    T get() throws IOException;
  }

  @FunctionalInterface
  private interface IoRun {
    void run() throws IOException;
  }

  private <T> CompletionStage<T> call(IoCall<T> call) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return call.get();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, blocking);
  }

  private static void io(IoRun run) {
    try {
      run.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
