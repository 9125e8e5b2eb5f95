package arca.deploy.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * {@code bench identity}: drives a running node over HTTP with a fixed number of concurrent clients and prints
 * requests/s and latency percentiles of authenticated reads, persisted writes and password logins, next to the
 * same client against GET /healthz measured in the same run (the baseline), with the ratios.
 */
public final class Bench {
  private static final ObjectMapper JSON = new ObjectMapper();

  record Result(String name, long ok, long failed, double seconds, long[] latenciesNanos) {
    double rps() { return ok / seconds; }
    double pct(double p) {
      if (latenciesNanos.length == 0) return Double.NaN;
      return latenciesNanos[Math.min(latenciesNanos.length - 1, (int) Math.ceil(p * latenciesNanos.length) - 1)] / 1e6;
    }
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    String what = args.length > 0 ? args[0] : "identity";
    for (int i = 1; i + 1 < args.length; i += 2) opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    if (!what.equals("identity")) {
      System.err.println("unknown benchmark '" + what + "' (available: identity)");
      System.exit(2);
    }
    String url = opts.getOrDefault("url", "http://127.0.0.1:8080").replaceAll("/+$", "");
    String password = opts.getOrDefault("password", System.getenv().getOrDefault("ARCA_ADMIN_PASSWORD", ""));
    int concurrency = Integer.parseInt(opts.getOrDefault("concurrency", "16"));
    int loginConcurrency = Integer.parseInt(opts.getOrDefault("login-concurrency", "4"));
    Duration duration = Duration.ofSeconds(Long.parseLong(opts.getOrDefault("seconds", "10")));
    new Bench(url, concurrency).identity(password, duration, loginConcurrency);
  }

  private final String url;
  private final int concurrency;
  private final HttpClient http;

  private Bench(String url, int concurrency) {
    this.url = url;
    this.concurrency = concurrency;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .executor(Executors.newFixedThreadPool(4)).connectTimeout(Duration.ofSeconds(5)).build();
  }

  private void identity(String adminPassword, Duration duration, int loginConcurrency) throws Exception {
    String admin = login("admin", adminPassword);
    String user = "bench-" + Long.toHexString(System.nanoTime());
    String userPassword = "bench-password-" + user;
    HttpResponse<String> created = http.send(json("POST", "/a/users", admin,
        Map.of("login", user, "password", userPassword, "displayName", "Bench")), HttpResponse.BodyHandlers.ofString());
    if (created.statusCode() != 201) throw new IllegalStateException("cannot create bench user: " + created.body());
    System.out.printf("benchmark: %s, %d concurrent clients (logins: %d), %d s per phase%n", url, concurrency,
        loginConcurrency, duration.toSeconds());

    // warm-up (JIT, connection pools, entity recovery)
    run("warmup", concurrency, Duration.ofSeconds(3), i -> get("/a/users/" + user, admin));
    List<Result> results = new ArrayList<>();
    results.add(run("GET /healthz (baseline)", concurrency, duration, i -> get("/healthz", null)));
    results.add(run("GET /a/users/{login}", concurrency, duration, i -> get("/a/users/" + user, admin)));
    AtomicLong n = new AtomicLong();
    results.add(run("PATCH /a/users/{login}", concurrency, duration,
        i -> json("PATCH", "/a/users/" + user, admin, Map.of("displayName", "Bench " + n.incrementAndGet()))));
    Result healthzLogin = run("GET /healthz (baseline, login clients)", loginConcurrency, duration, i -> get("/healthz", null));
    results.add(healthzLogin);
    results.add(run("POST /oidc/oauth2/token (password)", loginConcurrency, duration, i -> form("/oidc/oauth2/token",
        Map.of("grant_type", "password", "username", user, "password", userPassword))));

    http.send(HttpRequest.newBuilder(URI.create(url + "/a/users/" + user)).header("Authorization", "Bearer " + admin)
        .DELETE().build(), HttpResponse.BodyHandlers.discarding());

    System.out.printf("%n%-40s %10s %8s %9s %9s %12s%n", "request", "req/s", "errors", "p50 ms", "p99 ms", "vs baseline");
    double base = results.get(0).rps();
    for (Result r : results) {
      double b = r.name().contains("token") || r.name().contains("login clients") ? healthzLogin.rps() : base;
      System.out.printf("%-40s %10.0f %8d %9.2f %9.2f %11.3fx%n", r.name(), r.rps(), r.failed(), r.pct(0.50), r.pct(0.99), r.rps() / b);
    }
    System.out.println("\npassword hashing: Argon2id m=19456 KiB, t=2, p=1 (arca.user.argon2); logins are bound by it.");
  }

  private Result run(String name, int clients, Duration duration, IntFunction<HttpRequest> request) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long end = System.nanoTime() + duration.toNanos();
    List<Future<long[]>> futures = new ArrayList<>();
    AtomicLong failed = new AtomicLong();
    long start = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      futures.add(pool.submit(() -> {
        long[] lat = new long[1024];
        int count = 0;
        int i = 0;
        while (System.nanoTime() < end) {
          HttpRequest req = request.apply(i++);
          long t0 = System.nanoTime();
          try {
            HttpResponse<Void> resp = http.send(req, HttpResponse.BodyHandlers.discarding());
            if (resp.statusCode() >= 300) { failed.incrementAndGet(); continue; }
          } catch (java.io.IOException e) {
            failed.incrementAndGet();
            continue;
          }
          if (count == lat.length) lat = Arrays.copyOf(lat, count * 2);
          lat[count++] = System.nanoTime() - t0;
        }
        return Arrays.copyOf(lat, count);
      }));
    }
    List<long[]> parts = new ArrayList<>();
    for (Future<long[]> f : futures) parts.add(f.get());
    double seconds = (System.nanoTime() - start) / 1e9;
    pool.shutdown();
    long[] all = parts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return new Result(name, all.length, failed.get(), seconds, all);
  }

  private String login(String user, String password) throws Exception {
    HttpResponse<String> r = http.send(form("/oidc/oauth2/token",
        Map.of("grant_type", "password", "username", user, "password", password)), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("login failed (" + r.statusCode() + "): " + r.body());
    return JSON.readTree(r.body()).get("access_token").asText();
  }

  private HttpRequest get(String path, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30)).GET();
    if (token != null) b.header("Authorization", "Bearer " + token);
    return b.build();
  }

  private HttpRequest json(String method, String path, String token, Object body) {
    try {
      return HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private HttpRequest form(String path, Map<String, String> fields) {
    StringBuilder b = new StringBuilder();
    fields.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(k).append('=')
        .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
    return HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(b.toString())).build();
  }

  static JsonNode parse(String body) throws java.io.IOException {
    return JSON.readTree(body);
  }
}
