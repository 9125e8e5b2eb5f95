package arca.rest.proxy;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import arca.rest.ApiError;
import arca.rest.Json;
import arca.rest.module.RestContext;
import arca.rest.files.Face;
import arca.rest.files.FilesContext;
import arca.rest.files.UserContent;
import arca.rest.module.Endpoint;
import arca.rest.module.RestModule;
import arca.rest.module.WithParts;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import static akka.http.javadsl.server.Directives.*;

/**
 * The single public HTTP face of a node. The route table, in one place:
 * <pre>
 *   /healthz           process is up
 *   /readyz            node is a cluster member, services bound, bootstrap done
 *   /a/openapi.json    the OpenAPI 3 description of the REST API (public)
 *   /a/...             REST (JSON), Bearer JWT            (RestModule prefix "a")
 *   /oidc/...          OAuth2 token/revoke, discovery, JWKS (RestModule prefix "oidc")
 *   /io/...            S3-compatible bytes gateway, bucket "io" (RestModule prefix "io"; S3 XML errors, its own handlers)
 *   /dav/...           WebDAV (RestModule prefix "dav"; Basic or Bearer; WebDAV error answers, its own handlers)
 *                      (a module may bring parts under other prefixes: {@link WithParts}; the files faces,
 *                      {@link Face}, mount under "a", "io" and "dav" over one {@link FilesContext})
 *   anything else      404 (every rejection becomes a JSON error: 404, 405, 415 ...)
 * </pre>
 * gRPC is never served here: requests with a gRPC content type are refused.
 */
public final class Proxy {
  private static final Logger log = LoggerFactory.getLogger(Proxy.class);
  public static final List<String> PREFIXES = List.of("a", "oidc", "io", "dav");
  /** What the proxy serves itself (beside the faces' routes), as the OpenAPI description must describe it. */
  public static final List<Endpoint> ENDPOINTS = Endpoint.all(
      Endpoint.at("/healthz", "GET"),
      Endpoint.at("/readyz", "GET"),
      Endpoint.at("/a/openapi.json", "GET"),
      Endpoint.at("/a/docs", "GET"));

  private Proxy() {}

  /** The route table over services' REST faces only (tests that need no files face). */
  public static Route route(RestContext ctx, List<RestModule> registered, BooleanSupplier ready) {
    return route(ctx, registered, List.of(), ready);
  }

  /**
   * The route table: the services' REST faces ({@code registered}, with their {@link WithParts}) and the files faces,
   * which share one {@link FilesContext} built here, once.
   */
  public static Route route(RestContext ctx, List<RestModule> registered, List<Face> faces, BooleanSupplier ready) {
    List<RestModule> modules = withParts(registered);
    for (RestModule m : modules) checkPrefix(m.name(), m.prefix());
    for (Face f : faces) checkPrefix(f.name(), f.prefix());
    // built once: a module's route() creates its gRPC clients (directive lambdas below run per request)
    FilesContext files = faces.isEmpty() ? null : FilesContext.of(ctx);
    Map<String, Route> byPrefix = new LinkedHashMap<>();
    for (String prefix : PREFIXES) {
      byPrefix.put(prefix, all(Stream.concat(
          modules.stream().filter(m -> m.prefix().equals(prefix)).map(m -> m.route(ctx)),
          faces.stream().filter(f -> f.prefix().equals(prefix)).map(f -> f.route(files))).toList()));
    }
    Route table = concat(
        path("healthz", () -> complete(Json.response(StatusCodes.OK, Map.of("status", "ok")))),
        path(PathMatchers.segment("a").slash("openapi.json"), OpenApi::route),
        pathPrefix(PathMatchers.segment("a").slash("docs"), ApiDocs::route),
        path("readyz", () -> extractRequest(r -> ready.getAsBoolean()
            ? complete(Json.response(StatusCodes.OK, Map.of("status", "ready")))
            : complete(Json.response(StatusCodes.SERVICE_UNAVAILABLE, Map.of("status", "starting"))))),
        all(byPrefix.entrySet().stream().map(e -> pathPrefix(e.getKey(), e::getValue)).toList()));
    return UserContent.protect(() ->
        handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> refuseGrpc(table))));
  }

  /** The modules with the parts they bring. */
  public static List<RestModule> withParts(List<RestModule> registered) {
    return registered.stream().flatMap(m -> m instanceof WithParts w ? Stream.concat(Stream.of(m), w.parts().stream())
        : Stream.of(m)).toList();
  }

  private static void checkPrefix(String name, String prefix) {
    if (!PREFIXES.contains(prefix)) throw new IllegalArgumentException(name + ": unknown prefix " + prefix);
  }

  private static Route all(List<Route> routes) {
    if (routes.isEmpty()) return reject();
    return routes.size() == 1 ? routes.get(0)
        : concat(routes.get(0), routes.subList(1, routes.size()).toArray(Route[]::new));
  }

  private static Route refuseGrpc(Route inner) {
    return extractRequest(req -> req.entity().getContentType().mediaType().toString().startsWith("application/grpc")
        ? Json.fail(new ApiError(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "grpc_not_served", "gRPC is not served on the public port"))
        : inner);
  }

  private static ExceptionHandler exceptions() {
    return ExceptionHandler.newBuilder()
        .match(ApiError.class, Json::fail)
        .matchAny(e -> {
          ApiError mapped = ApiError.of(e);
          if (mapped.status.intValue() >= 500) log.error("request failed", e);
          return Json.fail(mapped);
        })
        .build();
  }

  /** Akka's standard rejection answers (405, 415, 400 ...), with their text moved into the JSON error body. */
  private static RejectionHandler rejections() {
    return RejectionHandler.defaultHandler().mapRejectionResponse(Proxy::asJson);
  }

  private static HttpResponse asJson(HttpResponse r) {
    if (r.entity() instanceof HttpEntity.Strict strict && !strict.getContentType().equals(ContentTypes.APPLICATION_JSON)) {
      String text = strict.getData().decodeString(StandardCharsets.UTF_8);
      String code = r.status().reason().toLowerCase().replace(' ', '_');
      return Json.error(new ApiError(r.status(), code, text.isEmpty() ? r.status().reason() : text))
          .withHeaders(r.getHeaders());
    }
    return r;
  }
}
