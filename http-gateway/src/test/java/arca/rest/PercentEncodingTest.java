package arca.rest;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Path parts of URLs the gateway builds (Location headers, WebDAV hrefs) are valid whatever the names hold. */
class PercentEncodingTest {

  @Test
  void segmentsEscapeWhatIsNotAPathCharacter() {
    assertEquals("My%20Docs", PercentEncoding.segment("My Docs"));
    assertEquals("Caf%C3%A9", PercentEncoding.segment("Café"));
    assertEquals("a%2Fb%3Fc%23d%25e", PercentEncoding.segment("a/b?c#d%e"));
    assertEquals("%E6%96%87", PercentEncoding.segment("文"));
    assertEquals("keep-._~!$'()*,;=:@", PercentEncoding.segment("keep-._~!$'()*,;=:@"));
  }

  @Test
  void pathsKeepTheirSlashes() {
    assertEquals("common/My%20Docs/%C3%A9t%C3%A9", PercentEncoding.path("common/My Docs/été"));
    assertEquals("", PercentEncoding.path(""));
  }

  @Test
  void aLocationHeaderParsesForAnyName() {
    assertEquals("/a/nodes/common/My%20Docs/a%23b", PercentEncoding.location("/a/nodes/", "common/My Docs/a#b").value());
    assertEquals("/a/nodes/personal/%E2%80%A8x", PercentEncoding.location("/a/nodes/", "personal/\u2028x").value());
  }
}
