package arca.rest.files.io;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A single byte range of an object ({@code first} to {@code last}, inclusive), from a Range header as S3 reads it:
 * {@code bytes=a-b} (b past the end is cut to the end), {@code bytes=a-}, {@code bytes=-n} (the last n bytes). A
 * header in any other form, several ranges included, is ignored (the whole object is served); a range that starts
 * past the end, or a suffix of 0 bytes, is InvalidRange (416).
 */
record S3Range(long first, long last, long size) {
  private static final Pattern RANGE = Pattern.compile("bytes=(\\d{0,19})-(\\d{0,19})");

  long length() { return last - first + 1; }

  String contentRange() { return "bytes " + first + "-" + last + "/" + size; }

  static Optional<S3Range> parse(Optional<String> header, long size) {
    if (header.isEmpty()) return Optional.empty();
    Matcher m = RANGE.matcher(header.get().trim());
    if (!m.matches() || m.group(1).isEmpty() && m.group(2).isEmpty()) return Optional.empty();
    long first;
    long last;
    try {
      if (m.group(1).isEmpty()) {
        long suffix = Long.parseLong(m.group(2));
        if (suffix == 0 || size == 0) throw unsatisfiable();
        first = Math.max(0, size - suffix);
        last = size - 1;
      } else {
        first = Long.parseLong(m.group(1));
        last = m.group(2).isEmpty() ? Long.MAX_VALUE : Long.parseLong(m.group(2));
        if (last < first) return Optional.empty();
        if (first >= size) throw unsatisfiable();
        last = Math.min(last, size - 1);
      }
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.of(new S3Range(first, last, size));
  }

  private static S3Exception unsatisfiable() {
    return new S3Exception("InvalidRange", "The requested range is not satisfiable");
  }
}
