package arca.rest.proxy;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntity;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.ExceptionHandler;
import akka.http.javadsl.server.RejectionHandler;
import akka.http.javadsl.server.Route;
import arca.rest.ApiError;
import arca.rest.Json;
import arca.rest.RestContext;
import arca.rest.RestModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

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
 *                      (a module may bring parts under other prefixes: {@link WithParts})
 *   anything else      404 (every rejection becomes a JSON error: 404, 405, 415 ...)
 * </pre>
 * gRPC is never served here: requests with a gRPC content type are refused.
 */
public final class Proxy {
  private static final Logger log = LoggerFactory.getLogger(Proxy.class);
  public static final List<String> PREFIXES = List.of("a", "oidc", "io", "dav");

  private Proxy() {}

  /**
   * A module that brings further modules of its service, each under its own prefix (the token service: OAuth2 under
   * /oidc/, access keys under /a/access-keys).
   */
  public interface WithParts {
    List<RestModule> parts();
  }

  public static Route route(RestContext ctx, List<RestModule> registered, BooleanSupplier ready) {
    List<RestModule> modules = registered.stream().flatMap(m -> m instanceof WithParts w
        ? java.util.stream.Stream.concat(java.util.stream.Stream.of(m), w.parts().stream())
        : java.util.stream.Stream.of(m)).toList();
    for (RestModule m : modules) {
      if (!PREFIXES.contains(m.prefix())) throw new IllegalArgumentException(m.name() + ": unknown prefix " + m.prefix());
    }
    // built once: a module's route() creates its gRPC clients (directive lambdas below run per request)
    java.util.Map<String, Route> byPrefix = new java.util.LinkedHashMap<>();
    for (String prefix : PREFIXES) {
      byPrefix.put(prefix, all(modules.stream().filter(m -> m.prefix().equals(prefix)).map(m -> m.route(ctx)).toList()));
    }
    Route table = concat(
        path("healthz", () -> complete(Json.response(StatusCodes.OK, Map.of("status", "ok")))),
        path(akka.http.javadsl.server.PathMatchers.segment("a").slash("openapi.json"), OpenApi::route),
        pathPrefix(akka.http.javadsl.server.PathMatchers.segment("a").slash("docs"), ApiDocs::route),
        path("readyz", () -> extractRequest(r -> ready.getAsBoolean()
            ? complete(Json.response(StatusCodes.OK, Map.of("status", "ready")))
            : complete(Json.response(StatusCodes.SERVICE_UNAVAILABLE, Map.of("status", "starting"))))),
        all(byPrefix.entrySet().stream().map(e -> pathPrefix(e.getKey(), e::getValue)).toList()));
    return arca.rest.files.UserContent.protect(() ->
        handleExceptions(exceptions(), () -> handleRejections(rejections(), () -> refuseGrpc(table))));
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
