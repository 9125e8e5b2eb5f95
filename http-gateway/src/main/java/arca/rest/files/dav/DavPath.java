package arca.rest.files.dav;

import akka.http.javadsl.model.StatusCodes;
import arca.path.RelativePath;
import arca.rest.ApiError;
import arca.rest.ClientPaths;

import arca.rest.PercentEncoding;
import arca.rest.files.PercentDecoding;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a {@code /dav/} URL names: a workspace and a path in it, decoded ("" workspace: the top level, which lists
 * the caller's workspaces; "" path: the workspace root). Paths are checked as everywhere else
 * ({@link RelativePath}); {@link #href} renders the URL path back, each name percent-encoded.
 */
record DavPath(String workspace, String path) {
  static final String MOUNT = "/dav";

  static final DavPath TOP = new DavPath("", "");

  boolean isTop() {
    return workspace.isEmpty();
  }

  boolean isWorkspaceRoot() {
    return !workspace.isEmpty() && path.isEmpty();
  }

  /** The last name ("" for the top and a workspace root). */
  String name() {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  DavPath parent() {
    if (path.isEmpty()) return TOP;
    int slash = path.lastIndexOf('/');
    return new DavPath(workspace, slash < 0 ? "" : path.substring(0, slash));
  }

  DavPath child(String name) {
    if (isTop()) return new DavPath(name, "");
    return new DavPath(workspace, path.isEmpty() ? name : path + "/" + name);
  }

  /** Whether {@code other} is this resource or lies below it. */
  boolean contains(DavPath other) {
    if (isTop()) return true;
    if (!workspace.equals(other.workspace)) return false;
    return path.isEmpty() || other.path.equals(path) || other.path.startsWith(path + "/");
  }

  /** The URL path, percent-encoded, with a trailing "/" for a collection. */
  String href(boolean collection) {
    StringBuilder b = new StringBuilder(MOUNT).append('/');
    if (!workspace.isEmpty()) {
      b.append(encode(workspace));
      for (String segment : path.isEmpty() ? List.<String>of() : List.of(path.split("/"))) b.append('/').append(encode(segment));
      if (collection) b.append('/');
    }
    return b.toString();
  }

  /** The resource of a request path as sent ({@code /dav}, {@code /dav/}, {@code /dav/ws/a/b/}); 400 if malformed. */
  static DavPath parse(String rawPath) {
    if (!rawPath.equals(MOUNT) && !rawPath.startsWith(MOUNT + "/")) throw DavError.badRequest("not a " + MOUNT + "/ path");
    String rest = rawPath.length() <= MOUNT.length() + 1 ? "" : rawPath.substring(MOUNT.length() + 1);
    if (rest.endsWith("/")) rest = rest.substring(0, rest.length() - 1);
    if (rest.isEmpty()) return TOP;
    List<String> names = new ArrayList<>();
    for (String raw : rest.split("/", -1)) names.add(decode(raw));
    String workspace = names.get(0);
    String path = String.join("/", names.subList(1, names.size()));
    if (workspace.isEmpty() || RelativePath.problem(workspace) != null) {
      throw new DavError(StatusCodes.BAD_REQUEST, RelativePath.INVALID_PATH, "invalid workspace name in '" + rawPath + "'");
    }
    try {
      ClientPaths.segments(path);
    } catch (ApiError e) {
      throw new DavError(e.status, e.code, e.getMessage());
    }
    return new DavPath(workspace, path);
  }

  /**
   * The resource a Destination header or an If header's resource tag names: an absolute URL of this server or an
   * absolute path. Empty when it is an absolute URL of another server (host and port differ from the request's).
   */
  static Optional<DavPath> parseUrl(String url, String requestHost) {
    String path = url;
    int scheme = url.indexOf("://");
    if (scheme > 0) {
      int slash = url.indexOf('/', scheme + 3);
      String authority = slash < 0 ? url.substring(scheme + 3) : url.substring(scheme + 3, slash);
      try {
        new URI(url.substring(0, scheme) + "://" + authority + "/");
      } catch (URISyntaxException e) {
        throw DavError.badRequest("a malformed URL: '" + url + "'");
      }
      if (requestHost != null && !authority.equalsIgnoreCase(requestHost)) return Optional.empty();
      path = slash < 0 ? "/" : url.substring(slash);
    }
    int q = path.indexOf('?');
    if (q >= 0) path = path.substring(0, q);
    int f = path.indexOf('#');
    if (f >= 0) path = path.substring(0, f);
    if (!path.startsWith("/")) throw DavError.badRequest("not an absolute URL or path: '" + url + "'");
    if (!path.equals(MOUNT) && !path.startsWith(MOUNT + "/")) return Optional.empty();
    return Optional.of(parse(path));
  }

  static String encode(String name) {
    return PercentEncoding.segment(name);
  }

  /** Percent-decoding of one path segment ('+' stays a plus); strict UTF-8. */
  static String decode(String raw) {
    try {
      return PercentDecoding.decode(raw, false);
    } catch (IllegalArgumentException e) {
      throw DavError.badRequest("a path segment is badly percent-encoded or not UTF-8: '" + raw + "'");
    }
  }
}
