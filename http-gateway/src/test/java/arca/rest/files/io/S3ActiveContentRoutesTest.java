package arca.rest.files.io;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Files served by /io cannot run script in the API's origin: active types are sandboxed attachments, nothing is sniffed. */
class S3ActiveContentRoutesTest {
  static IoGateway gw;
  static String alice;

  @BeforeAll
  static void start() {
    gw = new IoGateway("s3-active-content", true);
    alice = gw.token("alice");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @Test
  void htmlAndSvgAreSandboxedAttachmentsWithTheirStoredType() {
    for (String[] f : new String[][] {{"page.html", "text/html"}, {"image.svg", "image/svg+xml"}, {"raw", ""}}) {
      byte[] body = "<script>alert(1)</script>".getBytes(StandardCharsets.UTF_8);
      IoGateway.Resp put = f[1].isEmpty() ? gw.bearer(alice, "PUT", "/io/common/" + f[0], body)
          : gw.bearer(alice, "PUT", "/io/common/" + f[0], body, "Content-Type", f[1]);
      assertEquals(200, put.status(), put::toString);
      for (String method : new String[] {"GET", "HEAD"}) {
        IoGateway.Resp r = gw.bearer(alice, method, "/io/common/" + f[0], new byte[0]);
        assertEquals(200, r.status(), r::toString);
        if (!f[1].isEmpty()) assertTrue(r.header("Content-Type").orElseThrow().startsWith(f[1]), r.headers()::toString);
        assertEquals("nosniff", r.header("X-Content-Type-Options").orElseThrow());
        assertTrue(r.header("Content-Security-Policy").orElseThrow().startsWith("sandbox;"), r.headers()::toString);
        assertTrue(r.header("Content-Disposition").orElseThrow().startsWith("attachment; filename=\"" + f[0] + "\""),
            r.headers()::toString);
      }
    }
  }

  @Test
  void imagesStayInlineAndErrorsAreNotSniffed() {
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/dot.png", new byte[] {1, 2}, "Content-Type", "image/png").status());
    IoGateway.Resp png = gw.bearer(alice, "GET", "/io/common/dot.png", new byte[0]);
    assertTrue(png.header("Content-Disposition").isEmpty(), png.headers()::toString);
    assertEquals("nosniff", png.header("X-Content-Type-Options").orElseThrow());
    IoGateway.Resp missing = gw.bearer(alice, "GET", "/io/common/missing.html", new byte[0]);
    assertEquals(404, missing.status());
    assertEquals("nosniff", missing.header("X-Content-Type-Options").orElseThrow());
  }
}
