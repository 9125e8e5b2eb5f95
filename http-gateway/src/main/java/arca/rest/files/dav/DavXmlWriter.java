package arca.rest.files.dav;

import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpCharsets;
import akka.http.javadsl.model.MediaTypes;
import arca.proto.lock.DavLock;

import java.util.List;
import java.util.Map;

/**
 * The XML of WebDAV answers: multistatus documents (PROPFIND, PROPPATCH), lock discovery (LOCK) and the
 * {@code <D:error>} bodies of precondition failures, with the escaping and the property elements they share. Dead
 * property values are written back as the parser ({@link DavXmlParser}) kept them: self-contained XML.
 */
final class DavXmlWriter {
  static final ContentType XML = ContentTypes.create(MediaTypes.APPLICATION_XML, HttpCharsets.UTF_8);
  static final String MULTISTATUS_START = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">\n";
  static final String MULTISTATUS_END = "</D:multistatus>\n";
  /** The lock kinds every resource supports: exclusive and shared write locks. */
  static final String SUPPORTED_LOCK = "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>"
      + "<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>";
  private static final String PROLOG = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n";

  private DavXmlWriter() {}

  static String escape(String s) {
    StringBuilder b = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      String rep = switch (c) {
        case '&' -> "&amp;";
        case '<' -> "&lt;";
        case '>' -> "&gt;";
        case '"' -> "&quot;";
        case '\r' -> "&#13;";
        default -> null;
      };
      if (rep != null) {
        if (b == null) b = new StringBuilder(s.length() + 16).append(s, 0, i);
        b.append(rep);
      } else if (b != null) {
        b.append(c);
      }
    }
    return b == null ? s : b.toString();
  }

  /** An element for a property name with the given XML content (empty content: an empty element). */
  static void property(StringBuilder b, DavName n, String content) {
    if (n.isDav()) {
      b.append("<D:").append(n.local());
      if (content.isEmpty()) b.append("/>");
      else b.append('>').append(content).append("</D:").append(n.local()).append('>');
    } else {
      b.append('<').append(n.local()).append(" xmlns=\"").append(escape(n.ns())).append('"');
      if (content.isEmpty()) b.append("/>");
      else b.append('>').append(content).append("</").append(n.local()).append('>');
    }
  }

  /**
   * One PROPFIND {@code <D:response>}: the properties found (name to XML value, in order) in a 200 propstat, the
   * missing ones in a 404 one; an empty 200 propstat when there are neither.
   */
  static void response(StringBuilder b, String href, Map<DavName, String> found, List<DavName> missing) {
    b.append("<D:response><D:href>").append(escape(href)).append("</D:href>");
    if (!found.isEmpty()) propstat(b, found, "200 OK");
    if (!missing.isEmpty()) propstat(b, missing, "404 Not Found");
    if (found.isEmpty() && missing.isEmpty()) b.append("<D:propstat><D:prop/><D:status>HTTP/1.1 200 OK</D:status></D:propstat>");
    b.append("</D:response>\n");
  }

  /**
   * The multistatus document of a PROPPATCH on one resource: the {@code named} properties with {@code status}, and
   * the {@code dependent} ones (if any) with 424 Failed Dependency.
   */
  static String proppatch(String href, List<DavName> named, String status, List<DavName> dependent) {
    StringBuilder b = new StringBuilder(MULTISTATUS_START).append("<D:response><D:href>").append(escape(href)).append("</D:href>");
    propstat(b, named, status);
    if (!dependent.isEmpty()) propstat(b, dependent, "424 Failed Dependency");
    b.append("</D:response>\n").append(MULTISTATUS_END);
    return b.toString();
  }

  /** A LOCK's answer body: the lock discovery of the lock granted or refreshed. */
  static String lockDiscovery(DavLock lock, long nowMillis) {
    StringBuilder b = new StringBuilder(PROLOG).append("<D:prop xmlns:D=\"DAV:\"><D:lockdiscovery>");
    activeLock(b, lock, nowMillis);
    b.append("</D:lockdiscovery></D:prop>\n");
    return b.toString();
  }

  /** One {@code <D:activelock>}, its timeout the seconds left at {@code nowMillis}. */
  static void activeLock(StringBuilder b, DavLock l, long nowMillis) {
    long left = Math.max(0, (l.getExpiresAt() - nowMillis) / 1000);
    b.append("<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope>")
        .append(l.getExclusive() ? "<D:exclusive/>" : "<D:shared/>").append("</D:lockscope><D:depth>")
        .append(l.getInfinite() ? "infinity" : "0").append("</D:depth>")
        .append(l.getOwnerXml())
        .append("<D:timeout>Second-").append(left).append("</D:timeout><D:locktoken><D:href>")
        .append(escape(l.getToken())).append("</D:href></D:locktoken><D:lockroot><D:href>")
        .append(escape(l.getRootHref())).append("</D:href></D:lockroot></D:activelock>");
  }

  /** An error body: the precondition element (XML) and a description. */
  static String error(String precondition, String description) {
    return PROLOG + "<D:error xmlns:D=\"DAV:\">" + precondition
        + "<D:responsedescription>" + escape(description) + "</D:responsedescription></D:error>\n";
  }

  /** The precondition element of 423 Locked: the locked URLs. */
  static String lockTokenSubmitted(List<String> lockedHrefs) {
    StringBuilder b = new StringBuilder("<D:lock-token-submitted>");
    for (String href : lockedHrefs) b.append("<D:href>").append(escape(href)).append("</D:href>");
    return b.append("</D:lock-token-submitted>").toString();
  }

  private static void propstat(StringBuilder b, Map<DavName, String> props, String status) {
    b.append("<D:propstat><D:prop>");
    props.forEach((n, v) -> property(b, n, v));
    b.append("</D:prop><D:status>HTTP/1.1 ").append(status).append("</D:status></D:propstat>");
  }

  private static void propstat(StringBuilder b, List<DavName> names, String status) {
    b.append("<D:propstat><D:prop>");
    for (DavName n : names) property(b, n, "");
    b.append("</D:prop><D:status>HTTP/1.1 ").append(status).append("</D:status></D:propstat>");
  }
}
