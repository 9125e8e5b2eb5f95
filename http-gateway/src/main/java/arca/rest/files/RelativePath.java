package arca.rest.files;

import akka.http.javadsl.model.StatusCodes;
import arca.rest.ApiError;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The gateway's strict check of a path relative to a workspace root, before any service sees it (the tree checks
 * again): "/"-separated names, no leading or trailing "/", no empty, "." or ".." segment, no NUL or other control
 * character, no unpaired surrogate, names of at most 255 UTF-8 bytes, at most 64 levels and 4096 characters.
 * "" is the workspace root.
 */
public final class RelativePath {
  public static final int MAX_NAME_BYTES = 255;
  public static final int MAX_PATH_CHARS = 4096;
  public static final int MAX_DEPTH = 64;
  /** The error code of a refused path (400). */
  public static final String INVALID_PATH = "invalid_path";

  private RelativePath() {}

  /**
   * The segments of a valid path, in Unicode NFC (the form the tree keys names by, so that the ACLs, the policies and
   * the tree all see one spelling of a name: "a" + U+0308 and "\u00e4" are the same node); 400 naming the problem
   * otherwise.
   */
  public static List<String> segments(String path) {
    if (path.isEmpty()) return List.of();
    if (path.length() > MAX_PATH_CHARS) throw invalid(path, "longer than " + MAX_PATH_CHARS + " characters");
    List<String> segments = List.of(path.split("/", -1));
    if (segments.size() > MAX_DEPTH) throw invalid(path, "deeper than " + MAX_DEPTH + " levels");
    for (String name : segments) {
      String problem = problem(name);
      if (problem != null) throw invalid(path, problem);
    }
    return segments.stream().map(RelativePath::nfc).toList();
  }

  /** A name or path in Unicode NFC. */
  public static String nfc(String text) {
    return java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFC);
  }

  /** Null when {@code name} is a valid single name, else why not. */
  public static String problem(String name) {
    if (name.isEmpty()) return "empty segment (leading, trailing or double '/')";
    if (name.equals(".") || name.equals("..")) return "'" + name + "' segments are not allowed";
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) return "a name is longer than " + MAX_NAME_BYTES + " bytes";
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/') return "a name must not contain '/'";
      if (c < 0x20 || c == 0x7f) return "control character U+" + String.format("%04X", (int) c);
      if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "not valid Unicode";
      }
    }
    return null;
  }

  private static ApiError invalid(String path, String problem) {
    return new ApiError(StatusCodes.BAD_REQUEST, INVALID_PATH, "invalid path '" + printable(path) + "': " + problem);
  }

  /** The path for messages: control characters escaped, cut at 200 characters. */
  static String printable(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().limit(200).forEach(c -> {
      if (c < 0x20 || c == 0x7f) b.append(String.format("\\u%04x", c));
      else b.appendCodePoint(c);
    });
    return b.toString();
  }
}
