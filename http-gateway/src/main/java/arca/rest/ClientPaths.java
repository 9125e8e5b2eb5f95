package arca.rest;

import akka.http.javadsl.model.StatusCodes;
import arca.path.InvalidPathException;
import arca.path.RelativePath;

import java.util.List;

/**
 * Paths a client sends, checked by the shared rules ({@link RelativePath}) before any service sees them (the tree
 * checks again); a refused path is answered 400 {@link RelativePath#INVALID_PATH}.
 */
public final class ClientPaths {
  private ClientPaths() {}

  /** The segments of a workspace-relative path, in Unicode NFC; 400 naming the problem otherwise. */
  public static List<String> segments(String path) {
    try {
      return RelativePath.segments(path);
    } catch (InvalidPathException e) {
      throw new ApiError(StatusCodes.BAD_REQUEST, RelativePath.INVALID_PATH, e.getMessage());
    }
  }
}
