package arca.rest.module;

import akka.http.javadsl.server.Route;

import java.util.List;

/**
 * The HTTP face of one service ({@code arca.rest.<name>}): routes under one public prefix of the proxy
 * ({@code "a"} for REST, {@code "oidc"} for OAuth2/OIDC), calling services only through generated gRPC clients.
 */
public interface RestModule {
  String name();

  /** The proxy prefix the routes live under, without slashes. */
  String prefix();

  /** Routes relative to the prefix. */
  Route route(RestContext context);

  /** What {@link #route} serves, as the OpenAPI description must describe it (kept next to the routes). */
  List<Endpoint> endpoints();
}
