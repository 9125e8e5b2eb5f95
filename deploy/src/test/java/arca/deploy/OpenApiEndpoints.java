package arca.deploy;

import arca.rest.files.Face;
import arca.rest.module.Endpoint;
import arca.rest.module.RestModule;
import arca.rest.proxy.Proxy;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The two sides the OpenAPI tests compare: the endpoints the node's faces declare next to their routes
 * ({@link Proxy#ENDPOINTS}, every REST face of {@link Services#ALL} with its parts, every face of {@link Faces#ALL}),
 * and the operations {@code /a/openapi.json} describes.
 */
public final class OpenApiEndpoints {
  /** The HTTP methods an OpenAPI path item may carry. */
  public static final Set<String> METHODS = Set.of("GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE");

  private OpenApiEndpoints() {}

  /** The REST faces of the node's services, with the parts they bring. */
  public static List<RestModule> modules() {
    return Proxy.withParts(Services.ALL.stream().map(Services.Service::rest).filter(Objects::nonNull).toList());
  }

  /** Every endpoint the node declares, in declaration order (duplicates kept, so that a test can find them). */
  public static List<Endpoint> declared() {
    List<Endpoint> all = new ArrayList<>(Proxy.ENDPOINTS);
    modules().forEach(m -> all.addAll(m.endpoints()));
    Faces.ALL.forEach(f -> all.addAll(f.endpoints()));
    return all;
  }

  /** The faces by name with the prefix they live under, for checks of each one's declarations. */
  public static Stream<Map.Entry<String, List<Endpoint>>> byFace(String prefix) {
    return Stream.concat(
        modules().stream().filter(m -> m.prefix().equals(prefix)).map(m -> Map.entry(m.name(), m.endpoints())),
        Faces.ALL.stream().filter((Face f) -> f.prefix().equals(prefix)).map(f -> Map.entry(f.name(), f.endpoints())));
  }

  /** The description the node serves at {@code /a/openapi.json}, from the gateway's classpath. */
  public static JsonNode description() {
    try (InputStream in = Proxy.class.getResourceAsStream("/arca/rest/openapi.json")) {
      if (in == null) throw new IllegalStateException("arca/rest/openapi.json is missing from the classpath");
      return new ObjectMapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every operation of the description, as method and path template. */
  public static List<Endpoint> described() {
    List<Endpoint> all = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> paths = description().path("paths").fields(); paths.hasNext(); ) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue().fieldNames().forEachRemaining(key -> {
        String method = key.toUpperCase(Locale.ROOT);
        if (METHODS.contains(method)) all.add(new Endpoint(method, path.getKey()));
      });
    }
    return all;
  }
}
