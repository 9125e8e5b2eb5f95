package arca.rest.files;

import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.headers.RawHeader;
import akka.http.javadsl.server.Route;
import arca.rest.PercentEncoding;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;

import static akka.http.javadsl.server.Directives.respondWithDefaultHeaders;

/**
 * How user content is served, so that a file can never run script in the API's origin (the origin the web client
 * uses): every answer of the public port carries {@code X-Content-Type-Options: nosniff} (the browser takes the
 * type as given, never guesses HTML) and a sandboxing {@code Content-Security-Policy} (a document rendered from it
 * runs no script, loads nothing, has an opaque origin); a file's bytes are answered with its stored type, but as
 * {@code Content-Disposition: attachment} (a download, never rendered) unless the type is one a browser shows
 * passively (images other than SVG, audio, video, plain text). HTML, SVG, XML, JavaScript, PDF, unknown and missing
 * types are all downloads. Used by {@code /io} (presigned URLs included: they take no response overrides) and
 * {@code /dav}; the public links and the web client's previews are to use it as well.
 */
public final class UserContent {
  /** Like raw.githubusercontent.com: nothing loads, nothing runs, inline styles of a rendered text are kept. */
  public static final String SANDBOX = "sandbox; default-src 'none'; style-src 'unsafe-inline'";
  public static final List<HttpHeader> HEADERS = List.of(
      RawHeader.create("X-Content-Type-Options", "nosniff"), RawHeader.create("Content-Security-Policy", SANDBOX));

  /** Media types a browser renders without running anything (the types of SVG and every other one are not here). */
  private static final Set<String> PASSIVE = Set.of("image/png", "image/jpeg", "image/gif", "image/webp", "image/avif",
      "image/bmp", "image/x-icon", "image/vnd.microsoft.icon", "text/plain");

  private UserContent() {}

  /** The headers above on every answer of {@code inner} that does not set its own (the proxy wraps everything in it). */
  public static Route protect(Supplier<Route> inner) {
    return respondWithDefaultHeaders(HEADERS, inner);
  }

  /** Whether a file of this media type (as stored, parameters allowed) may be shown inline. */
  public static boolean passive(String mediaType) {
    if (mediaType == null) return false;
    int semicolon = mediaType.indexOf(';');
    String type = (semicolon < 0 ? mediaType : mediaType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    return PASSIVE.contains(type) || type.startsWith("audio/") || type.startsWith("video/");
  }

  /** A response carrying the bytes of the file {@code name}: an attachment unless its type is passive. */
  public static HttpResponse serve(HttpResponse response, String name) {
    HttpResponse r = response.addHeaders(HEADERS);
    String type = response.entity().getContentType().toString();
    return passive(type) ? r : r.addHeader(attachment(name));
  }

  /** {@code Content-Disposition: attachment} with the name in ASCII (others replaced) and in UTF-8 (RFC 6266). */
  public static HttpHeader attachment(String name) {
    StringBuilder ascii = new StringBuilder(name.length());
    for (char c : name.toCharArray()) ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '_');
    return RawHeader.create("Content-Disposition",
        "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + PercentEncoding.segment(name));
  }
}
