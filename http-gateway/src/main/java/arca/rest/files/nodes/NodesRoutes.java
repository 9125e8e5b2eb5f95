package arca.rest.files.nodes;

import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.server.PathMatchers;
import akka.http.javadsl.server.Route;
import akka.http.javadsl.unmarshalling.Unmarshaller;
import arca.proto.tree.CopyJob;
import arca.proto.tree.CopyRequest;
import arca.proto.tree.GetCopyJobRequest;
import arca.rest.ClientPaths;
import arca.rest.PercentEncoding;
import arca.rest.Times;
import arca.rest.module.Endpoint;
import arca.rest.files.Face;
import arca.rest.files.FilesContext;
import arca.proto.tree.ListRequest;
import arca.proto.tree.MoveRequest;
import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.proto.tree.SortBy;
import arca.proto.tree.StatRequest;
import arca.proto.tree.TrashRequest;
import arca.proto.tree.TreeService;
import arca.proto.tree.CreateFolderRequest;
import arca.rest.RequestIds;
import arca.rest.ApiError;
import arca.rest.Json;
import arca.rest.auth.Authenticator;
import arca.rest.access.Principal;
import arca.rest.files.Blobs;
import arca.rest.files.FileAccess;
import arca.rest.files.Location;
import arca.rest.files.NodeAction;

import java.io.IOException;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static akka.http.javadsl.server.Directives.*;

/**
 * arca.rest.files.nodes: the file tree as JSON (Cells' /a/tree), per workspace.
 * <pre>
 *   GET    /a/nodes                              the workspaces the caller may use
 *   GET    /a/nodes/{ws}                         the workspace root: as /a/nodes/{ws}/ with an empty path
 *   GET    /a/nodes/{ws}/{path}                  stat; with ?children: one page of the folder's children
 *                                                (limit, offset or cursor, sort=name|mtime|size, order=asc|desc,
 *                                                foldersFirst=true|false, prefix)
 *   POST   /a/nodes/{ws}/{path}                  create the folder (and missing parents)          201
 *   POST   /a/nodes/{ws}/{path}?action=copy      copy a file (201) or a folder (202: a background job):
 *                                                {"to": "path", "workspace"?: "ws"}
 *   GET    /a/copy-jobs/{id}                     a folder copy's progress
 *   PATCH  /a/nodes/{ws}/{path}                  rename or move: {"to": "path", "workspace"?: "ws", "overwrite"?}
 *   DELETE /a/nodes/{ws}/{path}                  to the recycle bin (the answer carries the entry's uuid)
 *   GET    /a/trash/{ws}                         the workspace's recycle bin (offset, limit)
 *   POST   /a/trash/{ws}/{uuid}?action=restore   back to its path, or {"to": "path"}
 *   DELETE /a/trash/{ws}/{uuid}                  for good, with its bytes
 * </pre>
 * Paths are workspace-relative; access follows {@link FileAccess}. Bytes go through /io (S3) and /dav.
 */
public final class NodesRoutes implements Face {
  @Override public String name() { return "nodes"; }
  @Override public String prefix() { return "a"; }

  @Override
  public List<Endpoint> endpoints() {
    return Endpoint.all(
        Endpoint.at("/a/nodes", "GET"),
        Endpoint.at("/a/nodes/{ws}", "GET"),
        Endpoint.at("/a/nodes/{ws}/{path}", "GET", "POST", "PATCH", "DELETE"),
        Endpoint.at("/a/trash/{ws}", "GET"),
        Endpoint.at("/a/trash/{ws}/{uuid}", "POST", "DELETE"),
        Endpoint.at("/a/copy-jobs/{id}", "GET"));
  }

  @Override
  public Route route(FilesContext files) {
    return routes(files.auth(), files.tree(), files.access(), files.blobs());
  }

  /** Request bodies. */
  public record MoveBody(String to, String workspace, Boolean overwrite) {}

  public record RestoreBody(String to) {}

  public static Route routes(Authenticator auth, TreeService tree, FileAccess access, Blobs blobs) {
    return concat(
        pathPrefix("nodes", () -> auth.authenticated(p -> nodes(tree, access, p))),
        pathPrefix("trash", () -> auth.authenticated(p -> pathPrefix(PathMatchers.segment(), ws -> bin(tree, access, blobs, p, ws)))),
        pathPrefix("copy-jobs", () -> auth.authenticated(p -> path(PathMatchers.segment(), id -> get(() -> copyJob(tree, p, id))))));
  }

  private static Route nodes(TreeService tree, FileAccess access, Principal p) {
    Route workspaces = pathEndOrSingleSlash(() -> get(() -> Json.reply(access.visibleWorkspaces(p), StatusCodes.OK,
        list -> Map.of("items", list.stream().map(ws -> Map.of("workspace", ws, "path", "", "type", "folder")).toList(),
            "total", list.size()))));
    Route node = pathPrefix(PathMatchers.segment(), ws -> extractUnmatchedPath(raw -> {
      String path = decode(raw);
      return concat(
          get(() -> parameterOptional("children", children -> children.isEmpty() || children.get().equals("false")
              ? stat(tree, access, p, ws, path)
              : children.get().isEmpty() || children.get().equals("true") ? listing(tree, access, p, ws, path)
              : Json.fail(ApiError.badRequest("children is true or false (or present without a value)")))),
          post(() -> parameterOptional("action", action -> action.isEmpty()
              ? createFolder(tree, access, p, ws, path)
              : action.get().equals("copy") ? RequestIds.of(p, id -> Json.body(MoveBody.class, b -> copy(tree, access, p, ws, path, b, id)))
              : Json.fail(ApiError.badRequest("unknown action '" + action.get() + "' (known: copy)")))),
          patch(() -> RequestIds.of(p, id -> Json.body(MoveBody.class, b -> move(tree, access, p, ws, path, b, id)))),
          delete(() -> RequestIds.of(p, id -> trash(tree, access, p, ws, path, id))));
    }));
    return concat(workspaces, node);
  }

  private static Route bin(TreeService tree, FileAccess access, Blobs blobs, Principal p, String ws) {
    Route list = pathEndOrSingleSlash(() -> get(() -> trashList(tree, access, p, ws)));
    Route entry = path(PathMatchers.segment(), uuid -> concat(
        post(() -> parameterOptional("action", action -> action.orElse("").equals("restore")
            ? RequestIds.of(p, id -> entity(Unmarshaller.entityToString(),
                text -> restore(tree, access, p, ws, uuid, text, id)))
            : Json.fail(ApiError.badRequest("unknown action (known: restore)")))),
        delete(() -> RequestIds.of(p, id -> purge(tree, access, blobs, p, ws, uuid, id)))));
    return concat(list, entry);
  }

  /** The unmatched path ("/a/b%20c") as a workspace-relative path ("a/b c"). */
  static String decode(String raw) {
    String p = raw.startsWith("/") ? raw.substring(1) : raw;
    if (p.isEmpty()) return "";
    try {
      return URI.create("http://x/" + p).getPath().substring(1);
    } catch (IllegalArgumentException e) {
      throw ApiError.badRequest("the path is not a valid URI path");
    }
  }

  static Map<String, Object> json(String workspace, String path, Node n) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("uuid", n.getUuid());
    m.put("workspace", workspace);
    m.put("path", path);
    m.put("name", path.isEmpty() ? workspace : n.getName());
    m.put("type", n.getType() == NodeType.FOLDER ? "folder" : "file");
    if (n.getType() == NodeType.FILE) {
      m.put("size", n.getSize());
      m.put("etag", n.getEtag());
      m.put("version", n.getVersion());
      if (!n.getContentType().isEmpty()) m.put("contentType", n.getContentType());
    }
    if (n.getMtime() > 0) m.put("mtime", Times.iso(n.getMtime()));
    if (n.hasTrash()) {
      m.put("trashedAt", Times.iso(n.getTrash().getTrashedAt()));
      m.put("trashedBy", n.getTrash().getTrashedBy());
    }
    return m;
  }

  private static Route stat(TreeService tree, FileAccess access, Principal p, String ws, String path) {
    CompletionStage<Map<String, Object>> stat = access.resolve(p, ws, path).thenCompose(l -> tree.stat(
        StatRequest.newBuilder().setDatasource(l.datasource()).setPath(l.path()).build()).thenApply(n -> json(ws, path, n)));
    return Json.reply(stat, StatusCodes.OK, m -> m);
  }

  private static Route listing(TreeService tree, FileAccess access, Principal p, String ws, String path) {
    return parameterMap(q -> {
      ListRequest.Builder req = ListRequest.newBuilder();
      try {
        req.setLimit(intParam(q, "limit", 100, 1, 1000)).setOffset(intParam(q, "offset", 0, 0, Integer.MAX_VALUE))
            .setCursor(q.getOrDefault("cursor", "")).setPrefix(q.getOrDefault("prefix", ""))
            .setFoldersFirst(!"false".equals(q.getOrDefault("foldersFirst", "true")));
        req.setSort(switch (q.getOrDefault("sort", "name")) {
          case "name" -> SortBy.NAME;
          case "mtime" -> SortBy.MTIME;
          case "size" -> SortBy.SIZE;
          default -> throw ApiError.badRequest("sort must be name, mtime or size");
        });
        String order = q.getOrDefault("order", "asc");
        if (!order.equals("asc") && !order.equals("desc")) throw ApiError.badRequest("order must be asc or desc");
        req.setDescending(order.equals("desc"));
      } catch (ApiError e) {
        return Json.fail(e);
      }
      return Json.reply(NodeListing.page(tree, access, p, ws, path, req), StatusCodes.OK, m -> m);
    });
  }

  private static int intParam(Map<String, String> q, String name, int dflt, int min, int max) {
    String v = q.get(name);
    if (v == null) return dflt;
    try {
      int i = Integer.parseInt(v);
      if (i < min || i > max) throw ApiError.badRequest(name + " must be between " + min + " and " + max);
      return i;
    } catch (NumberFormatException e) {
      throw ApiError.badRequest(name + " must be a number");
    }
  }

  private static Route createFolder(TreeService tree, FileAccess access, Principal p, String ws, String path) {
    if (path.isEmpty()) return Json.fail(ApiError.badRequest("a folder needs a path under the workspace"));
    CompletionStage<Map<String, Object>> created = access.resolveForWrite(p, ws, path).thenCompose(l -> tree.createFolder(
        CreateFolderRequest.newBuilder().setDatasource(l.datasource()).setPath(l.path()).setRequestId(RequestIds.fresh())
            .build()).thenApply(n -> json(ws, path, n)));
    return Json.reply(created, m -> respondWithHeader(PercentEncoding.location("/a/nodes/", ws + "/" + path),
        () -> complete(Json.response(StatusCodes.CREATED, m))));
  }

  /** Two locations in one datasource (moves and server-side copies never cross datasources). */
  private record Pair(Location from, Location to) {}

  /**
   * The node actions of a move or copy: a move removes its source, a copy reads it; both write their destination;
   * a move with {@code overwrite} onto an existing node removes that too. Each on the whole subtree: no node below
   * may be one an ACL or a policy keeps from the caller.
   */
  private static CompletionStage<Pair> pair(TreeService tree, FileAccess access, Principal p, String ws, String path,
                                            MoveBody b, boolean move) {
    if (b.to() == null || b.to().isEmpty()) return CompletableFuture.failedFuture(ApiError.badRequest("missing field 'to' (the target path)"));
    if (path.isEmpty()) return CompletableFuture.failedFuture(ApiError.badRequest("a workspace root cannot be moved or copied"));
    String targetWs = b.workspace() == null ? ws : b.workspace();
    return access.resolveSubtree(p, ws, path, move ? NodeAction.REMOVE : NodeAction.READ)
        .thenCompose(from -> access.resolveSubtree(p, targetWs, b.to(), NodeAction.WRITE)
            .thenCompose(to -> Boolean.TRUE.equals(b.overwrite()) ? replaced(tree, access, p, targetWs, b.to(), to)
                : CompletableFuture.completedFuture(to))
            .thenApply(to -> {
      if (!from.datasource().equals(to.datasource())) {
        throw ApiError.badRequest("workspaces '" + ws + "' and '" + targetWs + "' keep their files in different datasources");
      }
      return new Pair(from, to);
    }));
  }

  /** A target that exists and would be replaced is removed: the caller needs that right too. */
  private static CompletionStage<Location> replaced(TreeService tree, FileAccess access, Principal p, String ws, String path,
                                                    Location to) {
    return tree.stat(StatRequest.newBuilder().setDatasource(to.datasource()).setPath(to.path()).build())
        .handle((n, e) -> e == null)
        .thenCompose(exists -> exists ? access.resolveSubtree(p, ws, path, NodeAction.REMOVE) : CompletableFuture.completedFuture(to));
  }

  private static Route move(TreeService tree, FileAccess access, Principal p, String ws, String path, MoveBody b,
                            String requestId) {
    String targetWs = b.workspace() == null ? ws : b.workspace();
    CompletionStage<Map<String, Object>> moved = pair(tree, access, p, ws, path, b, true).thenCompose(pr -> tree.move(
            MoveRequest.newBuilder().setDatasource(pr.from().datasource()).setFrom(pr.from().path()).setTo(pr.to().path())
                .setOverwrite(Boolean.TRUE.equals(b.overwrite())).setRequestId(requestId).build())
        .thenApply(n -> json(targetWs, String.join("/", ClientPaths.segments(b.to())), n)));
    return Json.reply(moved, StatusCodes.OK, m -> m);
  }

  /**
   * A file is copied at once (201); a folder's copy is created at once and filled by a background job that survives
   * a crash (202 with {@code jobId}; progress at {@code /a/copy-jobs/{id}}). Copies stay within a datasource.
   */
  private static Route copy(TreeService tree, FileAccess access, Principal p, String ws, String path, MoveBody b,
                            String requestId) {
    if (Boolean.TRUE.equals(b.overwrite())) return Json.fail(ApiError.badRequest("a copy never overwrites: choose a free target"));
    String targetWs = b.workspace() == null ? ws : b.workspace();
    CompletionStage<Map<String, Object>> copied = pair(tree, access, p, ws, path, b, false).thenCompose(pr -> tree.copy(
            CopyRequest.newBuilder().setDatasource(pr.from().datasource()).setFrom(pr.from().path())
                .setTo(pr.to().path()).setRequestId(requestId).setBy(p.login()).build())
        .thenApply(r -> {
          Map<String, Object> m = json(targetWs, String.join("/", ClientPaths.segments(b.to())), r.getNode());
          if (!r.getJobId().isEmpty()) m.put("jobId", r.getJobId());
          return m;
        }));
    return Json.reply(copied, m -> complete(Json.response(m.containsKey("jobId") ? StatusCodes.ACCEPTED : StatusCodes.CREATED, m)));
  }

  /**
   * A folder copy's progress, for the user who started it and for admins; anyone else gets the 404 of an unknown job
   * (so job ids cannot be probed). Jobs started by builds that did not record owners are the admins' only.
   */
  private static Route copyJob(TreeService tree, Principal p, String id) {
    CompletionStage<CopyJob> job = tree.getCopyJob(GetCopyJobRequest.newBuilder().setJobId(id).build())
        .thenApply(j -> {
          if (!p.isAdmin() && !j.getBy().equals(p.login())) throw ApiError.notFound("no copy job '" + id + "'");
          return j;
        });
    return Json.reply(job, StatusCodes.OK,
        j -> Map.of("jobId", j.getJobId(), "done", j.getDone(), "foldersDone", j.getFoldersDone(),
            "foldersPending", j.getFoldersPending(), "filesCopied", j.getFilesCopied()));
  }

  private static Route trash(TreeService tree, FileAccess access, Principal p, String ws, String path, String requestId) {
    if (path.isEmpty()) return Json.fail(ApiError.badRequest("a workspace root cannot be deleted"));
    CompletionStage<Map<String, Object>> trashed = access.resolveSubtree(p, ws, path, NodeAction.REMOVE).thenCompose(l -> tree.trash(
        TrashRequest.newBuilder().setDatasource(l.datasource()).setPath(l.path()).setBy(p.login()).setRequestId(requestId)
            .build())
        .thenApply(n -> json(ws, path, n)));
    return Json.reply(trashed, StatusCodes.OK, m -> m);
  }

  /** The bin entries the caller may see (see {@link TrashBin}). */
  private static Route trashList(TreeService tree, FileAccess access, Principal p, String ws) {
    return parameterMap(q -> {
      int offset;
      int limit;
      try {
        offset = intParam(q, "offset", 0, 0, Integer.MAX_VALUE);
        limit = intParam(q, "limit", 100, 1, 1000);
      } catch (ApiError e) {
        return Json.fail(e);
      }
      return Json.reply(TrashBin.list(tree, access, p, ws, offset, limit), StatusCodes.OK, m -> m);
    });
  }

  private static Route restore(TreeService tree, FileAccess access, Principal p, String ws, String uuid, String body,
                               String requestId) {
    Optional<String> to;
    try {
      to = body.isBlank() ? Optional.empty() : Optional.ofNullable(Json.MAPPER.readValue(body, RestoreBody.class).to());
    } catch (IOException e) {
      return Json.fail(ApiError.badRequest("the body must be {\"to\": \"path\"} or empty"));
    }
    return Json.reply(TrashBin.restore(tree, access, p, ws, uuid, to, requestId), StatusCodes.OK, m -> m);
  }

  private static Route purge(TreeService tree, FileAccess access, Blobs blobs, Principal p, String ws, String uuid,
                             String requestId) {
    return Json.reply(TrashBin.purge(tree, access, blobs, p, ws, uuid, requestId), r -> complete(StatusCodes.NO_CONTENT));
  }
}
