package arca.tree;

import arca.service.GrpcErrors;

import arca.service.Failure;
import io.grpc.Status;

import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * The rules for a node's dead properties (WebDAV): a name is {@code {namespace}local} (the namespace may be empty,
 * the local part may not; no control characters, no whitespace in the local part), a value is the property
 * element's content as XML. Limits: {@link #MAX_COUNT} properties per node, names of at most {@link #MAX_NAME} and
 * values of at most {@link #MAX_VALUE} characters, {@link #MAX_TOTAL} characters of names and values per node.
 */
final class Props {
  static final int MAX_COUNT = 256;
  static final int MAX_NAME = 512;
  static final int MAX_VALUE = 65_536;
  static final int MAX_TOTAL = 262_144;

  private Props() {}

  static Failure exhausted(String message) {
    return new Failure(Status.Code.RESOURCE_EXHAUSTED.name(), message);
  }

  /** Null when {@code name} is a well-formed property name within the limit, else why not. */
  static Failure nameProblem(String name) {
    if (name.length() > MAX_NAME) return exhausted("a property name is longer than " + MAX_NAME + " characters");
    int close = name.indexOf('}');
    if (!name.startsWith("{") || close < 0) {
      return Failure.invalid("property name '" + GrpcErrors.printable(name) + "' is not {namespace}name");
    }
    String namespace = name.substring(1, close);
    String local = name.substring(close + 1);
    if (local.isEmpty()) return Failure.invalid("property name '" + GrpcErrors.printable(name) + "' has no local name");
    if (namespace.indexOf('{') >= 0 || local.indexOf('{') >= 0 || local.indexOf('}') >= 0
        || local.chars().anyMatch(Character::isWhitespace)) {
      return Failure.invalid("property name '" + GrpcErrors.printable(name) + "' is not {namespace}name");
    }
    if (name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
      return Failure.invalid("property name '" + GrpcErrors.printable(name) + "' contains control characters");
    }
    return null;
  }

  /** Null when the names and values of a change are acceptable, else why not. */
  static Failure changeProblem(Map<String, String> set, Collection<String> remove) {
    for (String name : remove) {
      Failure f = nameProblem(name);
      if (f != null) return f;
    }
    for (Map.Entry<String, String> e : set.entrySet()) {
      Failure f = nameProblem(e.getKey());
      if (f != null) return f;
      if (e.getValue().length() > MAX_VALUE) {
        return exhausted("the value of property '" + GrpcErrors.printable(e.getKey()) + "' is longer than " + MAX_VALUE
            + " characters");
      }
    }
    return null;
  }

  /** {@code current} without the names in {@code remove}, then with {@code set} put. */
  static Map<String, String> changed(Map<String, String> current, Collection<String> remove, Map<String, String> set) {
    Map<String, String> out = new TreeMap<>(current);
    remove.forEach(out::remove);
    out.putAll(set);
    return out;
  }

  /** Null when a node may hold {@code props}, else why not (RESOURCE_EXHAUSTED). */
  static Failure nodeProblem(Map<String, String> props) {
    if (props.size() > MAX_COUNT) return exhausted("a node holds at most " + MAX_COUNT + " properties");
    long total = 0;
    for (Map.Entry<String, String> e : props.entrySet()) total += e.getKey().length() + e.getValue().length();
    if (total > MAX_TOTAL) {
      return exhausted("a node's properties hold at most " + MAX_TOTAL + " characters of names and values");
    }
    return null;
  }
}
