package arca.rest.files.locks;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import arca.rest.module.Endpoint;
import arca.rest.files.Face;
import arca.rest.files.FilesContext;
import arca.proto.lock.CoveringRequest;
import arca.proto.lock.DavLock;
import arca.proto.lock.LockService;
import arca.proto.lock.LockServiceClient;
import arca.proto.lock.ReleaseUnderRequest;
import arca.proto.lock.UnlockRequest;
import arca.rest.ApiError;
import arca.rest.Json;
import arca.rest.Times;
import arca.rest.auth.Authenticator;
import arca.rest.access.Principal;
import arca.rest.files.FileAccess;
import arca.rest.files.Location;
import arca.rest.files.PercentDecoding;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static akka.http.javadsl.server.Directives.*;

/**
 * arca.rest.files.locks: the WebDAV locks of a workspace, for the people who manage it (admins every workspace, a user
 * their own personal one), so that a lock somebody forgot or took to block others can be removed without its token.
 * Only locks at or below the workspace's root are theirs to see and remove.
 * <pre>
 *   GET    /a/locks/{ws}/{path}           the live locks on the node, on its ancestors (depth infinity) and below it
 *   DELETE /a/locks/{ws}/{path}?token=T   releases the lock T (one of those), whoever took it
 *   DELETE /a/locks/{ws}/{path}           releases every lock on the node and below it
 * </pre>
 * Anyone else gets 403 (404 for a workspace or node they cannot see, as everywhere).
 */
public final class LockRoutes implements Face {
  @Override public String name() { return "locks"; }
  @Override public String prefix() { return "a"; }

  @Override
  public List<Endpoint> endpoints() {
    return Endpoint.all(Endpoint.at("/a/locks/{ws}", "GET", "DELETE"), Endpoint.at("/a/locks/{ws}/{path}", "GET", "DELETE"));
  }

  @Override
  public Route route(FilesContext files) {
    return routes(files.auth(), files.access(), files.client(LockService.class, "lock", LockServiceClient::create));
  }

  public static Route routes(Authenticator auth, FileAccess access, LockService locks) {
    return pathPrefix("locks", () -> auth.authenticated(p -> pathPrefix(PathMatchers.segment(), ws ->
        extractUnmatchedPath(raw -> {
          String path = raw.startsWith("/") ? raw.substring(1) : raw;
          return concat(
              get(() -> Json.reply(managed(access, p, ws, path).thenCompose(m -> covering(locks, m)), StatusCodes.OK,
                  found -> Map.of("items", found.stream().map(LockRoutes::json).toList(), "total", found.size()))),
              delete(() -> parameterOptional("token", token -> Json.reply(managed(access, p, ws, path)
                  .thenCompose(m -> release(locks, p, m, token)), StatusCodes.OK, tokens -> Map.of("released", tokens)))));
        }))));
  }

  /** A node of a workspace the caller manages, with the workspace's root. */
  private record Managed(Location root, Location node) {}

  /** The node's location, when the caller manages its workspace (403 otherwise). */
  private static CompletionStage<Managed> managed(FileAccess access, Principal p, String ws, String rawPath) {
    String path;
    try {
      path = PercentDecoding.decode(rawPath, false);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.failedFuture(ApiError.badRequest("the path is not a valid URI path"));
    }
    return access.managedRoot(p, ws).thenCompose(root -> {
      if (root.isEmpty()) throw ApiError.forbidden("only the managers of workspace '" + ws + "' may see and remove its locks");
      return access.resolve(p, ws, path).thenApply(node -> new Managed(root.get(), node));
    });
  }

  /**
   * The live locks on the node, on its ancestors and below it, that lie in the workspace (a depth-infinity lock on a
   * folder above the workspace's root belongs to whoever manages that folder, not to this workspace's managers).
   */
  private static CompletionStage<List<DavLock>> covering(LockService locks, Managed m) {
    return locks.covering(CoveringRequest.newBuilder().setDatasource(m.node().datasource()).setPath(m.node().path())
            .setDescendants(true).build())
        .thenApply(list -> list.getLocksList().stream().filter(l -> FileAccess.within(m.root().path(), l.getPath())).toList());
  }

  private static CompletionStage<List<String>> release(LockService locks, Principal p, Managed m, Optional<String> token) {
    Location l = m.node();
    if (token.isEmpty()) {
      return locks.releaseUnder(ReleaseUnderRequest.newBuilder().setDatasource(l.datasource()).setPath(l.path()).build())
          .thenApply(r -> r.getTokensList());
    }
    return covering(locks, m).thenCompose(found -> {
      if (found.stream().noneMatch(k -> k.getToken().equals(token.get()))) {
        throw ApiError.notFound("no lock '" + token.get() + "' applies to this node");
      }
      return locks.unlock(UnlockRequest.newBuilder().setDatasource(l.datasource()).setToken(token.get())
          .setLogin(p.login()).setForce(true).build()).thenApply(r -> List.of(token.get()));
    });
  }

  private static Map<String, Object> json(DavLock l) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("token", l.getToken());
    m.put("href", l.getRootHref());
    m.put("login", l.getLogin());
    m.put("exclusive", l.getExclusive());
    m.put("depth", l.getInfinite() ? "infinity" : "0");
    m.put("timeoutSeconds", l.getTimeoutSeconds());
    m.put("createdAt", Times.iso(l.getCreatedAt()));
    m.put("expiresAt", Times.iso(l.getExpiresAt()));
    return m;
  }
}
