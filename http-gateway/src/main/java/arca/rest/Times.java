package arca.rest;

import java.time.Instant;

/** Timestamps in JSON are ISO-8601 UTC strings. */
public final class Times {
  private Times() {}

  public static String iso(long epochMillis) {
    return epochMillis <= 0 ? null : Instant.ofEpochMilli(epochMillis).toString();
  }
}
