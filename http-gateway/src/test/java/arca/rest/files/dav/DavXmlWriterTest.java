package arca.rest.files.dav;

import arca.proto.lock.DavLock;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The WebDAV gateway's answers, to the byte: multistatus responses, PROPPATCH results, lock discovery, error bodies. */
class DavXmlWriterTest {
  private static final String PROLOG = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

  @Test
  void propfindResponseSplitsFoundAndMissing() {
    Map<DavName, String> found = new LinkedHashMap<>();
    found.put(DavName.dav("resourcetype"), "<D:collection/>");
    found.put(new DavName("urn:x", "c"), "v");
    StringBuilder b = new StringBuilder();
    DavXmlWriter.response(b, "/dav/w/a&b/", found, List.of(DavName.dav("getetag")));
    assertEquals("<D:response><D:href>/dav/w/a&amp;b/</D:href><D:propstat><D:prop><D:resourcetype><D:collection/>"
        + "</D:resourcetype><c xmlns=\"urn:x\">v</c></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
        + "<D:propstat><D:prop><D:getetag/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>"
        + "</D:response>\n", b.toString());

    StringBuilder empty = new StringBuilder();
    DavXmlWriter.response(empty, "/dav/", Map.of(), List.of());
    assertEquals("<D:response><D:href>/dav/</D:href><D:propstat><D:prop/><D:status>HTTP/1.1 200 OK</D:status>"
        + "</D:propstat></D:response>\n", empty.toString());
  }

  @Test
  void proppatchNamesTheFailedAndTheDependent() {
    assertEquals(PROLOG + "<D:multistatus xmlns:D=\"DAV:\">\n<D:response><D:href>/dav/w/a</D:href><D:propstat><D:prop>"
            + "<D:getetag/></D:prop><D:status>HTTP/1.1 403 Forbidden</D:status></D:propstat><D:propstat><D:prop>"
            + "<color xmlns=\"urn:x\"/></D:prop><D:status>HTTP/1.1 424 Failed Dependency</D:status></D:propstat>"
            + "</D:response>\n</D:multistatus>\n",
        DavXmlWriter.proppatch("/dav/w/a", List.of(DavName.dav("getetag")), "403 Forbidden", List.of(new DavName("urn:x", "color"))));
    assertEquals(PROLOG + "<D:multistatus xmlns:D=\"DAV:\">\n<D:response><D:href>/dav/w/a</D:href><D:propstat><D:prop>"
            + "<color xmlns=\"urn:x\"/></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>\n"
            + "</D:multistatus>\n",
        DavXmlWriter.proppatch("/dav/w/a", List.of(new DavName("urn:x", "color")), "200 OK", List.of()));
  }

  @Test
  void lockDiscoveryShowsTheSecondsLeft() {
    DavLock lock = DavLock.newBuilder().setToken("urn:uuid:1").setExclusive(true).setInfinite(true)
        .setOwnerXml("<owner xmlns=\"DAV:\">me</owner>").setRootHref("/dav/w/f").setExpiresAt(1_000 + 120_500).build();
    assertEquals(PROLOG + "<D:prop xmlns:D=\"DAV:\"><D:lockdiscovery><D:activelock><D:locktype><D:write/></D:locktype>"
        + "<D:lockscope><D:exclusive/></D:lockscope><D:depth>infinity</D:depth><owner xmlns=\"DAV:\">me</owner>"
        + "<D:timeout>Second-120</D:timeout><D:locktoken><D:href>urn:uuid:1</D:href></D:locktoken><D:lockroot><D:href>"
        + "/dav/w/f</D:href></D:lockroot></D:activelock></D:lockdiscovery></D:prop>\n", DavXmlWriter.lockDiscovery(lock, 1_000));
  }

  @Test
  void errorBodiesCarryThePrecondition() {
    assertEquals(PROLOG + "<D:error xmlns:D=\"DAV:\"><D:lock-token-submitted><D:href>/dav/w/a&amp;b</D:href>"
            + "</D:lock-token-submitted><D:responsedescription>locked &lt;here&gt;</D:responsedescription></D:error>\n",
        DavXmlWriter.error(DavXmlWriter.lockTokenSubmitted(List.of("/dav/w/a&b")), "locked <here>"));
  }
}
