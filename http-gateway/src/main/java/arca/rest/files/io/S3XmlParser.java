package arca.rest.files.io;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the XML request bodies of the {@code /io} gateway (CompleteMultipartUpload, multi-object Delete) into
 * records, refusing what S3 refuses with S3's error codes. Bodies come from anyone holding a key, so documents
 * with a DTD are rejected outright (no entity expansion, no external entities) and size is capped.
 * Elements are matched by local name, with or without S3's namespace; unknown elements are skipped.
 */
public final class S3XmlParser {
  /** Largest accepted body: 10,000 parts or 1,000 keys of 1,024 bytes fit with room for escaping. */
  public static final int MAX_BODY_BYTES = 4 << 20;
  public static final int MAX_PARTS = 10_000;
  public static final int MAX_DELETE_KEYS = 1_000;

  /** A part named in CompleteMultipartUpload; {@code etag} with any surrounding quotes removed. */
  public record CompletedPart(int partNumber, String etag) {}

  /** One object of a multi-object delete; {@code versionId} is null when absent. */
  public record ObjectId(String key, String versionId) {}

  /** A multi-object delete: in quiet mode only failures are reported. */
  public record DeleteRequest(boolean quiet, List<ObjectId> objects) {}

  private static final String NOT_WELL_FORMED =
      "The XML you provided was not well-formed or did not validate against our published schema.";
  private static final XMLInputFactory FACTORY = secureFactory();

  private S3XmlParser() {}

  /** The parts to assemble, in strictly ascending part-number order as S3 requires. */
  public static List<CompletedPart> completeMultipartUpload(byte[] body) {
    List<CompletedPart> parts = new ArrayList<>();
    read(body, "CompleteMultipartUpload", (r, child) -> {
      if (!child.equals("Part")) return false;
      String number = null;
      String etag = null;
      while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
        switch (r.getLocalName()) {
          case "PartNumber" -> number = r.getElementText().trim();
          case "ETag" -> etag = unquote(r.getElementText().trim());
          default -> skip(r);
        }
      }
      if (number == null) throw malformed("a Part has no PartNumber");
      if (parts.size() == MAX_PARTS) throw malformed("more than " + MAX_PARTS + " parts");
      parts.add(new CompletedPart(partNumber(number), etag));
      return true;
    });
    if (parts.isEmpty()) throw malformed("no Part given");
    for (int i = 0; i < parts.size(); i++) {
      CompletedPart p = parts.get(i);
      if (p.etag() == null || p.etag().isEmpty()) {
        throw new S3Exception("InvalidPart", "One or more of the specified parts could not be found: part "
            + p.partNumber() + " has no ETag.");
      }
      if (i > 0 && p.partNumber() <= parts.get(i - 1).partNumber()) {
        throw new S3Exception("InvalidPartOrder",
            "The list of parts was not in ascending order. The parts list must be specified in order by part number.");
      }
    }
    return List.copyOf(parts);
  }

  public static DeleteRequest delete(byte[] body) {
    List<ObjectId> objects = new ArrayList<>();
    boolean[] quiet = {false};
    read(body, "Delete", (r, child) -> {
      switch (child) {
        case "Quiet" -> quiet[0] = bool(r.getElementText().trim());
        case "Object" -> {
          String key = null;
          String versionId = null;
          while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
            switch (r.getLocalName()) {
              case "Key" -> key = r.getElementText();
              case "VersionId" -> versionId = r.getElementText().trim();
              default -> skip(r);
            }
          }
          if (key == null || key.isEmpty()) throw malformed("an Object has no Key");
          if (objects.size() == MAX_DELETE_KEYS) throw malformed("more than " + MAX_DELETE_KEYS + " keys");
          objects.add(new ObjectId(key, versionId));
        }
        default -> { return false; }
      }
      return true;
    });
    if (objects.isEmpty()) throw malformed("no Object given");
    return new DeleteRequest(quiet[0], List.copyOf(objects));
  }

  /** Reads one child element of the root (the reader is on its start tag); false to have it skipped. */
  private interface ChildReader {
    boolean read(XMLStreamReader reader, String localName) throws XMLStreamException;
  }

  private static void read(byte[] body, String root, ChildReader children) {
    if (body.length > MAX_BODY_BYTES) throw malformed("the body is larger than " + MAX_BODY_BYTES + " bytes");
    XMLStreamReader r = null;
    try {
      r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(body));
      int event = r.next();
      while (event != XMLStreamConstants.START_ELEMENT) {
        if (event == XMLStreamConstants.DTD) throw malformed("a DOCTYPE is not allowed");
        if (event == XMLStreamConstants.END_DOCUMENT) throw malformed("the body is empty");
        event = r.next();
      }
      if (!r.getLocalName().equals(root)) throw malformed("the root element must be " + root);
      while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
        if (!children.read(r, r.getLocalName())) skip(r);
      }
      while (r.hasNext()) r.next();
    } catch (XMLStreamException e) {
      throw new S3Exception("MalformedXML", NOT_WELL_FORMED);
    } finally {
      close(r);
    }
  }

  /** Skips the element the reader is on, with its children, leaving the reader on its end tag. */
  private static void skip(XMLStreamReader r) throws XMLStreamException {
    int depth = 1;
    while (depth > 0) {
      int event = r.next();
      if (event == XMLStreamConstants.START_ELEMENT) depth++;
      if (event == XMLStreamConstants.END_ELEMENT) depth--;
    }
  }

  private static int partNumber(String text) {
    int n;
    try {
      n = Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw malformed("PartNumber '" + text + "' is not a number");
    }
    if (n < 1 || n > MAX_PARTS) {
      throw new S3Exception("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive");
    }
    return n;
  }

  private static boolean bool(String text) {
    if (text.equalsIgnoreCase("true")) return true;
    if (text.equalsIgnoreCase("false")) return false;
    throw malformed("Quiet must be true or false");
  }

  private static String unquote(String etag) {
    return etag.length() >= 2 && etag.startsWith("\"") && etag.endsWith("\"") ? etag.substring(1, etag.length() - 1) : etag;
  }

  private static S3Exception malformed(String why) { return new S3Exception("MalformedXML", NOT_WELL_FORMED + " (" + why + ")"); }

  private static void close(XMLStreamReader r) {
    if (r == null) return;
    try {
      r.close();
    } catch (XMLStreamException ignored) {
      // nothing was held open: the input is an in-memory array
    }
  }

  private static XMLInputFactory secureFactory() {
    XMLInputFactory f = XMLInputFactory.newDefaultFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_COALESCING, true);
    return f;
  }
}
