package arca.policy;

import arca.proto.policy.Effect;
import arca.proto.policy.Policy;
import arca.service.GrpcErrors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Stream;

/**
 * Validation of policy groups; the service is the authority (the gateway only evaluates what it stores).
 *
 * <p>A pattern (subject, resource or action) is literal text in which every {@code <...>} is a Java regular
 * expression (Ladon's syntax: the delimiters nest, so a regex may itself hold balanced {@code <} and {@code >});
 * it matches a whole string. A subject names {@code user:}, {@code role:} or {@code profile:} unless it starts with
 * a regex; a resource {@code rest:/}, {@code io:} or {@code dav:} likewise; an action without a regex is an HTTP method.
 */
final class PolicyRules {
  private PolicyRules() {}

  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS",
      "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK");
  static final int MAX_POLICIES = 50;
  /** Patterns and descriptions of a group together: keeps a page of 50 groups inside a gRPC message (4 MiB). */
  static final int MAX_GROUP_CHARS = 16_384;
  static final int MAX_SUBJECTS = 32;
  static final int MAX_RESOURCES = 32;
  static final int MAX_ACTIONS = 16;
  static final int MAX_PATTERN = 1024;

  static String id(String what, String raw) {
    if (!ID.matcher(raw).matches()) {
      throw GrpcErrors.invalid(what + " '" + printable(raw) + "' must be 1-64 characters of a-z, 0-9, '_', '-',"
          + " starting with a letter or digit");
    }
    return raw;
  }

  static String text(String field, String value, int max) {
    if (value.length() > max || value.chars().anyMatch(Character::isISOControl)) {
      throw GrpcErrors.invalid(field + " must be at most " + max + " characters, without control characters");
    }
    return value.strip();
  }

  /** Checks every policy; policies without an id get the first free one of p1, p2, ... in their order. */
  static List<PolicyEntity.Rule> policies(List<Policy> raw) {
    if (raw.size() > MAX_POLICIES) throw GrpcErrors.invalid("a group holds at most " + MAX_POLICIES + " policies");
    Set<String> taken = new HashSet<>();
    for (int i = 0; i < raw.size(); i++) {
      String id = raw.get(i).getId();
      if (id.isEmpty()) continue;
      id("policies[" + i + "].id", id);
      if (!taken.add(id)) throw GrpcErrors.invalid("policies[" + i + "].id '" + id + "' is used twice in the group");
    }
    List<PolicyEntity.Rule> out = new ArrayList<>();
    int next = 1;
    for (int i = 0; i < raw.size(); i++) {
      Policy p = raw.get(i);
      String at = "policies[" + i + "]";
      String id = p.getId();
      if (id.isEmpty()) {
        while (taken.contains("p" + next)) next++;
        id = "p" + next;
        taken.add(id);
      }
      if (p.getEffect() != Effect.EFFECT_ALLOW && p.getEffect() != Effect.EFFECT_DENY) {
        throw GrpcErrors.invalid(at + ".effect must be EFFECT_ALLOW or EFFECT_DENY");
      }
      out.add(new PolicyEntity.Rule(id, text(at + ".description", p.getDescription(), 1024),
          patterns(at + ".subjects", p.getSubjectsList(), MAX_SUBJECTS, Kind.SUBJECT),
          patterns(at + ".resources", p.getResourcesList(), MAX_RESOURCES, Kind.RESOURCE),
          patterns(at + ".actions", p.getActionsList(), MAX_ACTIONS, Kind.ACTION),
          p.getEffect() == Effect.EFFECT_DENY));
    }
    long chars = out.stream().flatMap(r -> Stream.concat(Stream.of(r.description()),
        Stream.of(r.subjects(), r.resources(), r.actions()).flatMap(List::stream)))
        .mapToLong(String::length).sum();
    if (chars > MAX_GROUP_CHARS) {
      throw GrpcErrors.invalid("the policies of a group (patterns and descriptions) take at most " + MAX_GROUP_CHARS
          + " characters in all (" + chars + " given)");
    }
    return List.copyOf(out);
  }

  enum Kind { SUBJECT, RESOURCE, ACTION }

  private static List<String> patterns(String field, List<String> raw, int max, Kind kind) {
    if (raw.isEmpty() || raw.size() > max) throw GrpcErrors.invalid(field + " must hold 1 to " + max + " patterns");
    for (int i = 0; i < raw.size(); i++) pattern(field + "[" + i + "]", raw.get(i), kind);
    return List.copyOf(raw);
  }

  /** One pattern: its length, characters, delimiters, regular expressions, and what its literal start names. */
  static void pattern(String field, String raw, Kind kind) {
    if (raw.isEmpty() || raw.length() > MAX_PATTERN) {
      throw GrpcErrors.invalid(field + " must be 1 to " + MAX_PATTERN + " characters");
    }
    if (raw.chars().anyMatch(Character::isISOControl)) {
      throw GrpcErrors.invalid(field + " '" + printable(raw) + "' holds a control character");
    }
    boolean regex = checkRegexes(field, raw);
    String what = "'" + printable(raw) + "'";
    switch (kind) {
      case SUBJECT -> {
        if (!raw.startsWith("<") && !raw.startsWith("user:") && !raw.startsWith("role:") && !raw.startsWith("profile:")) {
          throw GrpcErrors.invalid(field + " " + what + " must be user:<login>, role:<id>, profile:<name> or start"
              + " with a <regex>");
        }
      }
      case RESOURCE -> {
        if (!raw.startsWith("<") && !raw.startsWith("rest:/") && !raw.startsWith("io:") && !raw.startsWith("dav:")) {
          throw GrpcErrors.invalid(field + " " + what + " must be rest:/<path>, io:<key>, dav:<workspace/path> or start"
              + " with a <regex>");
        }
      }
      case ACTION -> {
        if (!regex && !METHODS.contains(raw)) {
          throw GrpcErrors.invalid(field + " " + what + " must be an HTTP method (" + String.join(", ",
              METHODS.stream().sorted().toList()) + ") or hold a <regex>");
        }
      }
    }
  }

  /** Whether the pattern holds a regex; every {@code <...>} must be balanced and compile. */
  private static boolean checkRegexes(String field, String raw) {
    int depth = 0;
    int open = -1;
    boolean any = false;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '<') {
        if (depth++ == 0) open = i;
      } else if (c == '>') {
        if (depth == 0) throw GrpcErrors.invalid(field + " '" + printable(raw) + "': '>' at " + i + " closes nothing");
        if (--depth == 0) {
          any = true;
          try {
            Pattern.compile(raw.substring(open + 1, i));
          } catch (PatternSyntaxException e) {
            throw GrpcErrors.invalid(field + " '" + printable(raw) + "': bad regular expression <"
                + printable(raw.substring(open + 1, i)) + ">: " + e.getDescription());
          }
        }
      }
    }
    if (depth != 0) throw GrpcErrors.invalid(field + " '" + printable(raw) + "': '<' at " + open + " is never closed");
    return any;
  }

  /** For messages: cut at 200 characters. */
  private static String printable(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
