package arca.objects;

import akka.NotUsed;
import akka.japi.Pair;
import akka.japi.pf.PFBuilder;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedMultipartUpload;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A datasource in an S3 bucket (AWS SDK v2, async client: nothing blocks a dispatcher). Blob {@code <id>} is the
 * object {@code <prefix>blobs/<id>}, its size and digests in the object's metadata ({@code x-amz-meta-md5},
 * {@code x-amz-meta-sha256}) so that stat is one HEAD. An upload is hashed as it streams; one that fits in one part
 * ({@link #PART_SIZE}) is sent with a single PutObject once it is checked; a larger one goes as a multipart upload
 * to {@code <prefix>tmp/<id>} (one part in memory at a time), is checked before CompleteMultipartUpload, then copied
 * to its blob key with the digests as metadata and the tmp object deleted. Any failure, mismatch or cancellation
 * aborts the multipart upload and deletes the tmp object, so a blob key only ever names a complete, checked blob.
 * <p>
 * CopyObject copies at most 5 GiB in one call: larger objects (an upload's move into place, a blob copy) are copied
 * server-side as a multipart upload of UploadPartCopy ranges ({@link #COPY_PART_SIZE} each, four at a time), so no
 * byte passes through the node. An upload has at most 10,000 parts of {@link #PART_SIZE}: blobs of up to 78 GiB.
 * Compose streams the parts through put.
 */
public final class S3BlobStore implements BlobStore, AutoCloseable {
  /** Size of the parts of a multipart upload (S3: 5 MiB to 5 GiB, at most 10,000 parts). */
  static final int PART_SIZE = 8 * 1024 * 1024;
  /** The most CopyObject copies in one call; larger objects are copied as a multipart upload of part copies. */
  static final long MAX_COPY = 5L * 1024 * 1024 * 1024;
  /** The range each UploadPartCopy copies (S3: at most 5 GiB per part, 10,000 parts). */
  static final long COPY_PART_SIZE = 1024L * 1024 * 1024;
  /** The largest blob: S3's 10,000 parts of {@link #PART_SIZE}. */
  static final long MAX_BLOB = 10_000L * PART_SIZE;

  /** Where a datasource's bucket is and how to reach it. */
  public record Settings(String endpoint, String region, String bucket, String prefix, String accessKey,
                         String secretKey, boolean pathStyle) {
    public Settings {
      if (bucket == null || bucket.isBlank()) throw new IllegalArgumentException("an s3 datasource needs a bucket");
      prefix = prefix == null ? "" : prefix;
      region = region == null || region.isBlank() ? "us-east-1" : region;
    }

    @Override
    public String toString() {
      return "Settings[endpoint=" + endpoint + ", region=" + region + ", bucket=" + bucket + ", prefix=" + prefix
          + ", accessKey=" + accessKey + ", pathStyle=" + pathStyle + "]";
    }
  }

  private final S3AsyncClient s3;
  private final String bucket;
  private final String prefix;
  private final Materializer materializer;
  private final long maxCopy;
  private final long copyPartSize;

  S3BlobStore(S3AsyncClient s3, String bucket, String prefix, Materializer materializer) {
    this(s3, bucket, prefix, materializer, MAX_COPY, COPY_PART_SIZE);
  }

  /** With other copy limits: tests lower them to exercise part copies on small blobs. */
  S3BlobStore(S3AsyncClient s3, String bucket, String prefix, Materializer materializer, long maxCopy, long copyPartSize) {
    this.s3 = s3;
    this.bucket = bucket;
    this.prefix = prefix;
    this.materializer = materializer;
    this.maxCopy = maxCopy;
    this.copyPartSize = copyPartSize;
  }

  /** A store on the bucket of {@code settings}; makes no call (an unreachable bucket fails the calls, not the start). */
  public static S3BlobStore open(Settings settings, Materializer materializer) {
    return new S3BlobStore(client(settings), settings.bucket(), settings.prefix(), materializer);
  }

  static S3AsyncClient client(Settings settings) {
    AwsCredentialsProvider credentials = settings.accessKey() == null || settings.accessKey().isEmpty()
        ? DefaultCredentialsProvider.create()
        : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
    var builder = S3AsyncClient.builder()
        .region(Region.of(settings.region()))
        .credentialsProvider(credentials)
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(settings.pathStyle()).build());
    if (settings.endpoint() != null && !settings.endpoint().isEmpty()) {
      builder.endpointOverride(URI.create(settings.endpoint()));
    }
    return builder.build();
  }

  private String blobKey(BlobId id) {
    return prefix + "blobs/" + id;
  }

  private String tmpKey(BlobId id) {
    return prefix + "tmp/" + id;
  }

  // ---------------------------------------------------------------- put

  /** The state of one upload, touched by one stream stage at a time (mapAsync(1)) and then by its completion. */
  private static final class Upload {
    ByteString pending;
    String uploadId;
    final List<CompletedPart> parts = new ArrayList<>();
  }

  @Override
  public CompletionStage<BlobInfo> put(Source<ByteString, ?> bytes, Expected expected) {
    BlobId id = BlobId.random();
    Hasher hasher = new Hasher();
    Upload upload = new Upload();
    return bytes
        .map(chunk -> {
          hasher.update(chunk);
          expected.checkRunning(hasher.size());
          if (hasher.size() > MAX_BLOB) {
            throw BlobException.invalid("an s3 datasource takes blobs of at most " + MAX_BLOB + " bytes (10,000 parts)");
          }
          return chunk;
        })
        .statefulMap(() -> new Object[] {ByteString.emptyByteString(), 0L},
            (state, chunk) -> {
              ByteString buffer = ((ByteString) state[0]).concat(chunk);
              List<ByteString> full = new ArrayList<>();
              while (buffer.size() >= PART_SIZE) {
                full.add(buffer.take(PART_SIZE).compact());
                buffer = buffer.drop(PART_SIZE);
              }
              state[0] = buffer;
              state[1] = (Long) state[1] + full.size();
              return Pair.create(state, full);
            },
            state -> {
              ByteString rest = (ByteString) state[0];
              // the last part: what is left, or the only (possibly empty) part of a blob smaller than a part
              return rest.isEmpty() && (Long) state[1] > 0 ? Optional.empty() : Optional.of(List.of(rest.compact()));
            })
        .mapConcat(parts -> parts)
        .mapAsync(1, part -> {
          ByteString previous = upload.pending;
          upload.pending = part;
          // a part followed by another is not the last: it goes up now
          return previous == null ? CompletableFuture.completedFuture(NotUsed.notUsed()) : uploadPart(id, upload, previous);
        })
        .runWith(Sink.ignore(), materializer)
        .thenCompose(done -> {
          String md5 = hasher.md5Hex();
          String sha256 = hasher.sha256Hex();
          expected.check(hasher.size(), md5, sha256);
          BlobInfo info = new BlobInfo(id, hasher.size(), md5, sha256);
          ByteString last = upload.pending == null ? ByteString.emptyByteString() : upload.pending;
          if (upload.uploadId == null) {
            return s3.putObject(b -> b.bucket(bucket).key(blobKey(id)).contentLength((long) last.size())
                    .metadata(metadata(info)), AsyncRequestBody.fromByteBuffer(last.asByteBuffer()))
                .thenApply(r -> info);
          }
          return uploadPart(id, upload, last)
              .thenCompose(n -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(tmpKey(id))
                  .uploadId(upload.uploadId)
                  .multipartUpload(CompletedMultipartUpload.builder().parts(upload.parts).build())))
              .thenCompose(r -> {
                upload.uploadId = null; // completed: nothing left to abort, the tmp object remains
                return copyObject(tmpKey(id), blobKey(id), info.size(), metadata(info));
              })
              .thenCompose(r -> s3.deleteObject(b -> b.bucket(bucket).key(tmpKey(id))))
              .thenApply(r -> info);
        })
        .<CompletionStage<BlobInfo>>handle((info, error) -> {
          if (error == null) return CompletableFuture.completedFuture(info);
          Throwable reason = reason(error);
          return cleanUp(id, upload).<BlobInfo>handle((ignored, cleanupError) -> {
            if (cleanupError != null) reason.addSuppressed(cleanupError);
            throw new CompletionException(reason);
          });
        })
        .thenCompose(stage -> stage);
  }

  private CompletionStage<NotUsed> uploadPart(BlobId id, Upload upload, ByteString part) {
    CompletionStage<String> started = upload.uploadId != null ? CompletableFuture.completedFuture(upload.uploadId)
        : s3.createMultipartUpload(b -> b.bucket(bucket).key(tmpKey(id))).thenApply(r -> {
            upload.uploadId = r.uploadId();
            return r.uploadId();
          });
    return started.thenCompose(uploadId -> {
      int number = upload.parts.size() + 1;
      return s3.uploadPart(b -> b.bucket(bucket).key(tmpKey(id)).uploadId(uploadId).partNumber(number)
              .contentLength((long) part.size()), AsyncRequestBody.fromByteBuffer(part.asByteBuffer()))
          .thenApply(r -> {
            upload.parts.add(CompletedPart.builder().partNumber(number).eTag(r.eTag()).build());
            return NotUsed.notUsed();
          });
    });
  }

  /** After a failed upload: abort the multipart upload if one is open, delete the tmp and blob objects. */
  private CompletionStage<Void> cleanUp(BlobId id, Upload upload) {
    CompletionStage<?> aborted = upload.uploadId == null ? CompletableFuture.completedFuture(null)
        : s3.abortMultipartUpload(b -> b.bucket(bucket).key(tmpKey(id)).uploadId(upload.uploadId));
    return aborted
        .thenCompose(r -> s3.deleteObject(b -> b.bucket(bucket).key(tmpKey(id))))
        .thenCompose(r -> s3.deleteObject(b -> b.bucket(bucket).key(blobKey(id))))
        .thenApply(r -> null);
  }

  private static Map<String, String> metadata(BlobInfo info) {
    return Map.of("md5", info.md5Hex(), "sha256", info.sha256Hex());
  }

  // ---------------------------------------------------------------- get, stat, delete

  @Override
  public Source<ByteString, NotUsed> get(BlobId id, long offset, long length) {
    if (offset < 0 || length < 0) return Source.failed(BlobException.invalid("offset and length must be >= 0"));
    return Source.completionStageSource(stat(id).thenCompose(info -> {
          long size = info.size();
          if (offset > size) {
            throw new BlobException(BlobException.Reason.OUT_OF_RANGE,
                "offset " + offset + " is past the end of blob " + id + " (" + size + " bytes)");
          }
          long n = length == 0 ? size - offset : Math.min(length, size - offset);
          if (n == 0) return CompletableFuture.completedFuture(Source.<ByteString>empty());
          CompletableFuture<ResponsePublisher<GetObjectResponse>> response = s3.getObject(
              b -> b.bucket(bucket).key(blobKey(id)).range("bytes=" + offset + "-" + (offset + n - 1)),
              AsyncResponseTransformer.toPublisher());
          return response.thenApply(publisher -> Source.fromPublisher(publisher).map(ByteString::fromByteBuffer));
        }))
        .mapError(new PFBuilder<Throwable, Throwable>().matchAny(S3BlobStore::reason).build())
        .mapMaterializedValue(ignored -> NotUsed.notUsed());
  }

  @Override
  public CompletionStage<BlobInfo> stat(BlobId id) {
    return head(id).thenApply(head -> {
      if (head.isEmpty()) throw missing(id);
      Map<String, String> meta = head.get().metadata();
      return new BlobInfo(id, head.get().contentLength(), meta.get("md5"), meta.get("sha256"));
    });
  }

  private CompletionStage<Optional<HeadObjectResponse>> head(BlobId id) {
    return s3.headObject(b -> b.bucket(bucket).key(blobKey(id)))
        .thenApply(Optional::of)
        .exceptionally(error -> {
          if (isNotFound(error)) return Optional.empty();
          throw new CompletionException(reason(error));
        });
  }

  @Override
  public CompletionStage<Boolean> delete(BlobId id) {
    return head(id).thenCompose(head -> s3.deleteObject(b -> b.bucket(bucket).key(blobKey(id)))
            .thenApply(r -> head.isPresent()))
        .exceptionally(error -> {
          throw new CompletionException(reason(error));
        });
  }

  // ---------------------------------------------------------------- copy, compose, usage

  /** A server-side copy into a new blob, with the same digests. */
  @Override
  public CompletionStage<BlobInfo> copy(BlobId source) {
    return stat(source).thenCompose(original -> {
      BlobInfo copy = original.withId(BlobId.random());
      return copyObject(blobKey(source), blobKey(copy.id()), original.size(), metadata(original)).thenApply(r -> copy);
    }).exceptionally(error -> {
      throw new CompletionException(reason(error));
    });
  }

  /**
   * Copies {@code from} to {@code to} inside the bucket with {@code metadata}: one CopyObject up to the copy limit,
   * beyond it a multipart upload of UploadPartCopy ranges (aborted if any part fails, so {@code to} appears whole
   * or not at all).
   */
  private CompletionStage<Void> copyObject(String from, String to, long size, Map<String, String> metadata) {
    if (size <= maxCopy) {
      return s3.copyObject(b -> b.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket).destinationKey(to)
          .metadataDirective(MetadataDirective.REPLACE).metadata(metadata)).thenApply(r -> null);
    }
    long count = (size + copyPartSize - 1) / copyPartSize;
    return s3.createMultipartUpload(b -> b.bucket(bucket).key(to).metadata(metadata)).thenCompose(created -> {
      String uploadId = created.uploadId();
      CompletionStage<Void> copied = Source.range(1, (int) count)
          .mapAsync(4, number -> {
            long first = (number - 1) * copyPartSize;
            long last = Math.min(size, first + copyPartSize) - 1;
            return s3.uploadPartCopy(b -> b.sourceBucket(bucket).sourceKey(from).destinationBucket(bucket)
                    .destinationKey(to).uploadId(uploadId).partNumber(number).copySourceRange("bytes=" + first + "-" + last))
                .thenApply(r -> CompletedPart.builder().partNumber(number).eTag(r.copyPartResult().eTag()).build());
          })
          .runWith(Sink.seq(), materializer)
          .thenCompose(parts -> s3.completeMultipartUpload(b -> b.bucket(bucket).key(to).uploadId(uploadId)
              .multipartUpload(CompletedMultipartUpload.builder().parts(parts).build())))
          .thenApply(r -> null);
      return copied.exceptionallyCompose(error -> s3.abortMultipartUpload(b -> b.bucket(bucket).key(to).uploadId(uploadId))
          .<Void>handle((r, abortError) -> {
            if (abortError != null) error.addSuppressed(abortError);
            throw new CompletionException(error);
          }));
    });
  }

  /** The parts streamed one after the other through {@link #put} (simple, and right for parts of any size). */
  @Override
  public CompletionStage<Composed> compose(List<BlobId> parts) {
    if (parts.isEmpty() || parts.size() > MAX_PARTS) {
      return CompletableFuture.failedFuture(BlobException.invalid("compose takes 1 to " + MAX_PARTS + " parts"));
    }
    return Source.from(parts)
        .mapAsync(8, this::stat)
        .runWith(Sink.seq(), materializer)
        .thenCompose(infos -> {
          long total = infos.stream().mapToLong(BlobInfo::size).sum();
          Source<ByteString, NotUsed> concatenated = Source.from(parts).flatMapConcat(part -> get(part, 0, 0));
          return put(concatenated, new Expected(total, null, null))
              .thenApply(blob -> new Composed(blob, LocalFolderBlobStore.multipartEtag(infos)));
        })
        .exceptionally(error -> {
          throw new CompletionException(reason(error));
        });
  }

  /** Lists the blob keys: proportional to the number of blobs (1,000 per request). */
  @Override
  public CompletionStage<Usage> usage() {
    AtomicLong count = new AtomicLong();
    AtomicLong bytes = new AtomicLong();
    return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix + "blobs/"))
        .contents()
        .subscribe((S3Object object) -> {
          if (object.key().endsWith("/")) return; // a folder marker some servers list, never a blob
          count.incrementAndGet();
          bytes.addAndGet(object.size());
        })
        .thenApply(done -> new Usage(count.get(), bytes.get()));
  }

  @Override
  public void close() {
    s3.close();
  }

  // ---------------------------------------------------------------- failures

  private static BlobException missing(BlobId id) {
    return BlobException.notFound("no blob " + id);
  }

  private static boolean isNotFound(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof S3Exception s && s.statusCode() == 404) return true;
    }
    return false;
  }

  /** What to report: the BlobException in the causes, a missing object as NOT_FOUND, else the SDK's failure. */
  static Throwable reason(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof BlobException b) return b;
    }
    if (isNotFound(error)) return BlobException.notFound("a blob being read was deleted");
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
    return t;
  }
}
