package arca.rest.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.http.HttpHeaders;
import java.util.Optional;

/** An HTTP response as the tests see it. */
public record Resp(int status, HttpHeaders headers, String body) {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  public Optional<String> header(String name) {
    return headers.firstValue(name);
  }

  public String contentType() {
    return header("Content-Type").orElse("");
  }

  /** The body parsed as JSON (fails the test when it is not JSON). */
  public JsonNode json() {
    try {
      return MAPPER.readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not a JSON body (status " + status + "): " + body, e);
    }
  }

  /** The "error" member of a JSON error body. */
  public String error() {
    return json().path("error").asText();
  }

  /** The "message" member of a JSON error body. */
  public String message() {
    return json().path("message").asText();
  }

  @Override
  public String toString() {
    return status + " " + body;
  }
}
