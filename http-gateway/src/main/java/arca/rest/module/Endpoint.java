package arca.rest.module;

import java.util.Arrays;
import java.util.List;

/**
 * One operation a face serves: an HTTP method and the public path template as {@code /a/openapi.json} writes it
 * ({@code GET /a/users/{login}}). Each face declares its endpoints next to its routes; deploy's
 * {@code OpenApiDescriptionTest} checks them against the description both ways, and {@code OpenApiServedIT} drives each
 * one on a real node to prove it is served.
 */
public record Endpoint(String method, String path) {
  /** The endpoints of one path template, one per method. */
  public static List<Endpoint> at(String path, String... methods) {
    return Arrays.stream(methods).map(m -> new Endpoint(m, path)).toList();
  }

  /** Several lists as one. */
  @SafeVarargs
  public static List<Endpoint> all(List<Endpoint>... lists) {
    return Arrays.stream(lists).flatMap(List::stream).toList();
  }

  @Override
  public String toString() {
    return method + " " + path;
  }
}
