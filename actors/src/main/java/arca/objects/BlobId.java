package arca.objects;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The name of a blob: a random UUID chosen by the server, in its canonical lower-case form. Every id that comes
 * from a caller is checked against that exact form, so an id can never name a path outside its datasource.
 */
public record BlobId(String value) {
  private static final Pattern FORM = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  public BlobId {
    if (value == null || !FORM.matcher(value).matches()) {
      throw BlobException.invalid("a blob id is a lower-case UUID (8-4-4-4-12 hex digits)");
    }
  }

  public static BlobId random() {
    return new BlobId(UUID.randomUUID().toString());
  }

  @Override
  public String toString() {
    return value;
  }
}
