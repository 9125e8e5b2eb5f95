package arca.rest.auth;

import akka.NotUsed;
import akka.actor.typed.ActorSystem;
import akka.stream.KillSwitches;
import akka.stream.RestartSettings;
import akka.stream.UniqueKillSwitch;
import akka.stream.javadsl.Keep;
import akka.stream.javadsl.RestartSource;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import arca.proto.token.AuthEvent;
import arca.proto.token.TokenService;
import arca.proto.token.WatchAuthEventsRequest;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import net.openhft.chronicle.map.ChronicleMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The node-local store the gateway consults on every request: revoked session/token ids (until they expire),
 * locked logins, and each account's latest cut-off (credentials issued before it are void, see
 * {@link #endedByCutoff}). A Chronicle Map file under the data directory, fed from the token service's events
 * (WatchAuthEvents) from the last offset it saw. It is a cache of the token journal: when the file is missing or
 * unreadable it is recreated empty and refilled from offset 0.
 */
public final class AuthCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AuthCache.class);
  private static final String OFFSET = "o:";
  private static final String REVOKED = "r:";
  private static final String LOCKED = "l:";
  private static final String CUTOFF = "c:";
  private static final String KEPT = "k:";

  private final ChronicleMap<String, Long> map;
  private final Path file;
  private final boolean rebuilt;
  private volatile UniqueKillSwitch feed;

  private AuthCache(ChronicleMap<String, Long> map, Path file, boolean rebuilt) {
    this.map = map;
    this.file = file;
    this.rebuilt = rebuilt;
  }

  public static AuthCache open(Path file) {
    try {
      Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      boolean usable = Files.exists(file) && Files.size(file) > 0;
      if (usable && !headerComplete(file)) {
        // Chronicle Map would wait a minute for a header that a crash left unfinished
        log.warn("auth cache {} has no complete header; recreating it from the token journal", file);
        Files.delete(file);
        usable = false;
      }
      try {
        return new AuthCache(create(file.toFile()), file, !usable);
      } catch (IOException | RuntimeException corrupt) {
        log.warn("auth cache {} is unreadable ({}); recreating it from the token journal", file, corrupt.toString());
        Files.deleteIfExists(file);
        return new AuthCache(create(file.toFile()), file, true);
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot create the auth cache at " + file, e);
    }
  }

  /** Chronicle Map's file header: a positive little-endian int at offset 8 marks it complete. */
  private static boolean headerComplete(Path file) throws IOException {
    if (Files.size(file) < 12) return false;
    try (var ch = FileChannel.open(file)) {
      ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(b, 8);
      return b.getInt(0) > 0;
    }
  }

  /** The map, its file private to the node's user whatever the umask (it lists revoked token ids and locked logins). */
  private static ChronicleMap<String, Long> create(File f) throws IOException {
    ChronicleMap<String, Long> map = createMap(f);
    Files.setPosixFilePermissions(f.toPath(), PosixFilePermissions.fromString("rw-------"));
    return map;
  }

  private static ChronicleMap<String, Long> createMap(File f) throws IOException {
    return ChronicleMap.of(String.class, Long.class)
        .name("arca-auth-cache")
        .entries(200_000)
        .averageKeySize(40)
        // closed by the node's coordinated shutdown, after the requests in flight are done; Chronicle's own JVM
        // shutdown hook would close it at SIGTERM while they still use it
        .skipCloseOnExitHook(true)
        .createPersistedTo(f);
  }

  /** True when the file was missing or corrupt at open, so the cache is being refilled from the journal. */
  public boolean rebuilt() {
    return rebuilt;
  }

  public long offset() {
    Long o = map.get(OFFSET);
    return o == null ? 0 : o;
  }

  public boolean isRevoked(String id) {
    return id != null && map.containsKey(REVOKED + id);
  }

  /** Epoch millis until which the login is locked (0 = not locked). */
  public long lockedUntil(String login) {
    Long until = map.get(LOCKED + login);
    return until == null ? 0 : until;
  }

  /**
   * Whether a credential of {@code login} issued at {@code issuedAt} (epoch ms) for session {@code sid} was ended by
   * the account's latest cut-off (a password or role change, a deletion), which may spare one session.
   */
  public boolean endedByCutoff(String login, String sid, long issuedAt) {
    Long notBefore = map.get(CUTOFF + login);
    if (notBefore == null || issuedAt >= notBefore) return false;
    return sid == null || sid.isEmpty() || !notBefore.equals(map.get(KEPT + login + "|" + sid));
  }

  /** The account's latest cut-off (epoch ms, 0 none). */
  public long notBefore(String login) {
    Long notBefore = map.get(CUTOFF + login);
    return notBefore == null ? 0 : notBefore;
  }

  /** Records a cut-off of the login's credentials issued before {@code notBefore}, sparing session {@code keep}. */
  public void cutoff(String login, long notBefore, String keep) {
    if (notBefore <= notBefore(login)) return;
    if (keep != null && !keep.isEmpty()) map.put(KEPT + login + "|" + keep, notBefore);
    map.put(CUTOFF + login, notBefore);
  }

  public void revoke(String id, long expiresAt) {
    map.put(REVOKED + id, expiresAt);
  }

  public void apply(AuthEvent e) {
    switch (e.getKindCase()) {
      case REVOKED -> revoke(e.getRevoked().getId(), e.getRevoked().getExpiresAt());
      case THROTTLE -> {
        if (e.getThrottle().getLockedUntil() > 0) map.put(LOCKED + e.getThrottle().getLogin(), e.getThrottle().getLockedUntil());
        else map.remove(LOCKED + e.getThrottle().getLogin());
      }
      case CUTOFF -> cutoff(e.getCutoff().getLogin(), e.getCutoff().getNotBefore(), e.getCutoff().getKeepSession());
      default -> { }
    }
    map.put(OFFSET, Math.max(offset(), e.getOffset()));
  }

  /**
   * Drops revocations of tokens that have expired anyway, locks that have ended, and spared sessions of cut-offs
   * that a later one replaced. Cut-offs stay: one entry per account whose credentials changed.
   */
  public int purgeExpired(long now) {
    List<String> stale = new ArrayList<>();
    map.forEach((k, v) -> {
      if ((k.startsWith(REVOKED) || k.startsWith(LOCKED)) && v < now) stale.add(k);
      if (k.startsWith(KEPT) && !v.equals(map.get(CUTOFF + k.substring(KEPT.length(), k.indexOf('|'))))) stale.add(k);
    });
    stale.forEach(map::remove);
    return stale.size();
  }

  /** Follows the token service's auth events from the stored offset on, reconnecting with backoff. */
  public void startFeed(ActorSystem<?> system, TokenService tokens) {
    Source<AuthEvent, NotUsed> events = RestartSource.withBackoff(
        RestartSettings.create(Duration.ofMillis(500), Duration.ofSeconds(10), 0.2),
        () -> tokens.watchAuthEvents(WatchAuthEventsRequest.newBuilder().setFromOffset(offset()).build()));
    feed = events.viaMat(KillSwitches.single(), Keep.right())
        .toMat(Sink.foreach(this::apply), Keep.left())
        .run(system);
    system.scheduler().scheduleWithFixedDelay(Duration.ofMinutes(1), Duration.ofMinutes(10),
        () -> purgeExpired(System.currentTimeMillis()), system.executionContext());
  }

  /** Ends the feed stream (before the node unbinds, so that no long-lived call holds the shutdown). */
  public void stopFeed() {
    if (feed != null) feed.shutdown();
  }

  @Override
  public void close() {
    stopFeed();
    map.close();
  }

  @Override
  public String toString() {
    return "AuthCache[" + file + "]";
  }
}
