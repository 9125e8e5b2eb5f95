package arca.deploy;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * The log message ({@code %msg} in logback.xml) with control characters escaped: much of what a node logs came from
 * a client (paths, names, header values, Akka HTTP's report of a malformed request line), and a raw NUL, ESC,
 * carriage return or line feed in it could forge log lines or terminal escapes. One place for every logger:
 * {@code \n}, {@code \r}, {@code \t} and {@code \\u00XX} for the other C0/C1 controls, DEL and the Unicode line and
 * paragraph separators. Stack traces ({@code %ex}) stay multi-line.
 */
public final class EscapedMessage extends MessageConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return escape(super.convert(event));
  }

  static String escape(String text) {
    if (text == null) return null;
    int i = 0;
    while (i < text.length() && !control(text.charAt(i))) i++;
    if (i == text.length()) return text;
    StringBuilder b = new StringBuilder(text.length() + 16).append(text, 0, i);
    for (; i < text.length(); i++) {
      char c = text.charAt(i);
      if (!control(c)) {
        b.append(c);
      } else if (c == '\n') {
        b.append("\\n");
      } else if (c == '\r') {
        b.append("\\r");
      } else if (c == '\t') {
        b.append("\\t");
      } else {
        b.append(String.format("\\u%04x", (int) c));
      }
    }
    return b.toString();
  }

  private static boolean control(char c) {
    return c < 0x20 || c >= 0x7f && c <= 0x9f || c == '\u2028' || c == '\u2029';
  }
}
