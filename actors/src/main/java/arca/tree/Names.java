package arca.tree;

import arca.service.GrpcErrors;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules for names and paths in the index. Names are compared in Unicode NFC: two names that differ only in
 * composition ("é" as one code point or as e + accent) address the same node, and creating one beside the other is
 * refused. A path is "/"-separated names from the datasource root; nothing in it can step outside (no ".", "..",
 * empty segments, NUL or control characters).
 */
public final class Names {
  public static final int MAX_NAME_BYTES = 255;
  public static final int MAX_PATH_CHARS = 4096;
  public static final int MAX_DEPTH = 64;

  private Names() {}

  /** The key a name is stored and compared under. */
  public static String key(String name) {
    return Normalizer.normalize(name, Normalizer.Form.NFC);
  }

  /** Null when the name is valid, else why not. */
  public static String problem(String name) {
    if (name.isEmpty()) return "a name must not be empty";
    if (name.equals(".") || name.equals("..")) return "'" + name + "' is not a valid name";
    if (name.indexOf('/') >= 0) return "a name must not contain '/'";
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
      return "name longer than " + MAX_NAME_BYTES + " bytes";
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) return "a name must not contain control characters (found U+" + String.format("%04X", (int) c) + ")";
      if (Character.isSurrogate(c) && !(Character.isHighSurrogate(c) && i + 1 < name.length()
          && Character.isLowSurrogate(name.charAt(i + 1)) || Character.isLowSurrogate(c) && i > 0
          && Character.isHighSurrogate(name.charAt(i - 1)))) {
        return "a name must be valid Unicode";
      }
    }
    return null;
  }

  /**
   * The segments of a path ("" is the root: no segments). A single leading or trailing "/" is tolerated; anything
   * else that is not a valid name is refused with an IllegalArgumentException naming the problem.
   */
  public static List<String> segments(String path) {
    if (path.length() > MAX_PATH_CHARS) throw new IllegalArgumentException("path longer than " + MAX_PATH_CHARS + " characters");
    String p = path;
    if (p.startsWith("/")) p = p.substring(1);
    if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    List<String> out = new ArrayList<>();
    if (p.isEmpty()) return out;
    for (String segment : p.split("/", -1)) {
      String problem = problem(segment);
      if (problem != null) throw new IllegalArgumentException("invalid path '" + GrpcErrors.printable(path) + "': " + problem);
      out.add(segment);
    }
    if (out.size() > MAX_DEPTH) throw new IllegalArgumentException("path deeper than " + MAX_DEPTH + " levels");
    return out;
  }

  public static String join(List<String> segments) {
    return String.join("/", segments);
  }
}
