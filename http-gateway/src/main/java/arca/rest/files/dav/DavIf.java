package arca.rest.files.dav;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The WebDAV If header (RFC 4918 section 10.4): lists of conditions on state tokens (lock tokens) and entity tags,
 * untagged (about the request URL) or tagged with the resource they are about. The header holds when at least one
 * list holds; a list holds when each of its conditions does. Every lock token the header names (not under
 * {@code Not}) is "submitted": the request may change what those locks protect.
 */
record DavIf(List<Clause> lists) {
  static final String NO_LOCK = "DAV:no-lock";

  /** One condition: a state token ({@code <urn:uuid:...>}) or an entity tag ({@code ["..."]}), maybe negated. */
  record Condition(boolean not, String token, String etag) {}

  /**
   * One list of conditions, about the request URL (resource empty) or the resource its tag names (a resource tag
   * of another server: {@code foreign}, such a list never holds).
   */
  record Clause(Optional<DavPath> resource, boolean foreign, List<Condition> conditions) {}

  /** What a condition is checked against: the resource's entity tag (null when it has none) and its lock tokens. */
  record State(String etag, Set<String> lockTokens) {
    static final State NONE = new State(null, Set.of());
  }

  static final DavIf ABSENT = new DavIf(List.of());

  boolean present() {
    return !lists.isEmpty();
  }

  /** The lock tokens the header submits. */
  Set<String> submitted() {
    Set<String> out = new LinkedHashSet<>();
    for (Clause c : lists) for (Condition k : c.conditions) if (k.token != null && !k.not) out.add(k.token);
    return out;
  }

  /** The resources tagged lists name (besides the request URL). */
  Set<DavPath> tagged() {
    Set<DavPath> out = new LinkedHashSet<>();
    for (Clause c : lists) c.resource.ifPresent(out::add);
    return out;
  }

  /** Whether the header holds; {@code stateOf} gives the state of the request URL (empty) or a tagged resource. */
  boolean holds(Function<Optional<DavPath>, State> stateOf) {
    if (lists.isEmpty()) return true;
    for (Clause c : lists) {
      if (c.foreign) continue;
      State s = stateOf.apply(c.resource);
      boolean all = true;
      for (Condition k : c.conditions) {
        boolean match = k.token != null ? !k.token.equals(NO_LOCK) && s.lockTokens().contains(k.token)
            : s.etag() != null && sameTag(k.etag, s.etag());
        if (match == k.not) {
          all = false;
          break;
        }
      }
      if (all) return true;
    }
    return false;
  }

  static boolean sameTag(String a, String b) {
    return strip(a).equals(strip(b));
  }

  private static String strip(String tag) {
    String t = tag.trim();
    if (t.startsWith("W/")) t = t.substring(2);
    if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) t = t.substring(1, t.length() - 1);
    return t;
  }

  /** Parses the header (absent: {@link #ABSENT}); 400 when malformed. */
  static DavIf parse(Optional<String> header, String requestHost) {
    if (header.isEmpty()) return ABSENT;
    String h = header.get();
    List<Clause> out = new ArrayList<>();
    int i = 0;
    Optional<DavPath> resource = Optional.empty();
    boolean foreign = false;
    boolean sawTag = false;
    boolean sawUntagged = false;
    while (true) {
      i = skipSpace(h, i);
      if (i >= h.length()) break;
      char c = h.charAt(i);
      if (c == '<') {
        int end = h.indexOf('>', i);
        if (end < 0) throw malformed(h);
        if (sawUntagged) throw malformed(h);
        String url = h.substring(i + 1, end);
        Optional<DavPath> p = DavPath.parseUrl(url, requestHost);
        resource = p;
        foreign = p.isEmpty();
        sawTag = true;
        i = end + 1;
      } else if (c == '(') {
        if (!sawTag) sawUntagged = true;
        List<Condition> conditions = new ArrayList<>();
        i++;
        while (true) {
          i = skipSpace(h, i);
          if (i >= h.length()) throw malformed(h);
          if (h.charAt(i) == ')') {
            i++;
            break;
          }
          boolean not = false;
          if (h.regionMatches(true, i, "Not", 0, 3)) {
            not = true;
            i = skipSpace(h, i + 3);
            if (i >= h.length()) throw malformed(h);
          }
          char k = h.charAt(i);
          if (k == '<') {
            int end = h.indexOf('>', i);
            if (end < 0) throw malformed(h);
            conditions.add(new Condition(not, h.substring(i + 1, end).trim(), null));
            i = end + 1;
          } else if (k == '[') {
            int end = h.indexOf(']', i);
            if (end < 0) throw malformed(h);
            conditions.add(new Condition(not, null, h.substring(i + 1, end).trim()));
            i = end + 1;
          } else {
            throw malformed(h);
          }
        }
        if (conditions.isEmpty()) throw malformed(h);
        out.add(new Clause(resource, foreign, List.copyOf(conditions)));
      } else {
        throw malformed(h);
      }
    }
    if (out.isEmpty()) throw malformed(h);
    return new DavIf(List.copyOf(out));
  }

  private static int skipSpace(String h, int i) {
    while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == '\t')) i++;
    return i;
  }

  private static DavError malformed(String h) {
    return DavError.badRequest("malformed If header: " + (h.length() > 200 ? h.substring(0, 200) + "..." : h));
  }
}
