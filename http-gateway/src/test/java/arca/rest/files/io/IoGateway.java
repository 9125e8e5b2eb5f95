package arca.rest.files.io;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import arca.proto.token.CreateAccessKeyRequest;
import arca.proto.token.CreatedAccessKey;
import arca.grpc.Clients;
import arca.rest.files.nodes.NodesRoutes;
import arca.rest.gate.PolicyAccess;
import arca.rest.module.RestContext;
import arca.rest.auth.AuthCache;
import arca.rest.auth.Authenticator;
import arca.rest.files.Blobs;
import arca.rest.files.FileAccess;
import arca.rest.proxy.Proxy;
import arca.rest.testsupport.FakeObjectsService;
import arca.rest.testsupport.FakePolicyService;
import arca.rest.testsupport.FakeTokenService;
import arca.rest.testsupport.FakeTreeService;
import arca.rest.testsupport.FakeWorkspaceService;
import arca.rest.testsupport.Jwt;
import arca.rest.testsupport.OpenApiCheck;
import arca.rest.testsupport.OpenPermissions;
import arca.rest.testsupport.TestGateway;
import com.typesafe.config.ConfigFactory;
import java.net.http.HttpHeaders;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4FamilyHttpSigner.AuthLocation;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The /io gateway as production wires it (the proxy's route table with {@link S3Routes} under "io", the
 * Authenticator, the HTTP settings the gateway needs: Raw-Request-URI on unless asked otherwise, no warning per
 * SigV4 Authorization header), over in-memory tree, objects, workspace and token services, bound on a free loopback
 * port. Sends
 * requests with a Bearer token, signed by the AWS SDK v2 SigV4 signer, or presigned by it, and reads S3 answers.
 */
final class IoGateway implements AutoCloseable {
  /** An access key as the token service hands it out. */
  record Key(String id, String secret) {}

  /** An answer: status, headers, body. */
  record Resp(int status, HttpHeaders headers, byte[] body) {
    String text() { return new String(body, StandardCharsets.UTF_8); }

    Optional<String> header(String name) { return headers.firstValue(name); }

    /** The S3 error code of an error document ("" when there is none). */
    String code() { return first("Code"); }

    /** The text of the first element with this name ("" when absent). */
    String first(String element) {
      Matcher m = Pattern.compile("<" + element + ">(.*?)</" + element + ">", Pattern.DOTALL).matcher(text());
      return m.find() ? m.group(1) : "";
    }

    /** The texts of every element with this name, in order. */
    List<String> all(String element) {
      return Pattern.compile("<" + element + ">(.*?)</" + element + ">", Pattern.DOTALL).matcher(text()).results()
          .map(r -> r.group(1)).toList();
    }

    @Override public String toString() { return status + " " + text(); }
  }

  private static final Set<String> NOT_SETTABLE = Set.of("host", "content-length", "expect", "connection");

  final ActorSystem<Void> system;
  final Path dir;
  final AuthCache cache;
  final Jwt jwt = new Jwt(Jwt.signingKey(), TestGateway.ISSUER);
  final FakeTokenService tokens = new FakeTokenService(jwt);
  final FakeWorkspaceService workspaces = new FakeWorkspaceService();
  final FakeTreeService tree = new FakeTreeService();
  /** Allow-all until a test adds a deny (read on every request). */
  final FakePolicyService policies = new FakePolicyService();
  /** The ACLs: users read and write {@code common} but the paths a test denies them. */
  final OpenPermissions permissions = new OpenPermissions();
  final FakeObjectsService objects;
  final int port;
  final String base;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  /** @param rawRequestUri whether Akka HTTP adds the Raw-Request-URI header (the recommended setting) */
  IoGateway(String name, boolean rawRequestUri) {
    try {
      dir = Files.createTempDirectory("arca-io-" + name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    system = ActorSystem.create(Behaviors.empty(), name, ConfigFactory.parseString(
        "akka.http.server.raw-request-uri-header = " + (rawRequestUri ? "on" : "off") + "\n"
            + "akka.http.server.parsing.ignore-illegal-header-for = [\"authorization\"]").withFallback(TestGateway.config()));
    cache = AuthCache.open(dir.resolve("cache").resolve("auth-cache.cm"));
    objects = new FakeObjectsService(system);
    Authenticator auth = new Authenticator(tokens, cache, TestGateway.ISSUER,
        new PolicyAccess(policies, Duration.ZERO, System::nanoTime));
    FileAccess access = new FileAccess(workspaces, tree, permissions, auth.policies());
    Blobs blobs = new Blobs(ds -> objects);
    var module = TestGateway.module("io", "io",
        () -> S3Routes.routes(system, auth, tokens, access, tree, blobs, Clock.systemUTC()));
    // /a/nodes and /a/trash over the same files, so that tests compare the faces
    var nodes = TestGateway.module("tree", "a", () -> NodesRoutes.routes(auth, tree, access, blobs));
    var route = Proxy.route(new RestContext(system, auth, Clients.NONE), List.of(module, nodes), () -> true);
    try {
      ServerBinding b = Http.get(system).newServerAt("127.0.0.1", 0).bind(route).toCompletableFuture().get(10, TimeUnit.SECONDS);
      port = b.localAddress().getPort();
    } catch (Exception e) {
      throw new IllegalStateException("cannot bind", e);
    }
    base = "http://127.0.0.1:" + port;
  }

  Key accessKey(String login) {
    CreatedAccessKey k = tokens.createAccessKey(CreateAccessKeyRequest.newBuilder().setLogin(login).setLabel("test").build())
        .toCompletableFuture().join();
    return new Key(k.getAccessKeyId(), k.getSecretAccessKey());
  }

  String token(String login, String... roles) {
    return jwt.token(login, roles);
  }

  /** A request with a bearer token (or none when {@code token} is null); {@code headers} are name, value pairs. */
  Resp bearer(String token, String method, String target, byte[] body, String... headers) {
    HttpRequest.Builder r = request(method, target, body);
    if (token != null) r.header("Authorization", "Bearer " + token);
    String contentType = null;
    for (int i = 0; i + 1 < headers.length; i += 2) {
      r.header(headers[i], headers[i + 1]);
      if (headers[i].equalsIgnoreCase("Content-Type")) contentType = headers[i + 1];
    }
    Resp resp = send(r.build());
    OpenApiCheck.exchange(method, URI.create(base + target), contentType, new String(body, StandardCharsets.UTF_8),
        resp.status(), resp.headers(), resp.text());
    return resp;
  }

  /**
   * A request signed by the AWS SDK's signer with S3's settings; {@code payloadSigned}: the body's SHA-256 in
   * x-amz-content-sha256, else UNSIGNED-PAYLOAD; {@code chunked}: an aws-chunked body with signed chunks.
   */
  Resp signed(Key key, String method, String encodedPath, Map<String, List<String>> query, Map<String, String> headers,
              byte[] body, boolean payloadSigned, boolean chunked) {
    SdkHttpRequest.Builder b = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).protocol("http")
        .host("127.0.0.1").port(port).encodedPath(encodedPath);
    query.forEach(b::putRawQueryParameter);
    headers.forEach(b::putHeader);
    if (body.length > 0 || chunked) b.putHeader("Content-Length", Integer.toString(body.length));
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(key.id(), key.secret()))
        .request(b.build())
        .payload(ContentStreamProvider.fromByteArray(body))
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
        .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
        .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, payloadSigned || chunked)
        .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, chunked));
    byte[] wire = signed.payload().map(IoGateway::readAll).orElse(new byte[0]);
    SdkHttpRequest s = signed.request();
    HttpRequest.Builder r = request(method, s.encodedPath() + s.encodedQueryParameters().map(q -> "?" + q).orElse(""), wire);
    s.headers().forEach((name, values) -> {
      if (!NOT_SETTABLE.contains(name.toLowerCase(Locale.ROOT))) values.forEach(v -> r.header(name, v));
    });
    return send(r.build());
  }

  Resp signed(Key key, String method, String encodedPath, byte[] body) {
    return signed(key, method, encodedPath, Map.of(), Map.of(), body, true, false);
  }

  /** A presigned URL's path and query, as the SDK makes it. */
  String presign(Key key, String method, String encodedPath, Duration expires) {
    SdkHttpRequest request = SdkHttpRequest.builder().method(SdkHttpMethod.fromValue(method)).protocol("http")
        .host("127.0.0.1").port(port).encodedPath(encodedPath).build();
    SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
        .identity(AwsCredentialsIdentity.create(key.id(), key.secret()))
        .request(request)
        .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
        .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
        .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
        .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
        .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
        .putProperty(AwsV4HttpSigner.AUTH_LOCATION, AuthLocation.QUERY_STRING)
        .putProperty(AwsV4HttpSigner.EXPIRATION_DURATION, expires));
    return signed.request().encodedPath() + "?" + signed.request().encodedQueryParameters().orElseThrow();
  }

  HttpRequest.Builder request(String method, String target, byte[] body) {
    return HttpRequest.newBuilder(URI.create(base + target)).timeout(Duration.ofSeconds(20))
        .method(method, body.length == 0 ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
  }

  Resp send(HttpRequest request) {
    try {
      HttpResponse<byte[]> r = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
      return new Resp(r.statusCode(), r.headers(), r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static byte[] readAll(ContentStreamProvider p) {
    try (InputStream in = p.newStream()) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    cache.close();
    TestGateway.deleteTree(dir);
  }
}
