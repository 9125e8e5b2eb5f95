package arca.deploy;

import arca.token.MasterKey;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.security.auth.module.UnixSystem;
import com.typesafe.config.Config;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The node's data directory and key material stay private to the node's user, whatever the umask it was started with:
 * the process umask becomes 077 before anything is written (so the files H2, Chronicle Map and the node create are
 * 0600, their directories 0700), the data directory is created 0700, and a node whose data directory or key files
 * other users could read or change refuses to start, naming the path and the command that fixes it.
 */
final class PrivateData {
  private static final Logger log = LoggerFactory.getLogger(PrivateData.class);
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS = EnumSet.of(
      PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private PrivateData() {}

  /** A start refused for a reason the operator must fix (logged without a stack trace; the node exits 1). */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message);
    }
  }

  private interface LibC extends Library {
    int umask(int mask);
  }

  /**
   * Sets the process umask to 077 (libc through JNA, which Chronicle Map brings along): everything the node's libraries
   * create from now on is private. Where that is impossible the node goes on with the explicit modes below.
   */
  static void restrictUmask() {
    try {
      Native.load("c", LibC.class).umask(0077);
    } catch (Throwable e) {
      log.warn("cannot set the umask to 077 ({}); files that libraries create under the data directory follow the"
          + " umask the node was started with, inside a directory only the node's user can enter", e.toString());
    }
  }

  /**
   * Before the node opens anything: the data directory exists and is private (created 0700, else refused), the
   * generated admin password and, on a node running the token service, the master key file are readable by the node's
   * user only; the default master key is generated then. Returns the master key (null without the token service).
   */
  static MasterKey prepare(Config config, boolean tokenService) {
    Path dataDir = Path.of(config.getString("arca.data-dir")).toAbsolutePath();
    try {
      if (!Files.exists(dataDir)) {
        Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
      }
      requirePrivate(dataDir, "data directory", "chmod -R go= " + dataDir);
      Path password = dataDir.resolve("admin-password");
      if (Files.exists(password)) requirePrivate(password, "generated admin password file", "chmod go= " + password);
      if (!tokenService) return null;
      Path keyFile = MasterKey.file(config).toAbsolutePath();
      if (Files.exists(keyFile)) requirePrivate(keyFile, "master key file", "chmod 600 " + keyFile);
      try {
        return MasterKey.forNode(config);
      } catch (IllegalStateException | IllegalArgumentException e) {
        throw new Refused(e.getMessage());
      }
    } catch (IOException e) {
      throw new Refused("cannot prepare the data directory " + dataDir + ": " + e);
    }
  }

  /**
   * Refuses a path that group or others may use. A key file may be readable by its group when that is the node's own
   * group and nobody else's bits are set: a Kubernetes Secret volume with the pod's fsGroup can be read no other way.
   */
  private static void requirePrivate(Path path, String what, String fix) throws IOException {
    Set<PosixFilePermission> mode = Files.getPosixFilePermissions(path);
    Set<PosixFilePermission> loose = EnumSet.copyOf(GROUP_OR_OTHERS);
    loose.retainAll(mode);
    if (Files.isRegularFile(path) && loose.equals(EnumSet.of(PosixFilePermission.GROUP_READ)) && ownGroup(path)) return;
    if (!loose.isEmpty()) {
      throw new Refused("the " + what + " " + path + " is " + PosixFilePermissions.toString(mode)
          + ": other local users could read or change it (it holds or protects the node's keys and data). It must be"
          + " private to the node's user; run: " + fix);
    }
  }

  private static boolean ownGroup(Path file) throws IOException {
    Object group = Files.getAttribute(file, "unix:gid");
    return group instanceof Integer g && g == new UnixSystem().getGid();
  }

  /**
   * Takes group and others' bits off everything below {@code dir} (what was created before the umask applied, or by a
   * library that sets modes of its own). No-op when {@code dir} does not exist.
   */
  static void tighten(Path dir) {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) return;
    try (Stream<Path> all = Files.walk(dir)) {
      all.filter(p -> !Files.isSymbolicLink(p)).forEach(p -> {
        try {
          Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
          if (mode.removeAll(GROUP_OR_OTHERS)) Files.setPosixFilePermissions(p, mode);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      throw new Refused("cannot make " + dir + " private: " + e.getMessage());
    }
  }
}
