package arca.rest.gate;

import arca.path.RelativePath;
import arca.proto.policy.Effect;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroup;
import java.util.regex.Matcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Every policy of every group, compiled once, and the decision for one request (Ladon's semantics, as in Cells):
 *
 * <p><b>Patterns.</b> A subject, resource or action pattern is literal text in which each {@code <...>} is a Java
 * regular expression (the delimiters nest: {@code <(?<n>x)>} is one regex); the pattern matches a whole string,
 * case-sensitively. {@code rest:/a/nodes/common/<.*>} matches every path under {@code /a/nodes/common/};
 * {@code rest:/a/nodes<(/.*)?>} also {@code /a/nodes} itself; {@code <.*>} matches anything; {@code GET} only GET.
 *
 * <p><b>Match.</b> A policy matches a request when one of its subjects matches one of the caller's subjects, one of
 * its resources the resource, and one of its actions the action.
 *
 * <p><b>Decision.</b> Denied when any matching policy has effect deny; else allowed when at least one matching
 * policy allows; else denied (deny by default).
 *
 * <p>The policy service validates every pattern with the same regex engine; a policy the gateway still cannot
 * compile (a newer service's syntax) fails closed: a deny matches every request, an allow none.
 */
public final class PolicySet {
  private static final Logger log = LoggerFactory.getLogger(PolicySet.class);

  public static final PolicySet EMPTY = new PolicySet(List.of());

  private record Compiled(String group, String id, boolean deny, List<Predicate<String>> subjects,
                          List<Predicate<String>> resources, List<Predicate<String>> actions, List<Predicate<String>> below) {
    boolean matches(List<String> callerSubjects, String resource, String action) {
      return any(actions, action) && any(resources, resource) && callerSubjects.stream().anyMatch(s -> any(subjects, s));
    }

    private static boolean any(List<Predicate<String>> patterns, String value) {
      for (Predicate<String> p : patterns) if (p.test(value)) return true;
      return false;
    }
  }

  private final List<Compiled> policies;

  private PolicySet(List<Compiled> policies) {
    this.policies = policies;
  }

  public static PolicySet of(List<PolicyGroup> groups) {
    List<Compiled> out = new ArrayList<>();
    for (PolicyGroup g : groups) {
      for (Policy p : g.getPoliciesList()) out.add(compile(g.getId(), p));
    }
    return new PolicySet(List.copyOf(out));
  }

  private static Compiled compile(String group, Policy p) {
    boolean deny = p.getEffect() != Effect.EFFECT_ALLOW;
    try {
      return new Compiled(group, p.getId(), deny, patterns(p.getSubjectsList()), patterns(p.getResourcesList()),
          patterns(p.getActionsList()), p.getResourcesList().stream().map(PolicySet::prefixPattern).toList());
    } catch (IllegalArgumentException e) {
      log.warn("policy '{}' of group '{}' does not compile ({}); it {}", p.getId(), group, e.getMessage(),
          deny ? "denies every request" : "allows nothing");
      List<Predicate<String>> all = List.of(s -> deny);
      return new Compiled(group, p.getId(), deny, all, all, all, all);
    }
  }

  private static List<Predicate<String>> patterns(List<String> raw) {
    return raw.stream().map(PolicySet::pattern).toList();
  }

  /**
   * Whether a pattern may match a string that starts with a given prefix (the names of the nodes below a folder):
   * a literal pattern when it starts with the prefix; a regex when it matches the prefix itself or the regex engine
   * reached the prefix's end (more input could make it match). May answer true where no longer string matches,
   * never false where one does: a deny it answers for errs on the side of refusing.
   */
  static Predicate<String> prefixPattern(String pattern) {
    String raw = RelativePath.nfc(pattern);
    if (raw.indexOf('<') < 0 && raw.indexOf('>') < 0) return raw::startsWith;
    Pattern compiled = Pattern.compile(regex(raw));
    return prefix -> {
      Matcher m = compiled.matcher(prefix);
      return m.matches() || m.hitEnd();
    };
  }

  /**
   * One pattern: plain equality when it holds no {@code <...>}, else one anchored regex made of the quoted literal
   * parts and the regex parts, in Unicode NFC as the node names it is matched against. Throws IllegalArgumentException
   * for unbalanced delimiters or a bad regex.
   */
  public static Predicate<String> pattern(String pattern) {
    String raw = RelativePath.nfc(pattern);
    if (raw.indexOf('<') < 0 && raw.indexOf('>') < 0) return raw::equals;
    return Pattern.compile(regex(raw)).asMatchPredicate();
  }

  private static String regex(String raw) {
    StringBuilder regex = new StringBuilder();
    int depth = 0;
    int from = 0;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '<' && depth++ == 0) {
        if (i > from) regex.append(Pattern.quote(raw.substring(from, i)));
        from = i + 1;
      } else if (c == '>') {
        if (depth == 0) throw new IllegalArgumentException("unbalanced '>' in " + raw);
        if (--depth == 0) {
          regex.append("(?:").append(raw, from, i).append(')');
          from = i + 1;
        }
      }
    }
    if (depth != 0) throw new IllegalArgumentException("unbalanced '<' in " + raw);
    if (from < raw.length()) regex.append(Pattern.quote(raw.substring(from)));
    return regex.toString();
  }

  /** The decision for a caller known as {@code subjects} doing {@code action} on {@code resource}. */
  public PolicyCheck.Decision decide(List<String> subjects, String resource, String action) {
    Compiled allowedBy = null;
    for (Compiled p : policies) {
      if (!p.matches(subjects, resource, action)) continue;
      if (p.deny()) return PolicyCheck.Decision.deny("policy '" + p.id() + "' of group '" + p.group() + "' denies it");
      if (allowedBy == null) allowedBy = p;
    }
    return allowedBy != null
        ? PolicyCheck.Decision.allow("policy '" + allowedBy.id() + "' of group '" + allowedBy.group() + "' allows it")
        : PolicyCheck.Decision.deny("no policy allows it (deny by default)");
  }

  /** A deny policy that matched: the resource name it matched and why (for the 403 message). */
  public record Denial(String resource, String reason) {}

  /**
   * The first policy denying {@code subjects} the {@code action} on one of {@code resources} (null when none does);
   * allows are not considered: this is the check of the nodes an operation touches besides its URL.
   */
  public Denial denial(List<String> subjects, List<String> resources, String action) {
    return firstDeny(subjects, resources, action, false);
  }

  /**
   * The first policy denying the {@code action} on a name that starts with one of {@code prefixes} (the names of
   * everything below a folder); null when none may.
   */
  public Denial denialBelow(List<String> subjects, List<String> prefixes, String action) {
    return firstDeny(subjects, prefixes, action, true);
  }

  private Denial firstDeny(List<String> subjects, List<String> names, String action, boolean below) {
    for (Compiled p : policies) {
      if (!p.deny() || !Compiled.any(p.actions(), action) || subjects.stream().noneMatch(s -> Compiled.any(p.subjects(), s))) continue;
      for (String name : names) {
        if (Compiled.any(below ? p.below() : p.resources(), name)) {
          return new Denial(name, "policy '" + p.id() + "' of group '" + p.group() + "' denies it");
        }
      }
    }
    return null;
  }

  public int size() {
    return policies.size();
  }
}
