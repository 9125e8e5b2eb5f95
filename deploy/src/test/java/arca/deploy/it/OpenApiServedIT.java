package arca.deploy.it;

import arca.deploy.OpenApiEndpoints;
import arca.rest.module.Endpoint;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The OpenAPI description against the real route table of a node (every REST face of {@code Services.ALL} and every
 * face of {@code Faces.ALL}, as {@code Node} wires them), driven over HTTP since Akka HTTP's routes cannot be listed.
 * {@code OpenApiDescriptionTest} proves at build time that the endpoints the faces declare are exactly the described
 * operations; this test proves the declarations true:
 * <ul>
 *   <li>every described operation is served: sent as the admin, with a sample value in each path parameter and, for
 *   a method with a body, a malformed JSON body (so that nothing is changed), it gets the route's own answer (often a
 *   404 for the made-up resource, or a 400), never the proxy's rejection: a 404 with Akka's "no route" text, or a
 *   405;</li>
 *   <li>no other method is served on a described path of {@code /a/} or {@code /oidc/}: each of GET, POST, PUT, PATCH
 *   and DELETE that the path does not declare gets that rejection ({@code /healthz} and {@code /readyz}, which answer
 *   any method, are left out). A new method on a described path without a description therefore fails the build, as
 *   does a new path whose face declares it (the unit test) and a new route the route tests exercise (their requests
 *   are validated against the description, http-gateway's {@code OpenApiCheck}).</li>
 * </ul>
 */
class OpenApiServedIT {
  /** Akka HTTP's text for a request no route took, which the proxy puts in its JSON error's message. */
  private static final String NO_ROUTE = "The requested resource could not be found.";
  private static final List<String> PROBED = List.of("GET", "POST", "PUT", "PATCH", "DELETE");
  private static final Pattern PARAMETER = Pattern.compile("\\{([^}]+)}");
  /**
   * A path that is another's with an empty last parameter: {@code /a/nodes/{ws}} is {@code /a/nodes/{ws}/{path}} at
   * the workspace root, which that path's methods serve (and refuse: a root is not created, moved or trashed).
   */
  private static final Map<String, String> SAME_AS = Map.of("/a/nodes/{ws}", "/a/nodes/{ws}/{path}");

  private static Api api;
  private static String admin;

  @BeforeAll
  static void signIn() throws Exception {
    api = SharedNode.api();
    admin = api.token("admin", SharedNode.ADMIN_PASSWORD);
  }

  @Test
  void everyDescribedOperationIsServed() throws Exception {
    List<String> unserved = new ArrayList<>();
    for (Endpoint e : OpenApiEndpoints.described()) {
      Api.Reply r = probe(e.method(), e.path());
      if (rejected(r)) unserved.add(e + " -> " + r.status() + " " + r.raw().body());
    }
    assertEquals(List.of(), unserved, "described but answered by the proxy's rejection, as no route");
  }

  @Test
  void noUndescribedMethodIsServedOnADescribedPath() throws Exception {
    Set<Endpoint> described = new LinkedHashSet<>(OpenApiEndpoints.described());
    Set<String> paths = new LinkedHashSet<>();
    described.forEach(e -> paths.add(e.path()));
    List<String> served = new ArrayList<>();
    for (String path : paths) {
      if (!path.startsWith("/a/") && !path.startsWith("/oidc/")) continue;
      for (String method : PROBED) {
        if (described.contains(new Endpoint(method, path))
            || described.contains(new Endpoint(method, SAME_AS.getOrDefault(path, path)))) continue;
        Api.Reply r = probe(method, path);
        if (!rejected(r)) served.add(method + " " + path + " -> " + r.status() + " " + r.raw().body());
      }
    }
    assertEquals(List.of(), served, "served but not in openapi.json");
  }

  /** The operation with sample path parameters and, for a method with a body, a malformed one. */
  private static Api.Reply probe(String method, String template) throws Exception {
    Matcher m = PARAMETER.matcher(template);
    String path = m.replaceAll(p -> "openapi-probe-" + p.group(1));
    boolean body = method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    return api.send(method, path, admin, body ? "{" : null);
  }

  private static boolean rejected(Api.Reply r) {
    return r.status() == 405 || r.status() == 404 && NO_ROUTE.equals(r.text("message"));
  }
}
