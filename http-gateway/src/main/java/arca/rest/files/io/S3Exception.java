package arca.rest.files.io;

/** A failure the gateway answers with an S3 error document: the S3 error code (see {@link S3Errors}) and a message. */
public final class S3Exception extends RuntimeException {
  private final String code;

  public S3Exception(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  public String code() { return code; }

  /** The HTTP status S3 answers this code with. */
  public int httpStatus() { return S3Errors.status(code); }
}
