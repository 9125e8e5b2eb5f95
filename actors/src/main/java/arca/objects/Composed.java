package arca.objects;

/** A blob made by concatenating parts, with the ETag S3 gives a multipart upload of those parts. */
public record Composed(BlobInfo blob, String multipartEtag) {}
