package arca.serialization;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The golden data on disk: {@code <root>/<service>/index.tsv} lists, one line per file, the file, the serializer id,
 * the manifest, the class and the schema signature (fields or record components) the file was written with;
 * {@code <root>/<service>/<file>} holds the serialized bytes. Lines and files are only ever added: a file written
 * by the build that introduced a class (or a field of it) is never rewritten.
 */
public final class Golden {
  static final String INDEX = "index.tsv";
  private static final String HEADER = """
      # Golden serialized messages of this service, written once by the build that introduced each class or field
      # (GoldenDataTest, see README "Serialization and schema evolution"). Never edit or delete a line or a file.
      # file	serializer-id	manifest	class	signature
      """;

  /** One golden file. signature: {@code key=type} entries separated by {@code ;} (field numbers or component names). */
  public record Entry(String service, String file, int serializerId, String manifest, String className,
                      Map<String, String> signature) {
    String indexLine() {
      return String.join("\t", file, Integer.toString(serializerId), manifest, className, format(signature));
    }
  }

  private final Path root;

  public Golden(Path root) {
    this.root = root;
  }

  public Path root() {
    return root;
  }

  /** The service a class belongs to: {@code arca.proto.<svc>.X} and {@code arca.<svc>.X} both give {@code <svc>}. */
  public static String service(Class<?> c) {
    String[] parts = c.getName().split("\\.");
    if (parts.length > 3 && parts[1].equals("proto")) return parts[2];
    if (parts.length > 2) return parts[1];
    throw new IllegalArgumentException("no service package in " + c.getName());
  }

  /** The schema a class is written with: Protobuf field numbers and types, or record component names and types. */
  public static Map<String, String> signature(Class<?> c) {
    Map<String, String> out = new LinkedHashMap<>();
    if (Message.class.isAssignableFrom(c)) {
      for (FieldDescriptor f : Samples.proto(c).getDescriptorForType().getFields()) {
        out.put(Integer.toString(f.getNumber()), fieldType(f));
      }
    } else if (c.isRecord()) {
      for (RecordComponent rc : c.getRecordComponents()) out.put(rc.getName(), rc.getGenericType().getTypeName());
    } else {
      throw new IllegalArgumentException(c.getName() + " is neither a Protobuf message nor a record");
    }
    return out;
  }

  static String fieldType(FieldDescriptor f) {
    String type = switch (f.getJavaType()) {
      case MESSAGE -> "message:" + f.getMessageType().getFullName();
      case ENUM -> "enum:" + f.getEnumType().getFullName();
      default -> f.getType().name().toLowerCase();
    };
    return f.isRepeated() ? "repeated:" + type : type;
  }

  public List<Entry> entries() {
    if (!Files.isDirectory(root)) return List.of();
    List<Entry> out = new ArrayList<>();
    try (Stream<Path> services = Files.list(root)) {
      for (Path dir : services.filter(Files::isDirectory).sorted().toList()) {
        Path index = dir.resolve(INDEX);
        if (!Files.exists(index)) continue;
        for (String line : Files.readAllLines(index, StandardCharsets.UTF_8)) {
          if (line.isBlank() || line.startsWith("#")) continue;
          String[] f = line.split("\t", -1);
          if (f.length != 5) throw new IllegalStateException(index + ": malformed line: " + line);
          out.add(new Entry(dir.getFileName().toString(), f[0], Integer.parseInt(f[1]), f[2], f[3], parse(f[4])));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** Files under the root that no index line lists (a golden file must be listed with its manifest and schema). */
  public List<String> unlisted() {
    if (!Files.isDirectory(root)) return List.of();
    Set<String> listed = new HashSet<>();
    for (Entry e : entries()) listed.add(e.service() + "/" + e.file());
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
          .filter(p -> !p.endsWith("/" + INDEX) && !listed.contains(p)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public byte[] bytes(Entry e) {
    try {
      return Files.readAllBytes(root.resolve(e.service()).resolve(e.file()));
    } catch (IOException x) {
      throw new UncheckedIOException("golden file " + e.service() + "/" + e.file() + " listed but unreadable", x);
    }
  }

  /** Writes a new golden file and its index line; never replaces an existing file. */
  public Entry add(String service, int serializerId, String manifest, Class<?> c, Map<String, String> signature,
                   byte[] bytes) {
    Path dir = root.resolve(service);
    try {
      Files.createDirectories(dir);
      String file = manifest + ".bin";
      for (int n = 2; Files.exists(dir.resolve(file)); n++) file = manifest + "~" + n + ".bin";
      Files.write(dir.resolve(file), bytes, StandardOpenOption.CREATE_NEW);
      Path index = dir.resolve(INDEX);
      if (!Files.exists(index)) Files.writeString(index, HEADER, StandardOpenOption.CREATE_NEW);
      Entry entry = new Entry(service, file, serializerId, manifest, c.getName(), signature);
      Files.writeString(index, entry.indexLine() + "\n", StandardOpenOption.APPEND);
      return entry;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String format(Map<String, String> signature) {
    return signature.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";"));
  }

  private static Map<String, String> parse(String signature) {
    Map<String, String> out = new LinkedHashMap<>();
    if (signature.isEmpty()) return out;
    for (String part : signature.split(";")) {
      int eq = part.indexOf('=');
      out.put(part.substring(0, eq), part.substring(eq + 1));
    }
    return out;
  }
}
