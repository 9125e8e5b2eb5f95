package arca.deploy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client text in a log message cannot forge lines or terminal escapes: control characters are escaped. */
class EscapedMessageTest {

  @Test
  void controlCharactersAreEscaped() {
    assertEquals("GET /a\\u0000\\u001b[31mred\\r\\nforged INFO line\\t\\u007f\\u0085\\u2028",
        EscapedMessage.escape("GET /a\u0000\u001b[31mred\r\nforged INFO line\t\u007f\u0085\u2028"));
    assertEquals("plain text, é and 文 stay", EscapedMessage.escape("plain text, é and 文 stay"));
  }

  @Test
  void theConverterEscapesTheFormattedMessageWithItsArguments() {
    Logger logger = new LoggerContext().getLogger("test");
    LoggingEvent event = new LoggingEvent("fqcn", logger, Level.INFO, "client sent {}", null, new Object[] {"a\u0000b\nc"});
    EscapedMessage converter = new EscapedMessage();
    assertEquals("client sent a\\u0000b\\nc", converter.convert(event));
  }

  @Test
  void theNodesLogbackConfigurationUsesIt() throws Exception {
    try (var in = EscapedMessageTest.class.getResourceAsStream("/logback.xml")) {
      String xml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(xml.contains("conversionWord=\"msg\" converterClass=\"arca.deploy.EscapedMessage\""), xml);
    }
  }
}
