package arca.objects;

import akka.stream.Materializer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.regex.Pattern;

/**
 * The datasources of {@code arca.datasources} ({@code name -> { type = local, path = <folder> }} or
 * {@code { type = s3, bucket = ..., ... }}) and the stores of those this node serves: the local ones whose folder it
 * can create and write, and every S3 one (a bucket is reachable from every node). The same configuration may name
 * folders that exist only on some nodes (a local disk, a mount); each node serves what it has. {@code serve = false}
 * turns a datasource off on a node, whatever its type.
 */
final class Datasources {
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

  /**
   * One configured datasource; {@code type} local: {@code path} is absolute, {@code s3} null; {@code type} s3:
   * {@code path} null, {@code s3} its bucket; {@code serve}: this node may serve it.
   */
  record Definition(String name, String type, Path path, S3BlobStore.Settings s3, boolean serve) {
    /** A local datasource. */
    Definition(String name, Path path, boolean serve) {
      this(name, "local", path, null, serve);
    }
  }

  private final List<String> configured;
  private final Map<String, BlobStore> served;

  private Datasources(List<String> configured, Map<String, BlobStore> served) {
    this.configured = configured;
    this.served = served;
  }

  /** The configured datasources, checked: a bad name or an unknown type fails the node's start. */
  static List<Definition> configured(Config config) {
    ConfigObject all = config.getObject("arca.datasources");
    List<Definition> out = new ArrayList<>();
    for (String name : all.keySet().stream().sorted().toList()) {
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("arca.datasources: '" + name + "' is not a datasource name (" + NAME + ")");
      }
      Config ds = all.toConfig().getConfig(name);
      String type = ds.getString("type");
      boolean serve = !ds.hasPath("serve") || ds.getBoolean("serve");
      switch (type) {
        case "local" -> out.add(new Definition(name, Path.of(ds.getString("path")).toAbsolutePath().normalize(), serve));
        case "s3" -> out.add(new Definition(name, "s3", null, s3(name, ds), serve));
        default -> throw new IllegalArgumentException(
            "arca.datasources." + name + ".type '" + type + "' is not supported (local, s3)");
      }
    }
    return out;
  }

  private static S3BlobStore.Settings s3(String name, Config ds) {
    if (!ds.hasPath("bucket") || ds.getString("bucket").isBlank()) {
      throw new IllegalArgumentException("arca.datasources." + name + ": an s3 datasource needs a bucket");
    }
    String prefix = optional(ds, "prefix", "");
    if (!prefix.isEmpty() && !prefix.endsWith("/")) prefix = prefix + "/";
    return new S3BlobStore.Settings(optional(ds, "endpoint", ""), optional(ds, "region", "us-east-1"),
        ds.getString("bucket"), prefix, optional(ds, "access-key", ""), optional(ds, "secret-key", ""),
        ds.hasPath("path-style") && ds.getBoolean("path-style"));
  }

  private static String optional(Config ds, String key, String otherwise) {
    return ds.hasPath(key) ? ds.getString(key) : otherwise;
  }

  /**
   * The names of the configured datasources this node serves: not turned off here ({@code serve = false}) and whose
   * folder it can create and write. Creates the folders.
   */
  static List<String> servable(Config config) {
    return configured(config).stream().filter(Datasources::writable).map(Definition::name).toList();
  }

  private static boolean writable(Definition ds) {
    if (!ds.serve()) return false;
    if (ds.s3() != null) return true;
    try {
      Files.createDirectories(ds.path(), LocalFolderBlobStore.PRIVATE_DIR);
      return Files.isDirectory(ds.path()) && Files.isWritable(ds.path());
    } catch (IOException | SecurityException e) {
      return false;
    }
  }

  /** Opens the store of every datasource this node can serve. Blocking: call at start. */
  static Datasources open(Config config, Materializer materializer, Executor blocking) {
    List<Definition> all = configured(config);
    Map<String, BlobStore> served = new LinkedHashMap<>();
    for (Definition ds : all) {
      if (!writable(ds)) continue;
      if (ds.s3() != null) {
        served.put(ds.name(), S3BlobStore.open(ds.s3(), materializer));
        continue;
      }
      try {
        served.put(ds.name(), LocalFolderBlobStore.open(ds.path(), materializer, blocking));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot open datasource " + ds.name() + " in " + ds.path(), e);
      }
    }
    return new Datasources(all.stream().map(Definition::name).toList(), Map.copyOf(served));
  }

  /** The store of a datasource; NOT_FOUND when none has that name, NOT_HOSTED when another node serves it. */
  BlobStore store(String name) {
    BlobStore store = served.get(name);
    if (store != null) return store;
    if (configured.contains(name)) {
      throw new BlobException(BlobException.Reason.NOT_HOSTED,
          "datasource '" + name + "' is not served by this node (turned off here, or its folder is not writable here)");
    }
    throw BlobException.notFound(NAME.matcher(name).matches() ? "no datasource '" + name + "'" : "no such datasource");
  }

  List<String> served() {
    return served.keySet().stream().sorted().toList();
  }

  List<String> notServed() {
    return configured.stream().filter(name -> !served.containsKey(name)).toList();
  }
}
