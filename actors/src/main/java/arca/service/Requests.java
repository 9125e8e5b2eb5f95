package arca.service;

/** Request ids of writes (see {@link ServiceEntity#applied}): checked once, in the gRPC services. */
public final class Requests {
  private Requests() {}

  /** A request id: up to 128 printable ASCII characters without spaces, or empty (no id: the write is not retried). */
  public static String id(String s) {
    if (s.length() > 128 || !s.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw GrpcErrors.invalid("request id (Idempotency-Key) must be at most 128 printable ASCII characters without spaces");
    }
    return s;
  }
}
