package arca.rest;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.server.Route;
import arca.rest.access.Principal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import static akka.http.javadsl.server.Directives.optionalHeaderValueByName;

/**
 * The request id of a write, sent with it to the service so that it applies once: the gateway's retry of a call
 * that went unanswered (a shard handed off, a node stopping) and a client's resend with the same
 * {@code Idempotency-Key} both find the write done and get its answer. The key is scoped to the caller (the id is a
 * hash of login and key), so two users' keys never meet.
 *
 * <p>Without a key, the proxy's {@code X-Request-Id} (nginx's {@code $request_id}, the same on each node it tries)
 * stands in for one, also scoped: a write nginx passes to the next node after the first closed the connection then
 * applies once. Without either, each request gets a fresh id.
 */
public final class RequestIds {
  public static final String HEADER = "Idempotency-Key";
  public static final String PROXY_HEADER = "X-Request-Id";
  private static final int MAX_KEY = 255;

  private RequestIds() {}

  public static Route of(Principal caller, Function<String, Route> inner) {
    return optionalHeaderValueByName(HEADER, key -> {
      if (key.isEmpty()) return optionalHeaderValueByName(PROXY_HEADER, proxy -> inner.apply(
          proxy.filter(RequestIds::valid).map(p -> scoped(caller.login(), "proxy\n" + p)).orElseGet(RequestIds::fresh)));
      String k = key.get();
      if (!valid(k)) {
        return Json.fail(ApiError.badRequest(HEADER + " must be 1-" + MAX_KEY + " printable ASCII characters"));
      }
      return inner.apply(scoped(caller.login(), k));
    });
  }

  private static boolean valid(String k) {
    return !k.isEmpty() && k.length() <= MAX_KEY && k.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
  }

  /**
   * The request id of a request, as {@link #of(Principal, Function)} gives it, for code that is not a route (the
   * WebDAV handler): 400 ({@link ApiError}) for a malformed {@code Idempotency-Key}.
   */
  public static String of(HttpRequest request, Principal caller) {
    Optional<String> key = request.getHeader(HEADER).map(HttpHeader::value);
    if (key.isPresent()) {
      if (!valid(key.get())) throw ApiError.badRequest(HEADER + " must be 1-" + MAX_KEY + " printable ASCII characters");
      return scoped(caller.login(), key.get());
    }
    return request.getHeader(PROXY_HEADER).map(HttpHeader::value).filter(RequestIds::valid)
        .map(p -> scoped(caller.login(), "proxy\n" + p)).orElseGet(RequestIds::fresh);
  }

  /**
   * The id of one of several writes a request makes (a WebDAV MOVE that first trashes what it overwrites): each
   * gets its own id, the same every time the request is resent. Short and plain ASCII whatever {@code part} holds.
   */
  public static String derived(String requestId, String part) {
    return "d-" + scoped(requestId, part).substring(2);
  }

  /** A new id, for a request without a key (it still lets the gateway retry its own call safely). */
  public static String fresh() {
    return UUID.randomUUID().toString();
  }

  static String scoped(String login, String key) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest((login + "\n" + key).getBytes(StandardCharsets.UTF_8));
      return "k-" + Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
