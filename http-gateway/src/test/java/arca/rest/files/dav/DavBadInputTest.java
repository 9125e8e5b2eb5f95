package arca.rest.files.dav;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A Destination (or If resource tag) that is not a URL at all is the client's fault (400), not another server (502). */
class DavBadInputTest {

  @ParameterizedTest
  @ValueSource(strings = {"http://[::1", "http://[::1/dav/w/x", "http://h:1:2:x y/dav/w/x", "http://%zz/dav/w/x"})
  void aMalformedUrlIs400(String url) {
    DavError e = assertThrows(DavError.class, () -> DavPath.parseUrl(url, "h:1"));
    assertEquals(400, e.status.intValue(), e.getMessage());
  }
}
