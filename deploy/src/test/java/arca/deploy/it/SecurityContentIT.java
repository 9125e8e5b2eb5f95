package arca.deploy.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;
import software.amazon.awssdk.services.s3.presigner.model.GetObjectPresignRequest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * User content cannot run script in the API's origin (issue 11, item 8): HTML, SVG and other active files uploaded
 * through {@code /io} and {@code /dav} are answered, on every face that serves bytes ({@code /io} GET and HEAD, a
 * presigned GET, {@code /dav} GET and HEAD; {@code /a} serves none), with their stored type, {@code nosniff}, a
 * sandboxing CSP and {@code Content-Disposition: attachment}; a PNG stays inline; JSON and error answers carry
 * {@code nosniff} and the CSP too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityContentIT {
  private static final String SCRIPT_HTML = "<html><body><script>fetch('/a/users').then(r=>r.text()).then(alert)</script></body></html>";
  private static final String SCRIPT_SVG = "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.domain)</script></svg>";
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private Api api;
  private String login;
  private String token;
  private String keyId;
  private String secret;

  @BeforeAll
  void user() throws Exception {
    api = SharedNode.api();
    String admin = api.token("admin", SharedNode.ADMIN_PASSWORD);
    login = SharedNode.newLogin("content");
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", login, "password", "content-pass-1")));
    token = api.token(login, "content-pass-1");
    Api.Reply key = api.send("POST", "/a/access-keys", token, Map.of("label", "content"));
    assertStatus(201, key);
    keyId = key.text("accessKeyId");
    secret = key.text("secretAccessKey");
  }

  private record Upload(String name, String type, String body) {}

  private static final List<Upload> ACTIVE = List.of(
      new Upload("page.html", "text/html", SCRIPT_HTML),
      new Upload("image.svg", "image/svg+xml", SCRIPT_SVG),
      new Upload("page.xhtml", "application/xhtml+xml", SCRIPT_HTML),
      new Upload("data.xml", "text/xml", SCRIPT_SVG),
      new Upload("code.js", "text/javascript", "alert(1)"),
      new Upload("untyped", "", SCRIPT_HTML));

  @Test
  void activeFilesUploadedThroughIoAreServedAsSandboxedAttachmentsOnEveryFace() throws Exception {
    for (Upload u : ACTIVE) {
      String path = "personal/io-" + u.name();
      HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(api.base() + "/io/" + path))
          .header("Authorization", "Bearer " + token).PUT(HttpRequest.BodyPublishers.ofString(u.body()));
      if (!u.type().isEmpty()) put.header("Content-Type", u.type());
      assertEquals(200, http.send(put.build(), HttpResponse.BodyHandlers.ofString()).statusCode(), u.name());
      assertServedSafely(path, u);
    }
  }

  @Test
  void activeFilesUploadedThroughDavAreServedAsSandboxedAttachmentsOnEveryFace() throws Exception {
    for (Upload u : ACTIVE) {
      String path = "personal/dav-" + u.name();
      HttpRequest.Builder put = HttpRequest.newBuilder(URI.create(api.base() + "/dav/" + path))
          .header("Authorization", basic()).PUT(HttpRequest.BodyPublishers.ofString(u.body()));
      if (!u.type().isEmpty()) put.header("Content-Type", u.type());
      assertEquals(201, http.send(put.build(), HttpResponse.BodyHandlers.ofString()).statusCode(), u.name());
      assertServedSafely(path, u);
    }
  }

  @Test
  void passiveImagesStayInlineButAreNotSniffed() throws Exception {
    byte[] png = Base64.getDecoder().decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
    assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(api.base() + "/io/personal/dot.png"))
        .header("Authorization", "Bearer " + token).header("Content-Type", "image/png")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(png)).build(), HttpResponse.BodyHandlers.ofString()).statusCode());
    for (HttpResponse<byte[]> r : List.of(get("/io/personal/dot.png", "Bearer " + token), get("/dav/personal/dot.png", basic()))) {
      assertEquals(200, r.statusCode());
      assertEquals("image/png", r.headers().firstValue("Content-Type").orElse(""));
      assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""));
      assertFalse(r.headers().firstValue("Content-Disposition").orElse("").startsWith("attachment"), r.headers().toString());
    }
  }

  @Test
  void jsonAndErrorAnswersAreNotSniffedEither() throws Exception {
    for (HttpResponse<byte[]> r : List.of(get("/a/nodes", "Bearer " + token), get("/a/nodes/personal/missing", "Bearer " + token),
        get("/io/personal/missing", "Bearer " + token), get("/dav/personal/missing", basic()), get("/nothing-here", ""),
        get("/healthz", ""))) {
      assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), r.uri() + " " + r.headers());
      assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").contains("sandbox"), r.uri() + " " + r.headers());
    }
  }

  private void assertServedSafely(String path, Upload u) throws Exception {
    String expectedType = u.type().isEmpty() ? null : u.type();
    List<HttpResponse<byte[]>> answers = List.of(
        get("/io/" + path, "Bearer " + token),
        head("/io/" + path, "Bearer " + token),
        http.send(HttpRequest.newBuilder(presigned(path)).build(), HttpResponse.BodyHandlers.ofByteArray()),
        get("/dav/" + path, basic()),
        head("/dav/" + path, basic()));
    for (HttpResponse<byte[]> r : answers) {
      String where = r.request().method() + " " + r.uri().getPath() + ": " + r.headers().map();
      assertEquals(200, r.statusCode(), where);
      if (r.request().method().equals("GET")) assertEquals(u.body(), new String(r.body(), StandardCharsets.UTF_8), where);
      if (expectedType != null) assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith(expectedType), where);
      assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(""), where);
      String csp = r.headers().firstValue("Content-Security-Policy").orElse("");
      assertTrue(csp.contains("sandbox") && csp.contains("default-src 'none'"), where);
      String disposition = r.headers().firstValue("Content-Disposition").orElse("");
      assertTrue(disposition.startsWith("attachment") && disposition.contains(u.name()), where);
    }
  }

  private HttpResponse<byte[]> get(String path, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base() + path)).GET();
    if (!authorization.isEmpty()) b.header("Authorization", authorization);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private HttpResponse<byte[]> head(String path, String authorization) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(api.base() + path)).method("HEAD", HttpRequest.BodyPublishers.noBody())
        .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private String basic() {
    return "Basic " + Base64.getEncoder().encodeToString((login + ":" + secret).getBytes(StandardCharsets.UTF_8));
  }

  /** A presigned GET of bucket io, key {@code path}, signed by the user's access key (the AWS SDK's presigner). */
  private URI presigned(String path) throws Exception {
    try (S3Presigner presigner = S3Presigner.builder().region(Region.US_EAST_1).endpointOverride(URI.create(api.base()))
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(keyId, secret)))
        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
      return presigner.presignGetObject(GetObjectPresignRequest.builder().signatureDuration(Duration.ofMinutes(5))
          .getObjectRequest(GetObjectRequest.builder().bucket("io").key(path).build()).build()).url().toURI();
    }
  }
}
