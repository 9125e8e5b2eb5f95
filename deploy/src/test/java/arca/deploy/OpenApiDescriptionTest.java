package arca.deploy;

import arca.rest.module.Endpoint;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI description and the routes, compared both ways at build time. Every face declares what it serves
 * ({@code RestModule.endpoints()}, {@code Face.endpoints()}, {@code Proxy.ENDPOINTS}) next to its routes; this test
 * fails the build when a declared endpoint is missing from {@code /a/openapi.json} or the description has an operation
 * no face declares. That the declarations are true, that each one is served and no undeclared method is, is proved
 * on a real node by {@code it.OpenApiServedIT}; that each route's requests and answers match the description, by the
 * route tests of http-gateway, which validate every {@code /a/} exchange against it.
 */
class OpenApiDescriptionTest {
  @Test
  void everyDeclaredEndpointIsDescribedAndEveryDescribedOneIsDeclared() {
    Set<Endpoint> declared = new LinkedHashSet<>(OpenApiEndpoints.declared());
    Set<Endpoint> described = new LinkedHashSet<>(OpenApiEndpoints.described());
    Set<Endpoint> undescribed = new LinkedHashSet<>(declared);
    undescribed.removeAll(described);
    Set<Endpoint> undeclared = new LinkedHashSet<>(described);
    undeclared.removeAll(declared);
    assertEquals(Set.of(), undescribed, "served but missing from openapi.json");
    assertEquals(Set.of(), undeclared, "in openapi.json but declared by no face (a stale description or a forgotten endpoints())");
  }

  @Test
  void noEndpointIsDeclaredTwice() {
    Set<Endpoint> seen = new HashSet<>();
    List<Endpoint> twice = OpenApiEndpoints.declared().stream().filter(e -> !seen.add(e)).toList();
    assertEquals(List.of(), twice);
  }

  @Test
  void everyJsonFaceDeclaresEndpointsUnderItsOwnPrefix() {
    for (String prefix : List.of("a", "oidc")) {
      OpenApiEndpoints.byFace(prefix).forEach((Map.Entry<String, List<Endpoint>> face) -> {
        assertTrue(!face.getValue().isEmpty(), face.getKey() + " serves /" + prefix + "/ but declares no endpoint");
        face.getValue().forEach(e -> assertTrue(e.path().startsWith("/" + prefix + "/"),
            face.getKey() + " declares " + e + " outside its prefix /" + prefix + "/"));
      });
    }
  }

  @Test
  void theProtocolFacesAreNotInTheDescription() {
    for (String prefix : List.of("io", "dav")) {
      OpenApiEndpoints.byFace(prefix).forEach(face -> assertEquals(List.of(), face.getValue(),
          face.getKey() + ": /" + prefix + " speaks a protocol specified elsewhere"));
    }
    OpenApiEndpoints.described().forEach(e -> assertTrue(!e.path().startsWith("/io") && !e.path().startsWith("/dav"), e.toString()));
  }
}
