package arca.rest.files.io;

import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import arca.proto.token.ResolvedAccessKey;
import arca.rest.auth.Authenticator;
import arca.rest.access.Principal;
import arca.rest.gate.PolicyCheck;
import arca.rest.files.io.SigV4Result.Rejected;
import arca.rest.files.io.SigV4Result.Verified;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who sends an {@code /io} request, tried in this order: {@code Authorization: Bearer <jwt>} (the gateway's access
 * tokens), {@code Authorization: AWS4-HMAC-SHA256 ...} (SigV4 in headers) and a presigned URL ({@code X-Amz-*} query
 * parameters), both checked with the secret of the access key the token service resolves. Anything else, anonymous
 * requests included, is AccessDenied. An authenticated request then passes the REST-level policies
 * ({@link PolicyCheck}: resource {@code io:<key>}, {@code io:} on the bucket; action the method), else AccessDenied.
 */
final class S3Auth {
  /** The authenticated caller and, for a SigV4 request, what its signature covers (the payload claim, chunk seed). */
  record Caller(Principal principal, Optional<Verified> signature) {}

  /** Headers Akka HTTP adds itself: never signed by a client. */
  private static final Set<String> SYNTHETIC = Set.of("timeout-access", "raw-request-uri", "remote-address");
  private static final Pattern CREDENTIAL = Pattern.compile("Credential=([^/,\\s]+)/");

  private final Authenticator tokens;
  private final AccessKeyCache keys;
  private final Clock clock;

  S3Auth(Authenticator tokens, AccessKeyCache keys, Clock clock) {
    this.tokens = tokens;
    this.keys = keys;
    this.clock = clock;
  }

  /** The policy gate for one key: completes when the caller may do the action on it, else fails AccessDenied. */
  @FunctionalInterface
  interface KeyPolicy {
    CompletionStage<Void> permit(Principal caller, String action, String key);
  }

  CompletionStage<Void> permit(Principal caller, String action, String key) {
    String resource = PolicyCheck.IO + (key == null ? "" : key);
    return tokens.policies().decide(caller, resource, action).thenAccept(d -> {
      if (!d.allowed()) throw new S3Exception("AccessDenied", action + " " + resource + " is denied by policy: " + d.reason());
    });
  }

  /** Who sends the request, once the policies allow them the request's method on its key. */
  CompletionStage<Caller> authenticate(HttpRequest request, S3Call call) {
    return identify(request, call).thenCompose(caller ->
        permit(caller.principal(), call.method(), call.key()).thenApply(allowed -> caller));
  }

  private CompletionStage<Caller> identify(HttpRequest request, S3Call call) {
    Optional<String> authorization = request.getHeader("Authorization").map(HttpHeader::value);
    if (authorization.isPresent() && authorization.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
      return tokens.verify(authorization.get().substring(7).trim()).thenApply(p -> new Caller(
          p.orElseThrow(() -> new S3Exception("AccessDenied", "The bearer token is invalid, expired or revoked")),
          Optional.empty()));
    }
    if (authorization.isEmpty() && !call.has("X-Amz-Algorithm")) {
      return CompletableFuture.failedFuture(new S3Exception("AccessDenied",
          "Anonymous access is not allowed: sign the request (AWS Signature Version 4) or send a bearer token"));
    }
    Optional<String> keyId = accessKeyId(authorization, call);
    CompletionStage<Optional<AccessKeyCache.Resolved>> key = keyId.isPresent() ? keys.resolve(keyId.get())
        : CompletableFuture.completedFuture(Optional.empty());
    return key.thenApply(k -> verify(request, call, k));
  }

  private Caller verify(HttpRequest request, S3Call call, Optional<AccessKeyCache.Resolved> resolved) {
    Optional<ResolvedAccessKey> key = resolved.map(AccessKeyCache.Resolved::key);
    SigV4 sigV4 = new SigV4(id -> key.filter(k -> k.getAccessKeyId().equals(id))
        .map(k -> new SigV4.Secret(k.getSecretAccessKey())), clock);
    SigV4Result result = null;
    for (Map<String, List<String>> headers : headerSpellings(request)) {
      result = sigV4.verify(new SigV4Request(call.method(), call.rawPath(), call.rawQuery(), headers));
      if (!(result instanceof Rejected r) || !r.code().equals("SignatureDoesNotMatch")) break;
    }
    if (result instanceof Rejected r) throw new S3Exception(r.code(), r.message());
    ResolvedAccessKey k = key.orElseThrow();
    // tokenId carries the access key id: the request is not tied to a session or an expiring token
    return new Caller(new Principal(k.getLogin(), List.copyOf(k.getRolesList()), "", k.getAccessKeyId(), Long.MAX_VALUE,
        k.getUserId(), k.getHome(), resolved.get().resolvedAt()), Optional.of((Verified) result));
  }

  /** The access key id a signature names (header Credential= or X-Amz-Credential), if it can be read. */
  private static Optional<String> accessKeyId(Optional<String> authorization, S3Call call) {
    if (authorization.isPresent()) {
      Matcher m = CREDENTIAL.matcher(authorization.get());
      return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
    return call.param("X-Amz-Credential").filter(c -> c.indexOf('/') > 0).map(c -> c.substring(0, c.indexOf('/')));
  }

  /**
   * The request's headers as the client may have signed them. Akka HTTP keeps Content-Type and Content-Length out
   * of the header list (they are the entity's), and renders Content-Type its own way ({@code charset=UTF-8} where
   * the client may have sent {@code charset=utf-8}, a blank after {@code ;}): the first map holds Akka's rendering,
   * the others the usual spellings of the same type (tried only when the first signature check fails).
   */
  static List<Map<String, List<String>>> headerSpellings(HttpRequest request) {
    Map<String, List<String>> base = new LinkedHashMap<>();
    for (HttpHeader h : request.getHeaders()) {
      if (SYNTHETIC.contains(h.lowercaseName())) continue;
      base.computeIfAbsent(h.name(), n -> new ArrayList<>()).add(h.value());
    }
    request.entity().getContentLengthOption().ifPresent(n -> base.put("Content-Length", List.of(Long.toString(n))));
    if (request.entity().getContentType().equals(ContentTypes.NO_CONTENT_TYPE)) return List.of(base);
    List<Map<String, List<String>>> out = new ArrayList<>();
    for (String spelling : contentTypeSpellings(request.entity().getContentType().toString())) {
      Map<String, List<String>> headers = new LinkedHashMap<>(base);
      headers.put("Content-Type", List.of(spelling));
      out.add(headers);
    }
    return out;
  }

  static Set<String> contentTypeSpellings(String rendered) {
    Set<String> out = new LinkedHashSet<>();
    out.add(rendered);
    String lowerCharset = Pattern.compile("(charset=)([^;]+)", Pattern.CASE_INSENSITIVE).matcher(rendered)
        .replaceAll(m -> m.group(1) + m.group(2).toLowerCase(Locale.ROOT));
    out.add(lowerCharset);
    out.add(rendered.replace("; ", ";"));
    out.add(lowerCharset.replace("; ", ";"));
    return out;
  }
}
