package arca.tree;

import arca.path.InvalidPathException;
import arca.path.RelativePath;
import arca.service.GrpcErrors;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** A validated request path: a datasource and the names from its root ({@link RelativePath#treeSegments}). */
record TreePath(String datasource, List<String> segments) {
  static final Pattern DATASOURCE = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /** The path {@code path} of {@code datasource}; INVALID_ARGUMENT naming the problem when either is malformed. */
  static TreePath of(String datasource, String path) {
    if (!DATASOURCE.matcher(datasource).matches()) {
      throw GrpcErrors.invalid("datasource must be 1-63 characters of a-z, 0-9, '-'");
    }
    try {
      return new TreePath(datasource, RelativePath.treeSegments(path));
    } catch (InvalidPathException e) {
      throw GrpcErrors.invalid(e.getMessage());
    }
  }

  /** The root of {@code datasource}, checked as {@link #of} checks it. */
  static TreePath root(String datasource) {
    return of(datasource, "");
  }

  String text() { return RelativePath.join(segments); }
  boolean isRoot() { return segments.isEmpty(); }
  TreePath parent() { return new TreePath(datasource, segments.subList(0, segments.size() - 1)); }
  String name() { return segments.get(segments.size() - 1); }

  /** The first {@code depth} names of this path, as text. */
  String prefix(int depth) { return RelativePath.join(segments.subList(0, depth)); }

  TreePath child(String name) {
    List<String> s = new ArrayList<>(segments);
    s.add(name);
    return new TreePath(datasource, s);
  }
}
