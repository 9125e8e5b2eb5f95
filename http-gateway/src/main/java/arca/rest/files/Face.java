package arca.rest.files;

import arca.rest.module.Endpoint;
import akka.http.javadsl.model.HttpMethod;
import akka.http.javadsl.server.Route;

import java.util.List;

/**
 * A protocol face over the files of several services ({@code /a/nodes}, {@code /io}, {@code /dav}, ...): routes under
 * one public prefix of the proxy, over the node's one {@link FilesContext}. Unlike a service's REST face
 * ({@code arca.rest.module.RestModule}), a face belongs to no single service; the node registers the faces apart from
 * its service list.
 */
public interface Face {
  String name();

  /** The proxy prefix the routes live under, without slashes. */
  String prefix();

  /** Routes relative to the prefix, over the shared files context. */
  Route route(FilesContext files);

  /**
   * What {@link #route} serves, as the OpenAPI description must describe it (kept next to the routes); empty for a face
   * that speaks a protocol specified elsewhere (S3, WebDAV).
   */
  List<Endpoint> endpoints();

  /** HTTP methods beyond the standard ones that the routes answer (WebDAV's PROPFIND ...): the server parses them. */
  default List<HttpMethod> extraMethods() {
    return List.of();
  }
}
