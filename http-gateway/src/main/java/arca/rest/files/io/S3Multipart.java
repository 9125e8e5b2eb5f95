package arca.rest.files.io;

import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import arca.proto.tree.ListRequest;
import arca.proto.tree.Node;
import arca.proto.tree.StatRequest;
import arca.proto.tree.TreeService;
import arca.rest.access.Principal;
import arca.rest.files.Blobs;
import arca.rest.files.FileAccess;
import arca.rest.files.FolderRemoval;
import arca.rest.files.Location;
import io.grpc.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * S3 multipart uploads, with their state where any gateway node finds it after any restart: in the target's
 * datasource, under the hidden folder {@code .uploads/<uploadId>/}, the file {@code upload} (an empty blob whose
 * content type is the object's) marks the upload, and each part is a file {@code part-NNNNN} pointing at the part's
 * blob (ETag: the part's MD5). Complete composes the listed parts' blobs into one (the objects service computes S3's
 * multipart ETag), records it at the key, and removes the staging folder with every part's blob; Abort removes it.
 * An upload id is 32 random hex digits and 16 of a hash of the target, so it only works for the key it was made for.
 */
final class S3Multipart {
  private static final Logger log = LoggerFactory.getLogger(S3Multipart.class);
  /** S3's smallest part, except the last. */
  static final long MIN_PART_SIZE = 5L << 20;
  static final int MAX_PARTS_PER_PAGE = 1000;
  private static final Pattern UPLOAD_ID = Pattern.compile("[0-9a-f]{48}");
  private static final String MARKER = "upload";
  private static final String PART = "part-";
  private static final SecureRandom RANDOM = new SecureRandom();

  /** An upload that exists: its target, its staging folder (datasource path) and its marker file. */
  private record Staged(Location target, String folder, Node marker) {
    Location part(int number) { return new Location(target.datasource(), folder + "/" + partName(number), target.workspace()); }
  }

  private final FileAccess access;
  private final TreeService tree;
  private final Blobs blobs;
  private final S3Objects objects;
  private final Materializer materializer;

  S3Multipart(FileAccess access, TreeService tree, Blobs blobs, S3Objects objects, Materializer materializer) {
    this.access = access;
    this.tree = tree;
    this.blobs = blobs;
    this.objects = objects;
    this.materializer = materializer;
  }

  CompletionStage<HttpResponse> create(Principal caller, HttpRequest request, S3Key key) {
    objectKey(key);
    return access.resolveForWrite(caller, key.workspace(), key.path()).thenCompose(target -> {
      byte[] random = new byte[16];
      RANDOM.nextBytes(random);
      String uploadId = HexFormat.of().formatHex(random) + targetHash(target);
      Location marker = new Location(target.datasource(), folder(uploadId) + "/" + MARKER, target.workspace());
      String type = S3Objects.storedType(request);
      return blobs.upload(target.datasource(), Source.<ByteString>empty(), new Blobs.Expected(0L, null, null))
          .thenCompose(blob -> objects.record(marker, blob, S3Responses.EMPTY_MD5, type, null))
          .thenApply(n -> S3Responses.xml(S3Xml.initiateMultipartUpload(S3Call.BUCKET, key.key(), uploadId)));
    });
  }

  CompletionStage<HttpResponse> uploadPart(S3Auth.Caller caller, HttpRequest request, S3Key key, String uploadId,
                                           String partNumber) {
    int number = partNumber(partNumber);
    return staged(caller.principal(), key, uploadId).thenCompose(staged -> {
      S3Body.Upload upload = S3Body.upload(request, caller.signature());
      return upload.blame(blobs.upload(staged.target().datasource(), upload.bytes(), upload.expected()))
          .thenCompose(blob -> objects.record(staged.part(number), blob, blob.getMd5Hex(), "", null));
    }).thenApply(node -> S3Responses.empty(200).addHeader(S3Responses.etag(node.getEtag())));
  }

  CompletionStage<HttpResponse> listParts(Principal caller, S3Call call, S3Key key, String uploadId) {
    int marker = call.param("part-number-marker").filter(s -> !s.isEmpty()).map(S3Multipart::partNumberMarker).orElse(0);
    int max = call.param("max-parts").filter(s -> !s.isEmpty()).map(S3Multipart::maxParts).orElse(MAX_PARTS_PER_PAGE);
    return staged(caller, key, uploadId).thenCompose(staged -> tree.list(ListRequest.newBuilder()
            .setDatasource(staged.target().datasource()).setPath(staged.folder()).setPrefix(PART)
            .setStartAfter(marker == 0 ? "" : partName(marker)).setLimit(max + 1).build()))
        .thenApply(page -> {
          List<S3Xml.PartEntry> parts = new ArrayList<>();
          for (Node n : page.getChildrenList().subList(0, Math.min(max, page.getChildrenCount()))) {
            parts.add(new S3Xml.PartEntry(number(n), Instant.ofEpochMilli(n.getMtime()), n.getEtag(), n.getSize()));
          }
          boolean truncated = page.getChildrenCount() > max;
          int next = parts.isEmpty() ? marker : parts.get(parts.size() - 1).partNumber();
          return S3Responses.xml(S3Xml.listParts(new S3Xml.ListParts(S3Call.BUCKET, key.key(), uploadId, marker, next, max,
              truncated, parts)));
        });
  }

  CompletionStage<HttpResponse> complete(S3Auth.Caller caller, HttpRequest request, S3Key key, String uploadId) {
    Principal p = caller.principal();
    return staged(p, key, uploadId).thenCompose(staged -> S3Body.strict(request, caller.signature(),
            S3XmlParser.MAX_BODY_BYTES, materializer)
        .thenCompose(body -> {
          List<S3XmlParser.CompletedPart> wanted = S3XmlParser.completeMultipartUpload(body);
          return allParts(staged, "", new TreeMap<>()).thenCompose(stored -> {
            List<String> blobIds = chosenBlobs(wanted, stored);
            return blobs.compose(staged.target().datasource(), blobIds)
                .thenCompose(blob -> objects.record(staged.target(), blob, blob.getMultipartEtag(),
                    staged.marker().getContentType(), null))
                .thenCompose(node -> cleanUp(staged, p).thenApply(d -> node));
          });
        }))
        .thenApply(node -> S3Responses.xml(S3Xml.completeMultipartUpload("/" + S3Call.BUCKET + "/" + key.key(),
            S3Call.BUCKET, key.key(), node.getEtag())));
  }

  /** The blobs of the parts a client completes with, in its order; InvalidPart / EntityTooSmall as S3 refuses. */
  private static List<String> chosenBlobs(List<S3XmlParser.CompletedPart> wanted, Map<Integer, Node> stored) {
    List<String> blobIds = new ArrayList<>(wanted.size());
    for (int i = 0; i < wanted.size(); i++) {
      S3XmlParser.CompletedPart part = wanted.get(i);
      Node n = stored.get(part.partNumber());
      if (n == null || !n.getEtag().equalsIgnoreCase(part.etag())) {
        throw new S3Exception("InvalidPart", "One or more of the specified parts could not be found or its ETag does "
            + "not match: part " + part.partNumber());
      }
      if (i < wanted.size() - 1 && n.getSize() < MIN_PART_SIZE) {
        throw new S3Exception("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size: "
            + "part " + part.partNumber() + " has " + n.getSize() + " bytes, every part but the last needs 5 MiB");
      }
      blobIds.add(n.getBlobId());
    }
    return blobIds;
  }

  CompletionStage<HttpResponse> abort(Principal caller, S3Key key, String uploadId) {
    return staged(caller, key, uploadId).thenCompose(staged -> cleanUp(staged, caller))
        .thenApply(d -> S3Responses.empty(204));
  }

  /** Removes the staging folder and the blobs of its parts; a failure is logged (what is left is garbage). */
  private CompletionStage<Void> cleanUp(Staged staged, Principal caller) {
    return FolderRemoval.removeForGood(tree, blobs, staged.target().datasource(), staged.folder(), caller.login())
        .handle((d, e) -> {
          if (e != null) log.warn("multipart staging folder {} of {} not removed: {}", staged.folder(), staged.target().datasource(), e.toString());
          return null;
        });
  }

  private CompletionStage<Map<Integer, Node>> allParts(Staged staged, String cursor, Map<Integer, Node> into) {
    return tree.list(ListRequest.newBuilder().setDatasource(staged.target().datasource()).setPath(staged.folder())
            .setPrefix(PART).setCursor(cursor).setLimit(5000).build())
        .thenCompose(page -> {
          for (Node n : page.getChildrenList()) into.put(number(n), n);
          return page.getNextCursor().isEmpty() ? CompletableFuture.completedFuture(into)
              : allParts(staged, page.getNextCursor(), into);
        });
  }

  /** The upload, if it exists and was made for this key; NoSuchUpload otherwise. */
  private CompletionStage<Staged> staged(Principal caller, S3Key key, String uploadId) {
    objectKey(key);
    if (!UPLOAD_ID.matcher(uploadId).matches()) return CompletableFuture.failedFuture(noSuchUpload());
    return access.resolveForWrite(caller, key.workspace(), key.path()).thenCompose(target -> {
      if (!uploadId.endsWith(targetHash(target))) throw noSuchUpload();
      String folder = folder(uploadId);
      return tree.stat(StatRequest.newBuilder().setDatasource(target.datasource()).setPath(folder + "/" + MARKER).build())
          .handle((marker, e) -> {
            if (e == null) return new Staged(target, folder, marker);
            throw S3Failures.is(e, Status.Code.NOT_FOUND) ? noSuchUpload() : S3Failures.of(e);
          });
    });
  }

  private static void objectKey(S3Key key) {
    if (key.folder() || key.path().isEmpty()) {
      throw new S3Exception("InvalidObjectName", "A key names a file inside a workspace: <workspace>/<path>");
    }
  }

  private static String folder(String uploadId) {
    return FileAccess.UPLOADS + "/" + uploadId;
  }

  private static String partName(int number) {
    return PART + String.format("%05d", number);
  }

  private static int number(Node part) {
    return Integer.parseInt(part.getName().substring(PART.length()));
  }

  private static String targetHash(Location target) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest((target.datasource() + "\n" + target.path()).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 8);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static int partNumber(String raw) {
    try {
      int n = Integer.parseInt(raw);
      if (n >= 1 && n <= S3XmlParser.MAX_PARTS) return n;
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new S3Exception("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
  }

  private static int partNumberMarker(String raw) {
    try {
      int n = Integer.parseInt(raw);
      if (n >= 0) return n;
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new S3Exception("InvalidArgument", "part-number-marker must be a non-negative integer");
  }

  private static int maxParts(String raw) {
    try {
      int n = Integer.parseInt(raw);
      if (n >= 0) return Math.min(n, MAX_PARTS_PER_PAGE);
    } catch (NumberFormatException e) {
      // refused below
    }
    throw new S3Exception("InvalidArgument", "max-parts must be a non-negative integer");
  }

  private static S3Exception noSuchUpload() {
    return new S3Exception("NoSuchUpload", "The specified multipart upload does not exist. The upload ID may be invalid, "
        + "or the upload may have been aborted or completed.");
  }
}
