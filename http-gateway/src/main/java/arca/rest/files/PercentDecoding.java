package arca.rest.files;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict percent-decoding of URL parts (the S3 keys of /io, the names of /dav): UTF-8 only, no malformed escape. */
public final class PercentDecoding {
  private PercentDecoding() {}

  /**
   * The decoded text; {@code plusIsSpace}: '+' is a space (query strings), else a plus (paths).
   *
   * @throws IllegalArgumentException on a bad escape or bytes that are not UTF-8
   */
  public static String decode(String raw, boolean plusIsSpace) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%') {
        int hi = i + 1 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
        int lo = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) throw new IllegalArgumentException("bad percent-encoding");
        bytes.write(hi << 4 | lo);
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        bytes.write(' ');
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        int end = Character.isHighSurrogate(c) && i + 1 < raw.length() ? i + 2 : i + 1;
        bytes.writeBytes(raw.substring(i, end).getBytes(StandardCharsets.UTF_8));
        i = end - 1;
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("not UTF-8");
    }
  }
}
