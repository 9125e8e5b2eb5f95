package arca.objects;

/** What a store knows of a stored blob: its length and the digests computed while it was written. */
public record BlobInfo(BlobId id, long size, String md5Hex, String sha256Hex) {
  BlobInfo withId(BlobId other) {
    return new BlobInfo(other, size, md5Hex, sha256Hex);
  }
}
