package arca.rest.proxy;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.server.Route;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import static akka.http.javadsl.server.Directives.complete;
import static akka.http.javadsl.server.Directives.get;

/** The OpenAPI 3 description of the public JSON API ({@code /a/openapi.json}), served as written in the sources. */
final class OpenApi {
  private OpenApi() {}

  static final String RESOURCE = "/arca/rest/openapi.json";

  static Route route() {
    byte[] document;
    try (InputStream in = OpenApi.class.getResourceAsStream(RESOURCE)) {
      if (in == null) throw new IllegalStateException(RESOURCE + " is missing from the gateway's classpath");
      document = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpResponse response = HttpResponse.create().withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, document));
    return get(() -> complete(response));
  }
}
