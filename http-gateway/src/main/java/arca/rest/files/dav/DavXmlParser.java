package arca.rest.files.dav;

import akka.util.ByteString;

import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static arca.rest.files.dav.DavName.DAV;

/**
 * The XML of WebDAV request bodies (propfind, propertyupdate, lockinfo), read with a namespace-aware StAX parser that
 * refuses DTDs and external entities. A malformed body is a 400. Dead property values are kept as XML whose every
 * element declares its own namespace, so that a value stays well-formed wherever it is written back.
 */
final class DavXmlParser {
  /** The largest request body read (propfind, proppatch, lockinfo). */
  static final int MAX_BODY = 1 << 20;
  /** The most property names one request may name: answers grow with them. */
  static final int MAX_NAMES = 256;
  /** The longest namespace URI of a property name: answers grow with it. */
  static final int MAX_NAMESPACE = 1024;

  private static final XMLInputFactory FACTORY = XMLInputFactory.newFactory();

  static {
    FACTORY.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
    FACTORY.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    FACTORY.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    FACTORY.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, true);
    FACTORY.setProperty(XMLInputFactory.IS_COALESCING, true);
  }

  private DavXmlParser() {}

  /** What a PROPFIND asks for. */
  sealed interface Propfind permits AllProp, PropNames, Props {}

  /** allprop (an empty body means allprop too); include: further properties asked by name. */
  record AllProp(List<DavName> include) implements Propfind {}

  /** propname: the names of the properties, without values. */
  record PropNames() implements Propfind {}

  /** prop: the properties asked by name, each once. */
  record Props(List<DavName> names) implements Propfind {}

  /** One instruction of a PROPPATCH, in document order: set (with the value as XML) or remove. */
  record PropOp(boolean set, DavName name, String value) {}

  /** A LOCK request's lockinfo: the scope and the owner as XML ("" when none). */
  record LockInfo(boolean exclusive, String ownerXml) {}

  static Propfind propfind(ByteString body) {
    if (blank(body)) return new AllProp(List.of());
    return parse(body, r -> {
      expectRoot(r, "propfind");
      Propfind out = null;
      List<DavName> include = new ArrayList<>();
      while (nextChild(r)) {
        if (!DAV.equals(r.getNamespaceURI())) {
          skip(r);
          continue;
        }
        switch (r.getLocalName()) {
          case "allprop" -> {
            out = new AllProp(include);
            skip(r);
          }
          case "propname" -> {
            out = new PropNames();
            skip(r);
          }
          case "prop" -> out = new Props(names(r));
          case "include" -> include.addAll(names(r));
          default -> skip(r);   // extension elements are ignored (RFC 4918 section 17)
        }
      }
      if (out == null) throw DavError.badRequest("a propfind names allprop, propname or prop");
      if (include.size() > MAX_NAMES) throw tooMany();
      return out instanceof AllProp ? new AllProp(List.copyOf(include)) : out;
    });
  }

  static List<PropOp> propertyUpdate(ByteString body) {
    if (blank(body)) throw DavError.badRequest("PROPPATCH needs a propertyupdate body");
    return parse(body, r -> {
      expectRoot(r, "propertyupdate");
      List<PropOp> ops = new ArrayList<>();
      while (nextChild(r)) {
        boolean set = isDav(r, "set");
        if (!set && !isDav(r, "remove")) {
          skip(r);
          continue;
        }
        while (nextChild(r)) {
          if (!isDav(r, "prop")) {
            skip(r);
            continue;
          }
          while (nextChild(r)) {
            DavName name = name(r);
            String value = set ? content(r) : skipped(r);
            ops.add(new PropOp(set, name, value));
            if (ops.size() > 2 * MAX_NAMES) throw tooMany();
          }
        }
      }
      if (ops.isEmpty()) throw DavError.badRequest("the propertyupdate sets or removes no property");
      if (ops.stream().map(PropOp::name).distinct().count() > MAX_NAMES) throw tooMany();
      return ops;
    });
  }

  static LockInfo lockInfo(ByteString body) {
    return parse(body, r -> {
      expectRoot(r, "lockinfo");
      Boolean exclusive = null;
      boolean write = false;
      String owner = "";
      while (nextChild(r)) {
        if (isDav(r, "lockscope")) {
          while (nextChild(r)) {
            if (isDav(r, "exclusive")) exclusive = true;
            else if (isDav(r, "shared")) exclusive = false;
            skip(r);
          }
        } else if (isDav(r, "locktype")) {
          while (nextChild(r)) {
            if (isDav(r, "write")) write = true;
            skip(r);
          }
        } else if (isDav(r, "owner")) {
          owner = element(r);
        } else {
          skip(r);
        }
      }
      if (exclusive == null) throw DavError.badRequest("the lockinfo names no lockscope (exclusive or shared)");
      if (!write) throw DavError.badRequest("only write locks exist (locktype write)");
      return new LockInfo(exclusive, owner);
    });
  }

  /** Reads a document from its start; may throw a {@link DavError} of its own. */
  @FunctionalInterface
  private interface Reader<T> {
    T read(XMLStreamReader r) throws XMLStreamException;
  }

  private static boolean blank(ByteString body) {
    for (int i = 0; i < body.size(); i++) {
      byte c = body.apply(i);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return false;
    }
    return true;
  }

  private static <T> T parse(ByteString body, Reader<T> reader) {
    XMLStreamReader r = null;
    try {
      r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(body.toArrayUnsafe()));
      T out = reader.read(r);
      while (r.hasNext()) r.next();   // the rest must be well-formed too
      return out;
    } catch (XMLStreamException | RuntimeException e) {
      if (e instanceof DavError d) throw d;
      throw DavError.badRequest("the XML body is not well-formed: " + message(e));
    } finally {
      if (r != null) {
        try {
          r.close();
        } catch (XMLStreamException ignored) {
          // nothing held
        }
      }
    }
  }

  private static String message(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    int nl = m.indexOf("\nMessage: ");
    return (nl >= 0 ? m.substring(nl + 10) : m).lines().findFirst().orElse(m);
  }

  private static void expectRoot(XMLStreamReader r, String local) throws XMLStreamException {
    while (r.hasNext()) {
      if (r.next() == XMLStreamConstants.START_ELEMENT) {
        if (!isDav(r, local)) throw DavError.badRequest("expected a DAV:" + local + " body, got " + r.getName());
        return;
      }
    }
    throw DavError.badRequest("expected a DAV:" + local + " body");
  }

  private static boolean isDav(XMLStreamReader r, String local) {
    return DAV.equals(r.getNamespaceURI()) && local.equals(r.getLocalName());
  }

  /** Advances to the next child element of the current element: true on its start, false on the parent's end. */
  private static boolean nextChild(XMLStreamReader r) throws XMLStreamException {
    while (r.hasNext()) {
      int e = r.next();
      if (e == XMLStreamConstants.START_ELEMENT) return true;
      if (e == XMLStreamConstants.END_ELEMENT) return false;
    }
    return false;
  }

  private static void skip(XMLStreamReader r) throws XMLStreamException {
    int depth = 1;
    while (depth > 0 && r.hasNext()) {
      int e = r.next();
      if (e == XMLStreamConstants.START_ELEMENT) depth++;
      else if (e == XMLStreamConstants.END_ELEMENT) depth--;
    }
  }

  private static String skipped(XMLStreamReader r) throws XMLStreamException {
    skip(r);
    return "";
  }

  private static DavName name(XMLStreamReader r) {
    String ns = r.getNamespaceURI();
    if (ns != null && ns.length() > MAX_NAMESPACE) {
      throw DavError.badRequest("a property's namespace is longer than " + MAX_NAMESPACE + " characters");
    }
    return new DavName(ns == null ? "" : ns, r.getLocalName());
  }

  /** The names of a prop element, each once, at most {@link #MAX_NAMES}. */
  private static List<DavName> names(XMLStreamReader r) throws XMLStreamException {
    Set<DavName> out = new LinkedHashSet<>();
    while (nextChild(r)) {
      out.add(name(r));
      if (out.size() > MAX_NAMES) throw tooMany();
      skip(r);
    }
    return List.copyOf(out);
  }

  private static DavError tooMany() {
    return DavError.badRequest("a request names at most " + MAX_NAMES + " properties");
  }

  /** The current element's content as self-contained XML (text escaped, each element declaring its namespace). */
  private static String content(XMLStreamReader r) throws XMLStreamException {
    StringBuilder b = new StringBuilder();
    int depth = 1;
    while (r.hasNext()) {
      int e = r.next();
      switch (e) {
        case XMLStreamConstants.START_ELEMENT -> {
          depth++;
          startTag(r, b);
        }
        case XMLStreamConstants.END_ELEMENT -> {
          if (--depth == 0) return b.toString();
          b.append("</").append(r.getLocalName()).append('>');
        }
        case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE ->
            b.append(DavXmlWriter.escape(r.getText()));
        default -> { }   // comments and processing instructions are not part of a value
      }
    }
    return b.toString();
  }

  /** The current element itself, with its content, as self-contained XML (the lock owner). */
  private static String element(XMLStreamReader r) throws XMLStreamException {
    StringBuilder b = new StringBuilder();
    startTag(r, b);
    String local = r.getLocalName();
    b.append(content(r)).append("</").append(local).append('>');
    return b.toString();
  }

  private static void startTag(XMLStreamReader r, StringBuilder b) {
    String ns = r.getNamespaceURI();
    b.append('<').append(r.getLocalName()).append(" xmlns=\"").append(DavXmlWriter.escape(ns == null ? "" : ns)).append('"');
    for (int i = 0; i < r.getAttributeCount(); i++) {
      String ans = r.getAttributeNamespace(i);
      String value = DavXmlWriter.escape(r.getAttributeValue(i));
      if (ans == null || ans.isEmpty()) {
        b.append(' ').append(r.getAttributeLocalName(i)).append("=\"").append(value).append('"');
      } else if (XMLConstants.XML_NS_URI.equals(ans)) {
        // xml:lang, xml:space: the xml prefix is bound by definition and may not be declared for another prefix
        b.append(" xml:").append(r.getAttributeLocalName(i)).append("=\"").append(value).append('"');
      } else {
        b.append(" xmlns:a").append(i).append("=\"").append(DavXmlWriter.escape(ans)).append("\" a").append(i).append(':')
            .append(r.getAttributeLocalName(i)).append("=\"").append(value).append('"');
      }
    }
    b.append('>');
  }
}
