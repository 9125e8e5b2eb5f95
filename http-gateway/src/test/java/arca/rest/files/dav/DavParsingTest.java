package arca.rest.files.dav;

import akka.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The WebDAV gateway's parsers: URLs, the If header, XML bodies, Range and Timeout headers. */
class DavParsingTest {

  // ---------------------------------------------------------------- paths

  @Test
  void pathsDecodeAndRenderBack() {
    assertEquals(DavPath.TOP, DavPath.parse("/dav"));
    assertEquals(DavPath.TOP, DavPath.parse("/dav/"));
    DavPath p = DavPath.parse("/dav/common/My%20Docs/a+b%C3%A9.txt");
    assertEquals("common", p.workspace());
    assertEquals("My Docs/a+bé.txt", p.path());
    assertEquals("/dav/common/My%20Docs/a%2Bb%C3%A9.txt", p.href(false));
    assertEquals("/dav/common/My%20Docs/", p.parent().href(true));
    assertEquals(new DavPath("common", ""), DavPath.parse("/dav/common/"));
    assertEquals("/dav/common/", new DavPath("common", "").href(true));
    assertEquals("/dav/", DavPath.TOP.href(true));
    assertTrue(new DavPath("w", "a").contains(new DavPath("w", "a/b")));
    assertFalse(new DavPath("w", "a").contains(new DavPath("w", "ab")));
    assertEquals("%23x%25", DavPath.encode("#x%"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/dav/w/a/../b", "/dav/w/a//b", "/dav/w/%00x", "/dav/w/%zz", "/dav/w/%C3", "/davx", "/other"})
  void badPathsAre400(String raw) {
    DavError e = assertThrows(DavError.class, () -> DavPath.parse(raw));
    assertEquals(400, e.status.intValue(), e::getMessage);
  }

  @Test
  void destinationsOfThisServerOnly() {
    assertEquals(Optional.of(new DavPath("w", "x/y")), DavPath.parseUrl("http://h:1/dav/w/x/y", "h:1"));
    assertEquals(Optional.of(new DavPath("w", "x")), DavPath.parseUrl("/dav/w/x/", "h:1"));
    assertEquals(Optional.empty(), DavPath.parseUrl("http://other:2/dav/w/x", "h:1"));
    assertEquals(Optional.empty(), DavPath.parseUrl("http://h:1/io/w/x", "h:1"));
  }

  // ---------------------------------------------------------------- If

  static final String T1 = "urn:uuid:11111111-1111-1111-1111-111111111111";
  static final String T2 = "urn:uuid:22222222-2222-2222-2222-222222222222";

  @Test
  void ifHeaderListsAndConditions() {
    DavIf h = DavIf.parse(Optional.of("(<" + T1 + "> [\"e1\"]) (Not <DAV:no-lock> [\"e1\"])"), "h");
    assertEquals(2, h.lists().size());
    assertEquals(Set.of(T1), h.submitted());
    DavIf.State locked = new DavIf.State("\"e1\"", Set.of(T1));
    assertTrue(h.holds(p -> locked));
    assertTrue(h.holds(p -> new DavIf.State("\"e1\"", Set.of())), "the second list: no lock token needed");
    assertFalse(h.holds(p -> new DavIf.State("\"e2\"", Set.of(T1))), "wrong entity tag in both lists");
    assertFalse(DavIf.parse(Optional.of("(<DAV:no-lock>)"), "h").holds(p -> locked), "DAV:no-lock never matches");
    assertTrue(DavIf.parse(Optional.of("(Not <" + T2 + ">)"), "h").holds(p -> locked));
    assertTrue(DavIf.parse(Optional.of("(Not <" + T2 + ">)"), "h").submitted().isEmpty(), "a negated token is not submitted");
    assertFalse(DavIf.ABSENT.present());
    assertTrue(DavIf.ABSENT.holds(p -> DavIf.State.NONE));
  }

  @Test
  void taggedListsApplyToTheirResource() {
    DavIf h = DavIf.parse(Optional.of("<http://h/dav/w/a> (<" + T1 + ">) <http://h/dav/w/b> ([\"e\"])"), "h");
    assertEquals(Set.of(new DavPath("w", "a"), new DavPath("w", "b")), h.tagged());
    Map<DavPath, DavIf.State> states = Map.of(new DavPath("w", "a"), new DavIf.State(null, Set.of()),
        new DavPath("w", "b"), new DavIf.State("\"e\"", Set.of()));
    assertTrue(h.holds(p -> states.get(p.orElseThrow())), "b's list holds");
    DavIf foreign = DavIf.parse(Optional.of("<http://elsewhere/dav/w/a> (<" + T1 + ">)"), "h");
    assertFalse(foreign.holds(p -> new DavIf.State(null, Set.of(T1))), "a resource of another server never matches");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "<" + T1 + ">", "(<" + T1 + ">", "()", "(x)", "(Not)", "([\"e\")", "(<a>) <http://h/dav/w>"})
  void malformedIfHeadersAre400(String header) {
    assertEquals(400, assertThrows(DavError.class, () -> DavIf.parse(Optional.of(header), "h")).status.intValue());
  }

  // ---------------------------------------------------------------- XML

  static ByteString xml(String s) {
    return ByteString.fromString(s);
  }

  @Test
  void propfindBodies() {
    assertInstanceOf(DavXmlParser.AllProp.class, DavXmlParser.propfind(ByteString.emptyByteString()));
    assertInstanceOf(DavXmlParser.PropNames.class, DavXmlParser.propfind(xml("<?xml version='1.0'?><propfind xmlns='DAV:'><propname/></propfind>")));
    DavXmlParser.Props props = assertInstanceOf(DavXmlParser.Props.class, DavXmlParser.propfind(xml(
        "<D:propfind xmlns:D='DAV:' xmlns:x='urn:x'><D:prop><D:getetag/><x:color/><plain xmlns=''/></D:prop>"
            + "<D:extension-element/></D:propfind>")));
    assertEquals(List.of(DavName.dav("getetag"), new DavName("urn:x", "color"), new DavName("", "plain")), props.names());
    DavXmlParser.AllProp all = assertInstanceOf(DavXmlParser.AllProp.class, DavXmlParser.propfind(xml(
        "<propfind xmlns='DAV:'><allprop/><include><x:y xmlns:x='urn:x'/></include></propfind>")));
    assertEquals(List.of(new DavName("urn:x", "y")), all.include());
  }

  @ParameterizedTest
  @ValueSource(strings = {"<propfind xmlns='DAV:'><prop></propfind>", "<foo/>", "<propfind xmlns='DAV:'/>",
      "<propfind xmlns='DAV:'><prop><bar:foo xmlns:bar=''/></prop></propfind>",
      "<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><propfind xmlns='DAV:'><prop>&e;</prop></propfind>"})
  void badPropfindBodiesAre400(String body) {
    assertEquals(400, assertThrows(DavError.class, () -> DavXmlParser.propfind(xml(body))).status.intValue());
  }

  @Test
  void proppatchKeepsOrderAndValuesAsSelfContainedXml() {
    List<DavXmlParser.PropOp> ops = DavXmlParser.propertyUpdate(xml("<D:propertyupdate xmlns:D='DAV:' xmlns:Z='http://ns.example.com/z'>"
        + "<D:set><D:prop><Z:Author>Jim &amp; Roy</Z:Author><Z:v xmlns:t='urn:t'><t:a t:k='1'>x</t:a><b xmlns='urn:b'/></Z:v>"
        + "<hi xmlns=''>\uD800\uDC00</hi></D:prop></D:set>"
        + "<D:remove><D:prop><Z:Copyright-Owner/></D:prop></D:remove></D:propertyupdate>"));
    assertEquals(4, ops.size());
    assertEquals(new DavXmlParser.PropOp(true, new DavName("http://ns.example.com/z", "Author"), "Jim &amp; Roy"), ops.get(0));
    assertEquals("<a xmlns=\"urn:t\" xmlns:a0=\"urn:t\" a0:k=\"1\">x</a><b xmlns=\"urn:b\"></b>", ops.get(1).value());
    assertEquals("\uD800\uDC00", ops.get(2).value(), "characters beyond the BMP survive");
    assertEquals(new DavXmlParser.PropOp(false, new DavName("http://ns.example.com/z", "Copyright-Owner"), ""), ops.get(3));
    // the stored value is well-formed wherever it is written
    DavXmlParser.propfind(xml("<propfind xmlns='DAV:'><prop><x xmlns='urn:q'>" + ops.get(1).value() + "</x></prop></propfind>"));
  }

  @Test
  void requestsNameBoundedPropertiesAndKeepXmlAttributes() {
    StringBuilder many = new StringBuilder("<propfind xmlns='DAV:'><prop>");
    for (int i = 0; i < 257; i++) many.append("<p").append(i).append(" xmlns='urn:x'/>");
    assertEquals(400, assertThrows(DavError.class, () -> DavXmlParser.propfind(xml(many + "</prop></propfind>"))).status.intValue());
    StringBuilder dup = new StringBuilder("<propfind xmlns='DAV:'><prop>");
    for (int i = 0; i < 1000; i++) dup.append("<same xmlns='urn:x'/>");
    assertEquals(1, assertInstanceOf(DavXmlParser.Props.class, DavXmlParser.propfind(xml(dup + "</prop></propfind>"))).names().size(),
        "a name asked twice is answered once");
    String longNs = "urn:" + "n".repeat(1100);
    assertEquals(400, assertThrows(DavError.class, () -> DavXmlParser.propfind(xml(
        "<propfind xmlns='DAV:'><prop><x xmlns='" + longNs + "'/></prop></propfind>"))).status.intValue());
    List<DavXmlParser.PropOp> lang = DavXmlParser.propertyUpdate(xml("<propertyupdate xmlns='DAV:'><set><prop>"
        + "<Z:author xmlns:Z='urn:z'><Z:name xml:lang='en'>x</Z:name></Z:author></prop></set></propertyupdate>"));
    assertEquals("<name xmlns=\"urn:z\" xml:lang=\"en\">x</name>", lang.get(0).value());
    DavXmlParser.propfind(xml("<propfind xmlns='DAV:'><prop><v xmlns='urn:q'>" + lang.get(0).value() + "</v></prop></propfind>"));
  }

  @Test
  void lockinfo() {
    DavXmlParser.LockInfo info = DavXmlParser.lockInfo(xml("<D:lockinfo xmlns:D='DAV:'><D:lockscope><D:shared/></D:lockscope>"
        + "<D:locktype><D:write/></D:locktype><D:owner><D:href>http://example.org/~ejw</D:href></D:owner></D:lockinfo>"));
    assertFalse(info.exclusive());
    assertEquals("<owner xmlns=\"DAV:\"><href xmlns=\"DAV:\">http://example.org/~ejw</href></owner>", info.ownerXml());
    assertEquals(400, assertThrows(DavError.class, () -> DavXmlParser.lockInfo(xml(
        "<lockinfo xmlns='DAV:'><locktype><write/></locktype></lockinfo>"))).status.intValue());
  }

  // ---------------------------------------------------------------- Range, Timeout

  @Test
  void ranges() {
    assertArrayEquals(new long[] {0, 9}, DavReads.range(Optional.of("bytes=0-9"), 100).orElseThrow());
    assertArrayEquals(new long[] {90, 99}, DavReads.range(Optional.of("bytes=-10"), 100).orElseThrow());
    assertArrayEquals(new long[] {50, 99}, DavReads.range(Optional.of("bytes=50-"), 100).orElseThrow());
    assertArrayEquals(new long[] {50, 99}, DavReads.range(Optional.of("bytes=50-500"), 100).orElseThrow());
    assertTrue(DavReads.range(Optional.of("bytes=0-1,5-6"), 100).isEmpty(), "several ranges: the whole file");
    assertTrue(DavReads.range(Optional.of("items=0-1"), 100).isEmpty());
    assertEquals(416, assertThrows(DavError.class, () -> DavReads.range(Optional.of("bytes=100-"), 100)).status.intValue());
  }

  @Test
  void timeouts() {
    assertEquals(DavLocking.DEFAULT_TIMEOUT, DavLocking.timeout(Optional.empty()));
    assertEquals(DavLocking.MAX_TIMEOUT, DavLocking.timeout(Optional.of("Infinite, Second-4100000000")));
    assertEquals(120, DavLocking.timeout(Optional.of("Second-120")));
    assertEquals(DavLocking.DEFAULT_TIMEOUT, DavLocking.timeout(Optional.of("Second-99999999999999999999")), "not understood");
    assertEquals(DavLocking.MAX_TIMEOUT, DavLocking.timeout(Optional.of("Second-604800")), "a day at most");
    assertEquals(1, DavLocking.timeout(Optional.of("Second-0")));
  }
}
