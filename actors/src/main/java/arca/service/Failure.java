package arca.service;

import io.grpc.Status;

/** Why an entity refused a command; the code is a gRPC status code name. */
public record Failure(String code, String message) implements CborSerializable {
  public static Failure invalid(String message) { return new Failure(Status.Code.INVALID_ARGUMENT.name(), message); }
  public static Failure notFound(String message) { return new Failure(Status.Code.NOT_FOUND.name(), message); }
  public static Failure exists(String message) { return new Failure(Status.Code.ALREADY_EXISTS.name(), message); }
  public static Failure precondition(String message) { return new Failure(Status.Code.FAILED_PRECONDITION.name(), message); }
  public static Failure unauthenticated(String message) { return new Failure(Status.Code.UNAUTHENTICATED.name(), message); }

  /** Whether this failure carries {@code code}. */
  public boolean is(Status.Code code) {
    return this.code.equals(code.name());
  }

  public Status toStatus() {
    return Status.fromCode(Status.Code.valueOf(code)).withDescription(message);
  }
}
