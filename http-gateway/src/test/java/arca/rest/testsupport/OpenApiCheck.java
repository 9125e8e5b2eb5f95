package arca.rest.testsupport;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Every exchange of the route tests with {@code /a/}, checked against the OpenAPI description the gateway serves
 * ({@code arca/rest/openapi.json}) with Atlassian's swagger-request-validator: the answer must be one the description
 * gives for that operation and status (its JSON matching the schema; the validator reads an object schema without
 * {@code additionalProperties} as closed, so a renamed or added field fails), and a
 * request the gateway accepted (2xx) must be one the description allows. A request it refused (4xx) is not checked:
 * route tests send malformed input on purpose. A mismatch throws {@link AssertionError}, failing the test.
 * <p>
 * Not checked: the proxy's own rejections of an unknown route or method (a test probing them has no operation), the
 * files of the Swagger UI page under {@code /a/docs/} (static files, not operations; the page itself is described),
 * and the paths outside {@code /a/}. A query parameter given without a value ({@code ?children}) is passed as absent:
 * the validator admits an empty value only for string parameters, whatever {@code allowEmptyValue} says. The node
 * path of {@code /a/nodes/{ws}/{path}} and {@code /a/locks/{ws}/{path}} spans segments, as the description says; the
 * validator matches one segment per parameter, so its segments are folded into one ({@code %2F}) before the check.
 */
public final class OpenApiCheck {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  /** Akka HTTP's text for a request no route matched, which the proxy moves into its JSON error. */
  private static final String NO_ROUTE = "The requested resource could not be found.";
  private static final Pattern NODE_PATH = Pattern.compile("^(/a/(?:nodes|locks)/[^/]+)/(.+)$");
  /**
   * Requests whose JSON body form the gateway accepts but the description leaves out, on purpose: {@code DELETE /a/acls}
   * takes the entry as a body or as query parameters, and only the parameters are described, since a client generated
   * from a DELETE with an optional body sends a body even when given none, which the route refuses.
   */
  private static final Set<String> UNDESCRIBED_BODIES = Set.of("DELETE /a/acls");
  private static final OpenApiInteractionValidator VALIDATOR =
      OpenApiInteractionValidator.createForInlineApiSpecification(description()).build();

  private OpenApiCheck() {}

  /** Checks one exchange; {@code requestBody} and {@code responseBody} may be null or empty. */
  public static void exchange(String method, URI uri, String requestContentType, String requestBody,
                              int status, HttpHeaders responseHeaders, String responseBody) {
    String rawPath = uri.getRawPath();
    if (!rawPath.startsWith("/a/") || rawPath.startsWith("/a/docs/") || isRejection(status, responseBody)) return;
    String path = folded(rawPath);
    Request.Method m = Request.Method.valueOf(method.toUpperCase(Locale.ROOT));
    ValidationReport report = ValidationReport.empty();
    boolean undescribedBody = UNDESCRIBED_BODIES.contains(m + " " + path) && requestBody != null && !requestBody.isEmpty();
    if (status < 300 && !undescribedBody) report = report.merge(VALIDATOR.validateRequest(request(method, path,
        uri.getRawQuery(), requestContentType, requestBody)));
    SimpleResponse.Builder response = SimpleResponse.Builder.status(status);
    responseHeaders.firstValue("Content-Type").ifPresent(response::withContentType);
    if (responseBody != null && !responseBody.isEmpty()) response.withBody(responseBody);
    report = report.merge(VALIDATOR.validateResponse(path, m, response.build()));
    if (report.hasErrors()) {
      throw new AssertionError("the exchange disagrees with openapi.json: " + method + " " + uri.getRawPath()
          + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()) + " -> " + status + " " + shortened(responseBody)
          + "\n"
          + report.getMessages().stream().filter(msg -> msg.getLevel() == ValidationReport.Level.ERROR)
          .map(msg -> "  " + msg.getKey() + ": " + msg.getMessage()).collect(Collectors.joining("\n")));
    }
  }

  private static SimpleRequest request(String method, String path, String rawQuery, String contentType, String body) {
    SimpleRequest.Builder r = new SimpleRequest.Builder(method.toUpperCase(Locale.ROOT), path);
    if (contentType != null) r.withContentType(contentType);
    if (body != null && !body.isEmpty()) r.withBody(body);
    // the tests' requests carry their token; what a missing one gets is the route tests' own matter (a 401)
    r.withAuthorization("Bearer token");
    if (rawQuery != null) {
      for (String pair : rawQuery.split("&")) {
        if (pair.isEmpty()) continue;
        int eq = pair.indexOf('=');
        String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        if (!value.isEmpty()) r.withQueryParam(name, value);
      }
    }
    return r.build();
  }

  private static String shortened(String body) {
    return body == null || body.length() <= 600 ? body : body.substring(0, 600) + "...";
  }

  /** The proxy's answer to a request no route took: a 404 with Akka's text, or a 405. */
  private static boolean isRejection(int status, String body) {
    if (status == 405) return true;
    if (status != 404 || body == null || body.isEmpty()) return false;
    try {
      JsonNode json = MAPPER.readTree(body);
      return NO_ROUTE.equals(json.path("message").asText());
    } catch (IOException e) {
      return false;
    }
  }

  private static String folded(String rawPath) {
    Matcher m = NODE_PATH.matcher(rawPath);
    return m.matches() ? m.group(1) + "/" + URLEncoder.encode(m.group(2), StandardCharsets.UTF_8) : rawPath;
  }

  private static String description() {
    try (InputStream in = OpenApiCheck.class.getResourceAsStream("/arca/rest/openapi.json")) {
      if (in == null) throw new IllegalStateException("arca/rest/openapi.json is missing from the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
