package arca.objects;

/**
 * Why a blob store refused a call, in terms any store (folder or S3 bucket) can give; the gRPC service turns the
 * reason into a status in one place.
 */
public final class BlobException extends RuntimeException {
  /** The kinds of refusal a caller can act on. */
  public enum Reason {
    /** a malformed argument, or bytes that do not match what the caller declared */
    INVALID,
    /** no such blob, or no such datasource */
    NOT_FOUND,
    /** a read offset past the end of the blob */
    OUT_OF_RANGE,
    /** the datasource exists in the configuration but this node does not serve it */
    NOT_HOSTED
  }

  private final Reason reason;

  public BlobException(Reason reason, String message) {
    super(message, null, true, false);
    this.reason = reason;
  }

  public static BlobException invalid(String message) { return new BlobException(Reason.INVALID, message); }
  public static BlobException notFound(String message) { return new BlobException(Reason.NOT_FOUND, message); }

  public Reason reason() {
    return reason;
  }
}
