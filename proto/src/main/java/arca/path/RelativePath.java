package arca.path;

import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.List;

/**
 * The one set of rules for a path relative to a root (a workspace's or a datasource's), shared by the tree, the
 * gateway and the ACLs: "/"-separated names, "" is the root; no empty, "." or ".." name, no "/" in a name, no NUL or
 * other control character, no unpaired surrogate; names of at most 255 UTF-8 bytes, at most 64 levels and 4096
 * characters. Names are compared in Unicode NFC: "a" + U+0308 and "\u00e4" address the same node.
 *
 * <p>The faces differ on purpose only in what they accept around the rules and how they word a refusal:
 * {@link #segments} is a workspace-relative path as a client sends it (checked as sent, NFC out);
 * {@link #normalized} is an ACL entry's path (taken in NFC, then checked); {@link #treeSegments} is a path as the tree
 * takes it (one leading or trailing "/" tolerated, names as sent, the folder keys them by {@link #nfc}).
 */
public final class RelativePath {
  public static final int MAX_NAME_BYTES = 255;
  public static final int MAX_PATH_CHARS = 4096;
  public static final int MAX_DEPTH = 64;
  /** The REST error code of a refused path (400). */
  public static final String INVALID_PATH = "invalid_path";

  private RelativePath() {}

  /** What makes a name invalid. */
  private enum Kind { EMPTY, DOT, SLASH, TOO_LONG, CONTROL, NOT_UNICODE }

  /** The first flaw found in {@code name}; {@code character} is the offending control character. */
  private record Flaw(Kind kind, String name, char character) {
    /** As a path's segment: the wording of the gateway and the ACLs. */
    String inPath() {
      return switch (kind) {
        case EMPTY -> "empty segment (leading, trailing or double '/')";
        case DOT -> "'" + name + "' segments are not allowed";
        case SLASH -> "a name must not contain '/'";
        case TOO_LONG -> "a name is longer than " + MAX_NAME_BYTES + " bytes";
        case CONTROL -> "control character " + codePoint(character);
        case NOT_UNICODE -> "not valid Unicode";
      };
    }

    /** As a name of its own: the wording of the tree. */
    String asName() {
      return switch (kind) {
        case EMPTY -> "a name must not be empty";
        case DOT -> "'" + name + "' is not a valid name";
        case SLASH -> "a name must not contain '/'";
        case TOO_LONG -> "name longer than " + MAX_NAME_BYTES + " bytes";
        case CONTROL -> "a name must not contain control characters (found " + codePoint(character) + ")";
        case NOT_UNICODE -> "a name must be valid Unicode";
      };
    }

    private static String codePoint(char c) {
      return "U+" + String.format("%04X", (int) c);
    }
  }

  private static Flaw flaw(String name) {
    if (name.isEmpty()) return new Flaw(Kind.EMPTY, name, '\0');
    if (name.equals(".") || name.equals("..")) return new Flaw(Kind.DOT, name, '\0');
    if (name.indexOf('/') >= 0) return new Flaw(Kind.SLASH, name, '/');
    if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) return new Flaw(Kind.TOO_LONG, name, '\0');
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 0x20 || c == 0x7f) return new Flaw(Kind.CONTROL, name, c);
      if (Character.isHighSurrogate(c) && i + 1 < name.length() && Character.isLowSurrogate(name.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return new Flaw(Kind.NOT_UNICODE, name, c);
      }
    }
    return null;
  }

  /** Null when {@code name} is a valid single name, else why not, worded as a path's segment. */
  public static String problem(String name) {
    Flaw f = flaw(name);
    return f == null ? null : f.inPath();
  }

  /** Null when {@code name} is a valid single name, else why not, worded as a name of its own (the tree's wording). */
  public static String nameProblem(String name) {
    Flaw f = flaw(name);
    return f == null ? null : f.asName();
  }

  /**
   * The segments of a workspace-relative path as a client sends it (no leading or trailing "/"), checked as sent and
   * returned in NFC; refused naming the problem otherwise.
   */
  public static List<String> segments(String path) {
    return checked(path).stream().map(RelativePath::nfc).toList();
  }

  /** An ACL entry's path: taken in NFC, then checked as {@link #segments} checks; returned in NFC. */
  public static String normalized(String path) {
    String nfc = nfc(path);
    checked(nfc);
    return nfc;
  }

  private static List<String> checked(String path) {
    if (path.isEmpty()) return List.of();
    if (path.length() > MAX_PATH_CHARS) throw invalid(path, "longer than " + MAX_PATH_CHARS + " characters");
    List<String> names = List.of(path.split("/", -1));
    if (names.size() > MAX_DEPTH) throw invalid(path, "deeper than " + MAX_DEPTH + " levels");
    for (String name : names) {
      Flaw f = flaw(name);
      if (f != null) throw invalid(path, f.inPath());
    }
    return names;
  }

  /**
   * The segments of a path as the tree takes it ("" is the root; a single leading or trailing "/" is tolerated), names
   * as sent; refused naming the problem in the tree's wording otherwise.
   */
  public static List<String> treeSegments(String path) {
    if (path.length() > MAX_PATH_CHARS) throw new InvalidPathException("path longer than " + MAX_PATH_CHARS + " characters");
    String p = path;
    if (p.startsWith("/")) p = p.substring(1);
    if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
    if (p.isEmpty()) return List.of();
    List<String> names = List.of(p.split("/", -1));
    for (String name : names) {
      Flaw f = flaw(name);
      if (f != null) throw invalid(path, f.asName());
    }
    if (names.size() > MAX_DEPTH) throw new InvalidPathException("path deeper than " + MAX_DEPTH + " levels");
    return names;
  }

  /** Segments joined into a path. */
  public static String join(List<String> segments) {
    return String.join("/", segments);
  }

  /** A name or path in Unicode NFC, the form names are keyed and compared by. */
  public static String nfc(String text) {
    return Normalizer.normalize(text, Normalizer.Form.NFC);
  }

  /** Client text for a message: control characters escaped, cut at 200 characters. */
  public static String printable(String s) {
    StringBuilder b = new StringBuilder();
    s.codePoints().limit(200).forEach(c -> {
      if (c < 0x20 || c == 0x7f) b.append(String.format("\\u%04x", c));
      else b.appendCodePoint(c);
    });
    return b.toString();
  }

  private static InvalidPathException invalid(String path, String problem) {
    return new InvalidPathException("invalid path '" + printable(path) + "': " + problem);
  }
}
