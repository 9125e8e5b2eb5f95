package arca.rest.files.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The parts of an HTTP request that an AWS Signature Version 4 covers, as they came over the wire: the path and
 * query still percent-encoded exactly as the client sent them (a signature is over the client's spelling, which a
 * decoded URI no longer shows). Header names are matched without regard to case. The caller must include the
 * headers its HTTP library models apart from the header list (Host, Content-Length, Content-Type), since clients
 * sign them.
 */
public record SigV4Request(String method, String rawPath, String rawQuery, Map<String, List<String>> headers) {
  public SigV4Request {
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(rawPath, "rawPath");
    rawQuery = rawQuery == null ? "" : rawQuery;
    Map<String, List<String>> byLowerName = new TreeMap<>();
    headers.forEach((name, values) ->
        byLowerName.computeIfAbsent(name.toLowerCase(Locale.ROOT), n -> new ArrayList<>()).addAll(values));
    byLowerName.replaceAll((name, values) -> List.copyOf(values));
    headers = Collections.unmodifiableMap(byLowerName);
  }

  /** Every value of a header, in the order received; empty if absent. */
  public List<String> values(String name) { return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of()); }

  /** The first value of a header, trimmed. */
  public Optional<String> header(String name) {
    List<String> vs = values(name);
    return vs.isEmpty() ? Optional.empty() : Optional.of(vs.get(0).trim());
  }
}
