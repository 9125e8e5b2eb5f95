package arca.rest.gate;

import arca.rest.access.Principal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The gateway's REST-level policy gate (Cells' policy check, Ladon style): whether a caller may do an action on a
 * resource. {@link arca.rest.auth.Authenticator} asks it for every authenticated request on {@code /a/}, the
 * {@code /io} gateway for every authenticated S3 request, the {@code /dav} gateway for every WebDAV request, so that
 * no route can forget it; routes that need no
 * authentication (login, token refresh and revocation, OIDC discovery and keys, {@code /healthz}, {@code /readyz},
 * {@code /a/openapi.json}) are not checked. Route-level checks (admin routes, ACLs) still apply after it.
 *
 * <ul>
 *   <li>subjects of a caller: {@code user:<login>}, {@code profile:admin} (callers with the admin role) or
 *       {@code profile:standard}, {@code role:everyone} and {@code role:<id>} for each of their roles;</li>
 *   <li>resource: {@code rest:<path>} for {@code /a/} requests, the URL path percent-decoded without the query
 *       (e.g. {@code rest:/a/nodes/common/My Docs/a.txt}); {@code io:<key>} for {@code /io} requests, the decoded
 *       object key {@code <workspace>/<path>} ({@code io:} alone for requests on the bucket: listings, multi-object
 *       delete, whose keys are checked one by one as {@code DELETE io:<key>}; a copy's source is checked as
 *       {@code GET io:<source key>}); {@code dav:<workspace>/<path>} for {@code /dav/} requests ({@code dav:} for
 *       the top level; a COPY's or MOVE's destination is checked too, with the same method);</li>
 *   <li>action: the HTTP method (GET, HEAD, POST, PUT, PATCH, DELETE; PROPFIND, MKCOL, COPY, MOVE, LOCK ... on
 *       {@code /dav/}).</li>
 * </ul>
 * The decision itself is {@link PolicySet#decide}: deny wins, then allow, else deny by default. File operations are
 * checked further, node by node, against the deny policies ({@link #denials}; see {@code arca.rest.files.NodePolicies}).
 */
public interface PolicyCheck {
  String REST = "rest:";
  String IO = "io:";

  /** What the gate decided and why (for the 403 message and logs). */
  record Decision(boolean allowed, String reason) {
    public static Decision allow(String reason) { return new Decision(true, reason); }
    public static Decision deny(String reason) { return new Decision(false, reason); }
  }

  /** Fails as the policy service call fails (a gRPC status): no decision is made without the policies. */
  CompletionStage<Decision> decide(Principal caller, String resource, String action);

  /**
   * The deny policies that apply to a caller, for the checks of the nodes a file operation touches besides its URL
   * ({@code arca.rest.files.NodePolicies}); fails as {@link #decide} does.
   */
  CompletionStage<Denials> denials(Principal caller);

  /** A caller's deny policies over one policy set. */
  record Denials(PolicySet set, List<String> subjects) {
    /** The first deny of the action on one of the names, or null. */
    public PolicySet.Denial of(List<String> resources, String action) {
      return set.denial(subjects, resources, action);
    }

    /** The first deny of the action on a name starting with one of the prefixes, or null. */
    public PolicySet.Denial below(List<String> prefixes, String action) {
      return set.denialBelow(subjects, prefixes, action);
    }
  }

  /** The subjects a caller is known as, as policies name them. */
  static List<String> subjectsOf(Principal caller) {
    List<String> out = new ArrayList<>(caller.roles().size() + 3);
    out.add("user:" + caller.login());
    out.add(caller.isAdmin() ? "profile:admin" : "profile:standard");
    out.add("role:" + Principal.EVERYONE);
    for (String r : caller.roles()) out.add("role:" + r);
    return List.copyOf(out);
  }

  /** The resource of an {@code /a/} request: {@code rest:} and its URL path, percent-decoded ('+' stays a plus). */
  static String restResource(String urlPath) {
    String decoded;
    try {
      decoded = URLDecoder.decode(urlPath.replace("+", "%2B"), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      decoded = urlPath;  // a malformed escape: the path as sent (routes refuse it)
    }
    return REST + decoded;
  }
}
