package arca.path;

/** A path or name refused by the rules of {@link RelativePath}; the message says why, worded for the face that asked. */
public final class InvalidPathException extends IllegalArgumentException {
  InvalidPathException(String message) {
    super(message);
  }
}
