package arca.rest.files.io;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Malformed input on /io that the bad-input corpus found answered 2xx: now S3's 400 errors. */
class S3BadInputRoutesTest {
  static IoGateway gw;
  static String alice;

  @BeforeAll
  static void start() {
    gw = new IoGateway("s3-bad-input", true);
    alice = gw.token("alice");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @Test
  void aMalformedPayloadHashOnABearerUploadIsInvalidArgument() {
    byte[] body = "x".getBytes(StandardCharsets.UTF_8);
    IoGateway.Resp bad = gw.bearer(alice, "PUT", "/io/common/sha.bin", body, "x-amz-content-sha256", "zz");
    assertEquals(400, bad.status(), bad::toString);
    assertEquals("InvalidArgument", bad.code());
    assertEquals(404, gw.bearer(alice, "GET", "/io/common/sha.bin", new byte[0]).status(), "nothing stored");
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/sha.bin", body, "x-amz-content-sha256", "UNSIGNED-PAYLOAD").status());
  }
}
