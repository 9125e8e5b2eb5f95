package arca.deploy.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

/** A small HTTP client of the public API, as any REST client would use it. */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;

  record Reply(int status, JsonNode json, HttpResponse<String> raw) {
    String text(String field) {
      return json == null || json.get(field) == null ? null : json.get(field).asText();
    }
  }

  /** The base URL requests go to. */
  String base() {
    return base;
  }

  Api(String base) {
    this.base = base;
  }

  Reply send(String method, String path, String token, Object body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
    if (token != null) b.header("Authorization", "Bearer " + token);
    if (body instanceof String raw) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(raw));
    } else if (body != null) {
      b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    return reply(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
  }

  /** A PUT of raw bytes (the /io gateway), Bearer-authenticated. */
  HttpResponse<String> putBytes(String path, String token, byte[] body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token).PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A GET of raw bytes, Bearer-authenticated. */
  HttpResponse<byte[]> getBytes(String path, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60))
        .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  Reply get(String path, String token) throws Exception {
    return send("GET", path, token, null);
  }

  Reply form(String path, Map<String, String> fields) throws Exception {
    String body = fields.entrySet().stream()
        .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    return reply(http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()));
  }

  Reply login(String user, String password) throws Exception {
    return form("/oidc/oauth2/token", Map.of("grant_type", "password", "username", user, "password", password));
  }

  String token(String user, String password) throws Exception {
    Reply r = login(user, password);
    if (r.status() != 200) throw new AssertionError("login of " + user + " failed: " + r.status() + " " + r.raw().body());
    return r.text("access_token");
  }

  private static Reply reply(HttpResponse<String> r) {
    JsonNode json = null;
    try {
      if (!r.body().isEmpty()) json = JSON.readTree(r.body());
    } catch (Exception notJson) {
      // status-only replies
    }
    return new Reply(r.statusCode(), json, r);
  }
}
