package arca.rest.proxy;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.Route;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Properties;

import static akka.http.javadsl.server.Directives.*;

/**
 * The readable API page, {@code /a/docs}: Swagger UI over {@code /a/openapi.json}, its files served from the
 * swagger-ui WebJar on the classpath (never a CDN). The page and its start script are ours
 * ({@code arca/rest/docs/}); the script is a file, so the page's Content-Security-Policy allows no inline script.
 */
final class ApiDocs {
  private ApiDocs() {}

  static final String PAGE = "arca/rest/docs/index.html";
  static final String INIT = "arca/rest/docs/init.js";
  /** Where the WebJar keeps Swagger UI's files: {@code META-INF/resources/webjars/swagger-ui/<version>}. */
  static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/" + version();

  /** Swagger UI styles itself with inline style attributes; its scripts and everything else come from this node. */
  private static final List<HttpHeader> HEADERS = List.of(
      RawHeader.create("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
          + " img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
      RawHeader.create("X-Content-Type-Options", "nosniff"),
      RawHeader.create("Referrer-Policy", "no-referrer"));

  /** The routes under {@code /a/docs}. */
  static Route route() {
    return get(() -> respondWithHeaders(HEADERS, () -> concat(
        pathEndOrSingleSlash(() -> getFromResource(PAGE)),
        path("init.js", () -> getFromResource(INIT)),
        pathPrefix("ui", () -> getFromResourceDirectory(WEBJAR)))));
  }

  private static String version() {
    Properties p = new Properties();
    try (InputStream in = ApiDocs.class.getResourceAsStream("/arca/rest/docs/webjar.properties")) {
      if (in == null) throw new IllegalStateException("arca/rest/docs/webjar.properties is missing from the gateway's classpath");
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return p.getProperty("swagger-ui.version");
  }
}
