package arca.rest.files.dav;

import akka.actor.typed.ActorSystem;
import akka.http.javadsl.model.ContentType;
import akka.http.javadsl.model.ContentTypes;
import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpHeader;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;
import akka.http.javadsl.model.headers.RawHeader;
import akka.stream.Materializer;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import arca.proto.lock.DavLock;
import arca.proto.lock.LockRequest;
import arca.proto.lock.LockService;
import arca.proto.lock.RefreshRequest;
import arca.proto.lock.ReleaseUnderRequest;
import arca.proto.lock.UnlockRequest;
import arca.proto.objects.Blob;
import arca.proto.tree.CopyRequest;
import arca.proto.tree.CreateFolderRequest;
import arca.proto.tree.GetCopyJobRequest;
import arca.proto.tree.ListRequest;
import arca.proto.tree.MoveRequest;
import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.proto.tree.PutFileRequest;
import arca.proto.tree.SetPropsRequest;
import arca.proto.tree.StatRequest;
import arca.proto.tree.TrashRequest;
import arca.proto.tree.TreeService;
import arca.rest.ApiError;
import arca.rest.RequestIds;
import arca.rest.access.Principal;
import arca.rest.files.Blobs;
import arca.rest.files.Conditions;
import arca.rest.files.FileAccess;
import arca.rest.files.FilePuts;
import arca.rest.files.Location;
import arca.rest.files.NodeAction;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * The WebDAV methods over the tree, the objects and the lock service. Each request is authenticated and passes the
 * policies ({@link DavAuth}); the path is resolved with the caller's ACLs ({@link FileAccess}: read for reads, write
 * for changes); a change passes the If header and the locks ({@link DavGuard}). Listings stream: a PROPFIND of depth 1
 * writes its multistatus page by page of the tree's cursor paging, never holding the folder.
 */
final class DavHandler {
  static final String ALLOW = "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND, PROPPATCH, MKCOL, COPY, MOVE, LOCK, UNLOCK";
  /** The lock timeout granted when the client asks none (or one not understood), and the longest granted (seconds). */
  static final long DEFAULT_TIMEOUT = 3600;
  static final long MAX_TIMEOUT = 86_400;
  static final int PAGE = 1000;
  private static final DateTimeFormatter HTTP_DATE =
      DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
  /** Live properties of the DAV: namespace that a PROPPATCH cannot change. */
  private static final Set<String> PROTECTED = Set.of("resourcetype", "getetag", "getcontentlength", "getlastmodified",
      "lockdiscovery", "supportedlock", "creationdate", "getcontenttype");
  private static final String SUPPORTED_LOCK = "<D:lockentry><D:lockscope><D:exclusive/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>"
      + "<D:lockentry><D:lockscope><D:shared/></D:lockscope><D:locktype><D:write/></D:locktype></D:lockentry>";

  private final DavAuth auth;
  private final FileAccess access;
  private final TreeService tree;
  private final Blobs blobs;
  private final LockService locks;
  private final DavGuard guard;
  private final Materializer materializer;
  private final Clock clock;

  DavHandler(ActorSystem<?> system, DavAuth auth, FileAccess access, TreeService tree, Blobs blobs, LockService locks, Clock clock) {
    this.auth = auth;
    this.access = access;
    this.tree = tree;
    this.blobs = blobs;
    this.locks = locks;
    this.clock = clock;
    this.materializer = Materializer.matFromSystem(system);
    this.guard = new DavGuard(locks, (caller, path) -> target(caller, path, false).thenApply(Optional::of));
  }

  CompletionStage<HttpResponse> handle(HttpRequest request) {
    String method = request.method().value();
    DavPath path = DavPath.parse(rawPath(request));
    if (method.equals("OPTIONS")) return done(options());
    return auth.authenticate(request, path).thenCompose(caller -> switch (method) {
      case "GET" -> get(caller, request, path, false);
      case "HEAD" -> get(caller, request, path, true);
      case "PROPFIND" -> propfind(caller, request, path);
      case "PROPPATCH" -> proppatch(caller, request, path);
      case "MKCOL" -> mkcol(caller, request, path);
      case "PUT" -> put(caller, request, path);
      case "DELETE" -> delete(caller, request, path);
      case "COPY" -> copyOrMove(caller, request, path, false);
      case "MOVE" -> copyOrMove(caller, request, path, true);
      case "LOCK" -> lock(caller, request, path);
      case "UNLOCK" -> unlock(caller, request, path);
      default -> throw new DavError(StatusCodes.METHOD_NOT_ALLOWED, "method_not_allowed", method + " is not a WebDAV method here",
          null, List.of(RawHeader.create("Allow", ALLOW)));
    });
  }

  private static HttpResponse options() {
    return HttpResponse.create().withStatus(StatusCodes.OK).addHeaders(List.of(RawHeader.create("DAV", "1, 2"),
        RawHeader.create("MS-Author-Via", "DAV"), RawHeader.create("Allow", ALLOW)));
  }

  // ------------------------------------------------------------------------------------------------ resources

  /** Where a path lives for the caller and what is there; the top level has no location. */
  private CompletionStage<DavGuard.Target> target(Principal caller, DavPath path, boolean write) {
    return target(caller, path, write ? NodeAction.WRITE : NodeAction.READ);
  }

  /** As above, for a node action ({@link NodeAction}: a DELETE or a MOVE's source removes, a COPY's reads). */
  private CompletionStage<DavGuard.Target> target(Principal caller, DavPath path, NodeAction action) {
    if (path.isTop()) return done(new DavGuard.Target(path, null, Optional.empty()));
    CompletionStage<Location> loc = switch (action) {
      case READ -> access.resolve(caller, path.workspace(), path.path());
      case WRITE -> access.resolveForWrite(caller, path.workspace(), path.path());
      case REMOVE -> access.resolveForRemoval(caller, path.workspace(), path.path());
    };
    return loc.thenCompose(l -> stat(l).thenCompose(n -> n.isPresent() || !path.isWorkspaceRoot()
        ? done(new DavGuard.Target(path, l, n)) : root(path, l)));
  }

  /**
   * A workspace whose root folder was never written to (a new shared workspace) is an empty collection, not a missing
   * one: its root folder is made on first use, so that clients can list it and create in it.
   */
  private CompletionStage<DavGuard.Target> root(DavPath path, Location l) {
    return tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(l.datasource()).setPath(l.path())
            .setRequestId(RequestIds.fresh()).build())
        .thenApply(n -> new DavGuard.Target(path, l, Optional.of(n)));
  }

  private CompletionStage<Optional<Node>> stat(Location l) {
    return tree.stat(StatRequest.newBuilder().setDatasource(l.datasource()).setPath(l.path()).build())
        .thenApply(Optional::of)
        .exceptionally(e -> {
          if (ApiError.of(e).status.intValue() == 404) return Optional.empty();
          throw wrap(e);
        });
  }

  /** A change needs an existing parent collection (409 Conflict otherwise, RFC 4918 9.3.1, 9.7.1). */
  private CompletionStage<DavGuard.Target> parentCollection(Principal caller, DavPath path) {
    return target(caller, path.parent(), true).thenApply(p -> {
      if (!p.isFolder()) throw DavError.conflict("the parent collection of '" + path.href(false) + "' does not exist");
      return p;
    });
  }

  // ------------------------------------------------------------------------------------------------ GET, HEAD

  private CompletionStage<HttpResponse> get(Principal caller, HttpRequest request, DavPath path, boolean head) {
    if (path.isTop()) throw notAllowed("the top level is a collection: use PROPFIND", "OPTIONS, PROPFIND");
    return target(caller, path, false).thenCompose(t -> {
      Node node = t.node().orElseThrow(() -> DavError.notFound("no resource at '" + path.href(false) + "'"));
      if (node.getType() == NodeType.FOLDER) throw notAllowed("'" + path.href(true) + "' is a collection: use PROPFIND", ALLOW);
      List<HttpHeader> headers = new ArrayList<>(List.of(RawHeader.create("ETag", etag(node)),
          RawHeader.create("Last-Modified", HTTP_DATE.format(Instant.ofEpochMilli(node.getMtime()))),
          RawHeader.create("Accept-Ranges", "bytes")));
      switch (Conditions.evaluate(request, node.getEtag(), node.getMtime())) {
        case PRECONDITION_FAILED -> throw DavError.preconditionFailed("a precondition (If-Match, If-Unmodified-Since) does not hold");
        case NOT_MODIFIED -> {
          return done(HttpResponse.create().withStatus(StatusCodes.NOT_MODIFIED).addHeaders(headers));
        }
        case SERVE -> { }
      }
      long size = node.getSize();
      long first = 0;
      long length = size;
      StatusCode status = StatusCodes.OK;
      Optional<long[]> range = range(request.getHeader("Range").map(HttpHeader::value), size);
      if (range.isPresent()) {
        first = range.get()[0];
        length = range.get()[1] - first + 1;
        status = StatusCodes.PARTIAL_CONTENT;
        headers.add(RawHeader.create("Content-Range", "bytes " + first + "-" + range.get()[1] + "/" + size));
      }
      ContentType type = contentType(node);
      HttpResponse response = HttpResponse.create().withStatus(status).addHeaders(headers);
      if (head || length == 0) {
        return done(arca.rest.files.UserContent.serve(response.withEntity(head ? HttpEntities.create(type, length, Source.empty())
            : HttpEntities.create(type, new byte[0])), node.getName()));
      }
      long len = length;
      return firstChunkThen(blobs.download(node.getDatasource(), node.getBlobId(), first, length))
          .thenApply(bytes -> arca.rest.files.UserContent.serve(response.withEntity(HttpEntities.create(type, len, bytes)), node.getName()));
    });
  }

  /** A single byte range {first, last} of a Range header; empty for none or several; 416 when unsatisfiable. */
  static Optional<long[]> range(Optional<String> header, long size) {
    if (header.isEmpty()) return Optional.empty();
    String h = header.get().trim();
    if (!h.startsWith("bytes=") || h.contains(",")) return Optional.empty();
    String spec = h.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) return Optional.empty();
    try {
      long first;
      long last;
      if (dash == 0) {
        long suffix = Long.parseLong(spec.substring(1));
        if (suffix <= 0) throw unsatisfiable(size);
        first = Math.max(0, size - suffix);
        last = size - 1;
      } else {
        first = Long.parseLong(spec.substring(0, dash));
        last = dash == spec.length() - 1 ? size - 1 : Math.min(size - 1, Long.parseLong(spec.substring(dash + 1)));
        if (last < first && dash != spec.length() - 1) return Optional.empty();
      }
      if (first >= size || size == 0) throw unsatisfiable(size);
      return Optional.of(new long[] {first, last});
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static DavError unsatisfiable(long size) {
    return new DavError(StatusCodes.RANGE_NOT_SATISFIABLE, "range_not_satisfiable", "the range lies outside the "
        + size + " bytes of the file", null, List.of(RawHeader.create("Content-Range", "bytes */" + size)));
  }

  private CompletionStage<Source<ByteString, ?>> firstChunkThen(Source<ByteString, ?> download) {
    return download.prefixAndTail(1).runWith(Sink.head(), materializer)
        .thenApply(pt -> Source.from(pt.first()).concat(pt.second()));
  }

  // ------------------------------------------------------------------------------------------------ PROPFIND

  private CompletionStage<HttpResponse> propfind(Principal caller, HttpRequest request, DavPath path) {
    String depth = request.getHeader("Depth").map(h -> h.value().trim().toLowerCase(Locale.ROOT)).orElse("infinity");
    if (depth.equals("infinity")) {
      throw DavError.withPrecondition(StatusCodes.FORBIDDEN, "propfind_finite_depth",
          "PROPFIND with Depth: infinity is not served: ask Depth 0 or 1", "propfind-finite-depth");
    }
    if (!depth.equals("0") && !depth.equals("1")) throw DavError.badRequest("Depth must be 0, 1 or infinity");
    return body(request).thenCompose(body -> {
      DavXml.Propfind what = DavXml.propfind(body);
      if (path.isTop()) return top(caller, what, depth.equals("1"));
      return target(caller, path, false).thenCompose(t -> {
        Node node = t.node().orElseThrow(() -> DavError.notFound("no resource at '" + path.href(false) + "'"));
        boolean listing = depth.equals("1") && node.getType() == NodeType.FOLDER;
        return guard.covering(t.loc(), listing).thenCompose(found -> {
          StringBuilder head = new StringBuilder(MULTISTATUS_START);
          response(head, path.href(node.getType() == NodeType.FOLDER), node, what, locksOn(found, t.loc().path()));
          if (!listing) {
            head.append(MULTISTATUS_END);
            return done(multistatus(Source.single(ByteString.fromString(head.toString()))));
          }
          return access.visibility(caller, path.workspace()).thenCompose(v -> listing(t, what, found, v)).thenApply(pages -> multistatus(
              Source.single(ByteString.fromString(head.toString())).concat(pages)
                  .concat(Source.single(ByteString.fromString(MULTISTATUS_END)))));
        });
      });
    });
  }

  /**
   * The children of a folder the caller may see ({@link FileAccess#visibility}) as multistatus responses, one chunk
   * per page; the first page is read before answering.
   */
  private CompletionStage<Source<ByteString, ?>> listing(DavGuard.Target folder, DavXml.Propfind what, List<DavLock> found,
                                                         FileAccess.Visibility v) {
    Location loc = folder.loc();
    return page(loc, "").thenApply(first -> {
      Source<ByteString, ?> rest = first.getNextCursor().isEmpty() ? Source.empty()
          : Source.<String, arca.proto.tree.ListResponse>unfoldAsync(first.getNextCursor(), cursor -> cursor.isEmpty()
              ? CompletableFuture.completedFuture(Optional.empty())
              : page(loc, cursor).thenApply(p -> Optional.of(akka.japi.Pair.create(p.getNextCursor(), p))))
              .map(p -> render(folder, what, found, p, v));
      return Source.single(render(folder, what, found, first, v)).concat(rest);
    });
  }

  private CompletionStage<arca.proto.tree.ListResponse> page(Location loc, String cursor) {
    return tree.list(ListRequest.newBuilder().setDatasource(loc.datasource()).setPath(loc.path()).setLimit(PAGE)
        .setCursor(cursor).build());
  }

  private ByteString render(DavGuard.Target folder, DavXml.Propfind what, List<DavLock> found, arca.proto.tree.ListResponse page,
                            FileAccess.Visibility v) {
    StringBuilder b = new StringBuilder(page.getChildrenCount() * 400);
    for (Node child : page.getChildrenList()) {
      if (FileAccess.hidden(folder.loc().path(), child.getName()) || !v.visible(folder.path().child(child.getName()).path())) continue;
      String childPath = folder.loc().child(child.getName()).path();
      response(b, folder.path().child(child.getName()).href(child.getType() == NodeType.FOLDER), child, what,
          locksOn(found, childPath));
    }
    return ByteString.fromString(b.toString());
  }

  /** The top level: a collection whose members are the caller's workspaces. */
  private CompletionStage<HttpResponse> top(Principal caller, DavXml.Propfind what, boolean listing) {
    CompletionStage<List<String>> slugs = listing ? access.visibleWorkspaces(caller) : done(List.of());
    return slugs.thenApply(list -> {
      StringBuilder b = new StringBuilder(MULTISTATUS_START);
      response(b, DavPath.TOP.href(true), null, what, List.of());
      for (String slug : list) response(b, new DavPath(slug, "").href(true), null, what, List.of());
      b.append(MULTISTATUS_END);
      return multistatus(Source.single(ByteString.fromString(b.toString())));
    });
  }

  private static final String MULTISTATUS_START = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\">\n";
  private static final String MULTISTATUS_END = "</D:multistatus>\n";

  private static HttpResponse multistatus(Source<ByteString, ?> body) {
    return HttpResponse.create().withStatus(StatusCodes.MULTI_STATUS)
        .withEntity(HttpEntities.create(DavXml.XML, body));
  }

  /** Locks that apply to a path (on it, or an ancestor's with depth infinity). */
  private static List<DavLock> locksOn(List<DavLock> found, String path) {
    return found.stream().filter(l -> DavGuard.covers(l, path)).toList();
  }

  /**
   * One {@code <D:response>}: the properties asked that exist in a 200 propstat, the others in a 404 one. A null node
   * is the top level or a workspace listed there (collections with no further property).
   */
  private void response(StringBuilder b, String href, Node node, DavXml.Propfind what, List<DavLock> nodeLocks) {
    Map<DavXml.Name, String> props = properties(node, nodeLocks);
    b.append("<D:response><D:href>").append(DavXml.escape(href)).append("</D:href>");
    List<DavXml.Name> missing = new ArrayList<>();
    StringBuilder found = new StringBuilder();
    if (what instanceof DavXml.AllProp all) {
      props.forEach((n, v) -> DavXml.property(found, n, v));
      for (DavXml.Name n : all.include()) if (!props.containsKey(n)) missing.add(n);
    } else if (what instanceof DavXml.Props asked) {
      for (DavXml.Name n : asked.names()) {
        String v = props.get(n);
        if (v == null) missing.add(n);
        else DavXml.property(found, n, v);
      }
    } else {
      props.keySet().forEach(n -> DavXml.property(found, n, ""));
    }
    if (!found.isEmpty()) b.append("<D:propstat><D:prop>").append(found).append("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>");
    if (!missing.isEmpty()) {
      b.append("<D:propstat><D:prop>");
      for (DavXml.Name n : missing) DavXml.property(b, n, "");
      b.append("</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>");
    }
    if (found.isEmpty() && missing.isEmpty()) b.append("<D:propstat><D:prop/><D:status>HTTP/1.1 200 OK</D:status></D:propstat>");
    b.append("</D:response>\n");
  }

  /** A resource's properties (live, then dead), values as XML. */
  private Map<DavXml.Name, String> properties(Node node, List<DavLock> nodeLocks) {
    Map<DavXml.Name, String> out = new LinkedHashMap<>();
    boolean folder = node == null || node.getType() == NodeType.FOLDER;
    out.put(DavXml.Name.dav("resourcetype"), folder ? "<D:collection/>" : "");
    if (node != null) {
      if (!folder) {
        out.put(DavXml.Name.dav("getcontentlength"), Long.toString(node.getSize()));
        out.put(DavXml.Name.dav("getcontenttype"), DavXml.escape(contentType(node).toString()));
        out.put(DavXml.Name.dav("getetag"), DavXml.escape(etag(node)));
      }
      if (node.getMtime() > 0) out.put(DavXml.Name.dav("getlastmodified"), HTTP_DATE.format(Instant.ofEpochMilli(node.getMtime())));
      out.put(DavXml.Name.dav("supportedlock"), SUPPORTED_LOCK);
      StringBuilder active = new StringBuilder();
      for (DavLock l : nodeLocks) activeLock(active, l);
      out.put(DavXml.Name.dav("lockdiscovery"), active.toString());
      node.getPropsMap().forEach((k, v) -> {
        DavXml.Name n = DavXml.Name.ofKey(k);
        if (!out.containsKey(n)) out.put(n, v);
      });
    }
    return out;
  }

  private void activeLock(StringBuilder b, DavLock l) {
    long left = Math.max(0, (l.getExpiresAt() - clock.millis()) / 1000);
    b.append("<D:activelock><D:locktype><D:write/></D:locktype><D:lockscope>")
        .append(l.getExclusive() ? "<D:exclusive/>" : "<D:shared/>").append("</D:lockscope><D:depth>")
        .append(l.getInfinite() ? "infinity" : "0").append("</D:depth>")
        .append(l.getOwnerXml())
        .append("<D:timeout>Second-").append(left).append("</D:timeout><D:locktoken><D:href>")
        .append(DavXml.escape(l.getToken())).append("</D:href></D:locktoken><D:lockroot><D:href>")
        .append(DavXml.escape(l.getRootHref())).append("</D:href></D:lockroot></D:activelock>");
  }

  static String etag(Node n) {
    return "\"" + n.getEtag() + "\"";
  }

  private static ContentType contentType(Node n) {
    if (!n.getContentType().isEmpty()) {
      try {
        return akka.http.javadsl.model.ContentTypes.parse(n.getContentType());
      } catch (RuntimeException ignored) {
        // stored as sent: fall through
      }
    }
    return ContentTypes.APPLICATION_OCTET_STREAM;
  }

  // ------------------------------------------------------------------------------------------------ PROPPATCH

  private CompletionStage<HttpResponse> proppatch(Principal caller, HttpRequest request, DavPath path) {
    if (path.isTop()) throw DavError.forbidden("the top level keeps no properties");
    DavIf condition = condition(request);
    return body(request).thenCompose(body -> {
      List<DavXml.PropOp> ops = DavXml.propertyUpdate(body);
      return target(caller, path, true).thenCompose(t -> {
        Node node = t.node().orElseThrow(() -> DavError.notFound("no resource at '" + path.href(false) + "'"));
        String href = path.href(node.getType() == NodeType.FOLDER);
        return guard.check(caller, condition, t, List.of(new DavGuard.Scope(path, t.loc(), false))).thenCompose(ok -> {
          List<DavXml.Name> refused = ops.stream().map(DavXml.PropOp::name)
              .filter(n -> n.isDav() && PROTECTED.contains(n.local())).distinct().toList();
          if (!refused.isEmpty() || t.loc().path().isEmpty()) {
            return done(propstat(href, ops, refused.isEmpty() ? ops.stream().map(DavXml.PropOp::name).toList() : refused,
                refused.isEmpty() ? "409 Conflict" : "403 Forbidden"));
          }
          Map<String, String> set = new LinkedHashMap<>();
          java.util.Set<String> remove = new java.util.LinkedHashSet<>();
          for (DavXml.PropOp op : ops) {
            String key = op.name().key();
            if (op.set()) {
              set.put(key, op.value());
              remove.remove(key);
            } else {
              set.remove(key);
              remove.add(key);
            }
          }
          return tree.setProps(SetPropsRequest.newBuilder().setDatasource(t.loc().datasource()).setPath(t.loc().path())
                  .putAllSet(set).addAllRemove(remove).setRequestId(requestId(request, caller)).build())
              .thenApply(n -> propstat(href, ops, List.of(), "200 OK"))
              .exceptionally(e -> {
                ApiError a = ApiError.of(e);
                if (a.status.intValue() == 429) {
                  return propstat(href, ops, ops.stream().map(DavXml.PropOp::name).toList(), "507 Insufficient Storage");
                }
                throw wrap(e);
              });
        });
      });
    });
  }

  /**
   * The multistatus of a PROPPATCH: every property with {@code status} when none failed, else the {@code failed}
   * ones with it and the others 424 Failed Dependency (a PROPPATCH applies all or nothing).
   */
  private static HttpResponse propstat(String href, List<DavXml.PropOp> ops, List<DavXml.Name> failed, String status) {
    List<DavXml.Name> names = ops.stream().map(DavXml.PropOp::name).distinct().toList();
    StringBuilder b = new StringBuilder(MULTISTATUS_START).append("<D:response><D:href>").append(DavXml.escape(href)).append("</D:href>");
    List<DavXml.Name> dependent = failed.isEmpty() ? List.of() : names.stream().filter(n -> !failed.contains(n)).toList();
    List<DavXml.Name> first = failed.isEmpty() ? names : failed;
    b.append("<D:propstat><D:prop>");
    for (DavXml.Name n : first) DavXml.property(b, n, "");
    b.append("</D:prop><D:status>HTTP/1.1 ").append(status).append("</D:status></D:propstat>");
    if (!dependent.isEmpty()) {
      b.append("<D:propstat><D:prop>");
      for (DavXml.Name n : dependent) DavXml.property(b, n, "");
      b.append("</D:prop><D:status>HTTP/1.1 424 Failed Dependency</D:status></D:propstat>");
    }
    b.append("</D:response>\n").append(MULTISTATUS_END);
    return multistatus(Source.single(ByteString.fromString(b.toString())));
  }

  // ------------------------------------------------------------------------------------------------ MKCOL, PUT

  private CompletionStage<HttpResponse> mkcol(Principal caller, HttpRequest request, DavPath path) {
    if (path.isTop() || path.isWorkspaceRoot()) throw notAllowed("'" + path.href(true) + "' exists", "OPTIONS, PROPFIND");
    DavIf condition = condition(request);
    return body(request).thenCompose(body -> {
      if (!body.isEmpty()) {
        throw new DavError(StatusCodes.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "MKCOL takes no body");
      }
      return target(caller, path, true).thenCompose(t -> {
        if (t.exists()) throw notAllowed("'" + path.href(t.isFolder()) + "' exists already", ALLOW);
        return parentCollection(caller, path).thenCompose(parent -> guard.check(caller, condition, t,
                List.of(new DavGuard.Scope(parent.path(), parent.loc(), false))))
            .thenCompose(ok -> tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(t.loc().datasource())
                .setPath(t.loc().path()).setRequestId(requestId(request, caller)).build()))
            .thenApply(n -> HttpResponse.create().withStatus(StatusCodes.CREATED));
      });
    });
  }

  private CompletionStage<HttpResponse> put(Principal caller, HttpRequest request, DavPath path) {
    if (path.isTop() || path.isWorkspaceRoot()) throw notAllowed("'" + path.href(true) + "' is a collection", "OPTIONS, PROPFIND");
    DavIf condition = condition(request);
    return target(caller, path, true).thenCompose(t -> {
      if (t.isFolder()) throw notAllowed("'" + path.href(true) + "' is a collection", "OPTIONS, PROPFIND, DELETE, MOVE, COPY, LOCK, UNLOCK, PROPPATCH");
      Optional<String> ifMatch = request.getHeader("If-Match").map(h -> h.value().trim());
      boolean ifNoneMatch = request.getHeader("If-None-Match").map(h -> h.value().trim().equals("*")).orElse(false);
      if (ifNoneMatch && t.exists() || ifMatch.isPresent() && (t.node().isEmpty() || !Conditions.matches(ifMatch.get(), t.node().get().getEtag()))) {
        throw DavError.preconditionFailed("a precondition (If-Match, If-None-Match) does not hold");
      }
      CompletionStage<Optional<DavGuard.Target>> parent = t.exists() ? done(Optional.empty())
          : parentCollection(caller, path).thenApply(Optional::of);
      return parent.thenCompose(p -> {
        List<DavGuard.Scope> scopes = new ArrayList<>();
        scopes.add(new DavGuard.Scope(path, t.loc(), false));
        p.ifPresent(pt -> scopes.add(new DavGuard.Scope(pt.path(), pt.loc(), false)));
        return guard.check(caller, condition, t, scopes);
      }).thenCompose(ok -> {
        Long declared = request.entity().getContentLengthOption().isPresent() ? request.entity().getContentLengthOption().getAsLong() : null;
        return blobs.upload(t.loc().datasource(), request.entity().getDataBytes(), new Blobs.Expected(declared, null, null));
      }).thenCompose(blob -> {
        PutFileRequest.Builder put = PutFileRequest.newBuilder().setDatasource(t.loc().datasource()).setPath(t.loc().path())
            .setBlobId(blob.getBlobId()).setSize(blob.getSize()).setEtag(blob.getMd5Hex()).setSha256(blob.getSha256Hex())
            .setContentType(storedType(request)).setRequestId(requestId(request, caller)).setIfNoneMatch(ifNoneMatch);
        // the condition held against this etag (If-Match may list several, or be *): the put applies only while it stays
        if (ifMatch.isPresent()) t.node().ifPresent(n -> put.setIfMatch(n.getEtag()));
        return FilePuts.record(tree, blobs, put.build()).exceptionally(e -> {
          if ((ifMatch.isPresent() || ifNoneMatch) && ApiError.of(e).code.equals("failed_precondition")) {
            throw DavError.preconditionFailed("a precondition (If-Match, If-None-Match) does not hold");
          }
          throw wrap(e);
        });
      }).thenApply(node -> HttpResponse.create().withStatus(t.exists() ? StatusCodes.NO_CONTENT : StatusCodes.CREATED)
          .addHeader(RawHeader.create("ETag", etag(node))));
    });
  }

  private static String storedType(HttpRequest request) {
    ContentType type = request.entity().getContentType();
    return type.equals(ContentTypes.NO_CONTENT_TYPE) ? "" : type.toString();
  }

  // ------------------------------------------------------------------------------------------------ DELETE

  private CompletionStage<HttpResponse> delete(Principal caller, HttpRequest request, DavPath path) {
    if (path.isTop() || path.isWorkspaceRoot()) throw DavError.forbidden("a workspace root cannot be deleted");
    if (rawPath(request).contains("#")) throw DavError.badRequest("a URL with a fragment names no resource");
    DavIf condition = condition(request);
    return target(caller, path, NodeAction.REMOVE).thenCompose(t -> {
      Node node = t.node().orElseThrow(() -> DavError.notFound("no resource at '" + path.href(false) + "'"));
      String depth = request.getHeader("Depth").map(h -> h.value().trim().toLowerCase(Locale.ROOT)).orElse("infinity");
      if (node.getType() == NodeType.FOLDER && !depth.equals("infinity")) throw DavError.badRequest("DELETE of a collection is Depth: infinity");
      Optional<String> ifMatch = request.getHeader("If-Match").map(h -> h.value().trim());
      if (ifMatch.isPresent() && (node.getType() != NodeType.FILE || !Conditions.matches(ifMatch.get(), node.getEtag()))) {
        throw DavError.preconditionFailed("If-Match does not hold");
      }
      return subtree(caller, path, node, NodeAction.REMOVE).thenCompose(x -> target(caller, path.parent(), true))
          .thenCompose(parent -> guard.check(caller, condition, t, List.of(
              new DavGuard.Scope(path, t.loc(), true), new DavGuard.Scope(parent.path(), parent.loc(), false))))
          .thenCompose(ok -> trash(caller, request, t.loc()))
          .thenApply(x -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
    });
  }

  /**
   * A folder's copy (read), move or delete (remove), or a folder landing at a destination (write), takes everything
   * below it: no node there may be one an ACL or a policy keeps from the caller (403).
   */
  private CompletionStage<Void> subtree(Principal caller, DavPath path, Node node, NodeAction... actions) {
    if (node.getType() != NodeType.FOLDER) return done(null);
    return access.resolveSubtree(caller, path.workspace(), path.path(), actions).thenApply(l -> (Void) null);
  }

  /** Moves a resource to the recycle bin and drops the locks on it and below. */
  private CompletionStage<Void> trash(Principal caller, HttpRequest request, Location loc) {
    return tree.trash(TrashRequest.newBuilder().setDatasource(loc.datasource()).setPath(loc.path()).setBy(caller.login())
            .setRequestId(RequestIds.derived(requestId(request, caller), "trash:" + loc.path())).build())
        .thenCompose(n -> releaseUnder(loc));
  }

  private CompletionStage<Void> releaseUnder(Location loc) {
    return locks.releaseUnder(ReleaseUnderRequest.newBuilder().setDatasource(loc.datasource()).setPath(loc.path()).build())
        .thenApply(r -> (Void) null);
  }

  // ------------------------------------------------------------------------------------------------ COPY, MOVE

  private CompletionStage<HttpResponse> copyOrMove(Principal caller, HttpRequest request, DavPath path, boolean move) {
    String verb = move ? "MOVE" : "COPY";
    if (path.isTop() || path.isWorkspaceRoot()) throw DavError.forbidden("a workspace root cannot be " + (move ? "moved" : "copied"));
    String destinationHeader = request.getHeader("Destination").map(HttpHeader::value)
        .orElseThrow(() -> DavError.badRequest(verb + " needs a Destination header"));
    DavPath dest = DavPath.parseUrl(destinationHeader.trim(), host(request)).orElseThrow(() -> new DavError(
        StatusCodes.BAD_GATEWAY, "bad_gateway", "the destination is not a WebDAV resource of this server: " + destinationHeader));
    if (dest.isTop() || dest.isWorkspaceRoot()) throw DavError.forbidden("the destination cannot be a workspace root or the top level");
    String overwriteHeader = request.getHeader("Overwrite").map(h -> h.value().trim().toUpperCase(Locale.ROOT)).orElse("T");
    if (!overwriteHeader.equals("T") && !overwriteHeader.equals("F")) throw DavError.badRequest("Overwrite must be T or F");
    boolean overwrite = overwriteHeader.equals("T");
    String depth = request.getHeader("Depth").map(h -> h.value().trim().toLowerCase(Locale.ROOT)).orElse("infinity");
    if (!depth.equals("infinity") && !(depth.equals("0") && !move)) {
      throw DavError.badRequest(verb + " of a collection takes Depth: infinity" + (move ? "" : " or 0"));
    }
    DavIf condition = condition(request);
    NodeAction atSource = move ? NodeAction.REMOVE : NodeAction.READ;
    return auth.permit(caller, verb, dest).thenCompose(x -> target(caller, path, atSource)).thenCompose(src -> {
      Node node = src.node().orElseThrow(() -> DavError.notFound("no resource at '" + path.href(false) + "'"));
      boolean folder = node.getType() == NodeType.FOLDER;
      return subtree(caller, path, node, atSource).thenCompose(x -> target(caller, dest, true))
          .thenCompose(to -> landing(caller, dest, node, to, overwrite)).thenCompose(to -> {
        if (!to.loc().datasource().equals(src.loc().datasource())) {
          throw DavError.forbidden("the workspaces of '" + path.href(false) + "' and '" + dest.href(false)
              + "' keep their files in different datasources");
        }
        // compared where the files live (two workspaces may share folders): overwriting the source, a folder holding
        // it, or a place inside it would destroy what is being copied or moved
        String from = src.loc().path();
        String onto = to.loc().path();
        if (onto.equals(from)) throw DavError.forbidden("the source and the destination are the same");
        if (onto.isEmpty() || from.startsWith(onto + "/")) throw DavError.forbidden("the destination holds the source");
        if (folder && onto.startsWith(from + "/")) {
          throw DavError.forbidden("a collection cannot be " + (move ? "moved" : "copied") + " into itself");
        }
        if (to.exists() && !overwrite) throw DavError.preconditionFailed("the destination exists and Overwrite is F");
        return parentCollection(caller, dest).thenCompose(destParent -> {
          List<DavGuard.Scope> scopes = new ArrayList<>();
          if (move) {
            scopes.add(new DavGuard.Scope(path, src.loc(), true));
            scopes.add(new DavGuard.Scope(path.parent(), null, false));
          }
          scopes.add(new DavGuard.Scope(dest, to.loc(), true));
          scopes.add(new DavGuard.Scope(destParent.path(), destParent.loc(), false));
          return (move ? target(caller, path.parent(), true) : done(null)).thenCompose(srcParent -> {
            List<DavGuard.Scope> resolved = scopes.stream().map(s -> s.loc() != null ? s
                : new DavGuard.Scope(s.path(), ((DavGuard.Target) srcParent).loc(), false)).toList();
            return guard.check(caller, condition, src, resolved);
          });
        }).thenCompose(ok -> to.exists() ? trash(caller, request, to.loc()) : done(null))
            .thenCompose(x -> move ? moveNode(caller, request, src, to) : copyNode(caller, request, src, to, node, depth))
            .thenApply(x -> HttpResponse.create().withStatus(to.exists() ? StatusCodes.NO_CONTENT : StatusCodes.CREATED));
      });
    });
  }

  /**
   * The destination of a COPY or MOVE: a folder lands with everything in it (written below too), and a resource it
   * replaces is removed (with everything below it).
   */
  private CompletionStage<DavGuard.Target> landing(Principal caller, DavPath dest, Node source, DavGuard.Target to, boolean overwrite) {
    CompletionStage<Void> below = subtree(caller, dest, source, NodeAction.WRITE);
    if (!to.exists() || !overwrite) return below.thenApply(x -> to);
    return below.thenCompose(x -> access.resolveSubtree(caller, dest.workspace(), dest.path(), NodeAction.REMOVE)).thenApply(l -> to);
  }

  private CompletionStage<Void> moveNode(Principal caller, HttpRequest request, DavGuard.Target src, DavGuard.Target to) {
    return tree.move(MoveRequest.newBuilder().setDatasource(src.loc().datasource()).setFrom(src.loc().path())
            .setTo(to.loc().path()).setRequestId(requestId(request, caller)).build())
        .thenCompose(n -> releaseUnder(src.loc()));
  }

  private CompletionStage<Void> copyNode(Principal caller, HttpRequest request, DavGuard.Target src, DavGuard.Target to,
                                         Node node, String depth) {
    String requestId = requestId(request, caller);
    if (node.getType() == NodeType.FOLDER && depth.equals("0")) {
      return tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(to.loc().datasource()).setPath(to.loc().path())
              .setRequestId(requestId).build())
          .thenCompose(n -> node.getPropsCount() == 0 ? done(null) : tree.setProps(SetPropsRequest.newBuilder()
              .setDatasource(to.loc().datasource()).setPath(to.loc().path()).putAllSet(node.getPropsMap())
              .setRequestId(RequestIds.derived(requestId, "props")).build()).thenApply(x -> (Void) null));
    }
    return tree.copy(CopyRequest.newBuilder().setDatasource(src.loc().datasource()).setFrom(src.loc().path())
            .setTo(to.loc().path()).setRequestId(requestId).setBy(caller.login()).build())
        .thenCompose(r -> r.getJobId().isEmpty() ? done(null) : awaitCopy(r.getJobId(), 20));
  }

  /** Waits for a folder copy job to complete (a WebDAV COPY answers when the copy exists). */
  private CompletionStage<Void> awaitCopy(String jobId, long delayMs) {
    return tree.getCopyJob(GetCopyJobRequest.newBuilder().setJobId(jobId).build()).thenCompose(job -> {
      if (job.getDone()) return done(null);
      CompletableFuture<Void> later = new CompletableFuture<>();
      CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS)
          .execute(() -> awaitCopy(jobId, Math.min(500, delayMs * 2)).whenComplete((v, e) -> {
            if (e != null) later.completeExceptionally(e);
            else later.complete(null);
          }));
      return later;
    });
  }

  // ------------------------------------------------------------------------------------------------ LOCK, UNLOCK

  private CompletionStage<HttpResponse> lock(Principal caller, HttpRequest request, DavPath path) {
    if (path.isTop()) throw notAllowed("the top level cannot be locked", "OPTIONS, PROPFIND");
    long timeout = timeout(request.getHeader("Timeout").map(HttpHeader::value));
    DavIf condition = condition(request);
    return body(request).thenCompose(body -> target(caller, path, true).thenCompose(t -> {
      if (body.isEmpty()) return refresh(caller, condition, t, timeout);
      DavXml.LockInfo info = DavXml.lockInfo(body);
      String depth = request.getHeader("Depth").map(h -> h.value().trim().toLowerCase(Locale.ROOT)).orElse("infinity");
      if (!depth.equals("0") && !depth.equals("infinity")) throw DavError.badRequest("LOCK takes Depth: 0 or infinity");
      if (info.ownerXml().length() > 4096) throw DavError.badRequest("the lock owner is longer than 4096 characters");
      // a lock on an unmapped URL creates a member of the parent: the parent's locks apply to that
      CompletionStage<List<DavGuard.Scope>> scopes = t.exists() ? done(List.of())
          : parentCollection(caller, path).thenApply(p -> List.of(new DavGuard.Scope(p.path(), p.loc(), false)));
      String token = "urn:uuid:" + UUID.randomUUID();
      return scopes.thenCompose(sc -> condition.present() || !sc.isEmpty() ? guard.check(caller, condition, t, sc) : done(null))
          .thenCompose(x -> locks.lock(LockRequest.newBuilder()
              .setDatasource(t.loc().datasource()).setPath(t.loc().path()).setExclusive(info.exclusive())
              .setInfinite(depth.equals("infinity")).setOwnerXml(info.ownerXml()).setLogin(caller.login())
              .setTimeoutSeconds(timeout).setRootHref(path.href(t.isFolder())).setToken(token).build())
          .exceptionally(e -> {
            if (ApiError.of(e).code.equals("failed_precondition")) {
              throw new DavError(StatusCodes.LOCKED, "locked", ApiError.of(e).getMessage(), "<D:no-conflicting-lock/>", List.of());
            }
            throw wrap(e);
          }))
          .thenCompose(granted -> {
            CompletionStage<Node> made = t.exists() ? done(t.node().get()) : createEmpty(caller, request, t);
            return made.handle((n, e) -> e).thenCompose(e -> {
              if (e == null) return done(granted);
              // the file could not be made: the lock taken for it goes
              return locks.unlock(UnlockRequest.newBuilder().setDatasource(granted.getDatasource())
                      .setToken(granted.getToken()).setLogin(caller.login()).build())
                  .handle((u, ue) -> (Void) null).thenCompose(x -> CompletableFuture.<DavLock>failedFuture(e));
            });
          })
          .thenApply(granted -> lockAnswer(t.exists() ? StatusCodes.OK : StatusCodes.CREATED, granted)
              .addHeader(RawHeader.create("Lock-Token", "<" + granted.getToken() + ">")));
    }));
  }

  /** LOCK on an unmapped URL creates an empty file there (RFC 4918 section 7.3). */
  private CompletionStage<Node> createEmpty(Principal caller, HttpRequest request, DavGuard.Target t) {
    return blobs.upload(t.loc().datasource(), Source.empty(), new Blobs.Expected(0L, null, null)).thenCompose((Blob blob) ->
        FilePuts.record(tree, blobs, PutFileRequest.newBuilder().setDatasource(t.loc().datasource()).setPath(t.loc().path())
            .setBlobId(blob.getBlobId()).setSize(0).setEtag(blob.getMd5Hex()).setSha256(blob.getSha256Hex())
            .setIfNoneMatch(true).setRequestId(RequestIds.derived(requestId(request, caller), "lock-null")).build()));
  }

  /** A LOCK without a body refreshes the locks whose tokens the If header submits (on this resource). */
  private CompletionStage<HttpResponse> refresh(Principal caller, DavIf condition, DavGuard.Target t, long timeout) {
    if (!condition.present()) throw DavError.badRequest("a LOCK without a body refreshes a lock: submit its token in an If header");
    if (!t.exists()) throw DavError.notFound("no resource at '" + t.path().href(false) + "'");
    return guard.check(caller, condition, t, List.of()).thenCompose(ok -> guard.covering(t.loc(), false)).thenCompose(found -> {
      Set<String> submitted = condition.submitted();
      Optional<DavLock> mine = found.stream().filter(l -> submitted.contains(l.getToken())).findFirst();
      if (mine.isEmpty()) {
        throw DavError.withPrecondition(StatusCodes.PRECONDITION_FAILED, "precondition_failed",
            "no lock of this resource has its token in the If header", "lock-token-matches-request-uri");
      }
      return locks.refresh(RefreshRequest.newBuilder().setDatasource(t.loc().datasource()).setToken(mine.get().getToken())
              .setLogin(caller.login()).setTimeoutSeconds(timeout).build())
          .thenApply(l -> lockAnswer(StatusCodes.OK, l));
    });
  }

  private HttpResponse lockAnswer(StatusCode status, DavLock lock) {
    StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:prop xmlns:D=\"DAV:\"><D:lockdiscovery>");
    activeLock(b, lock);
    b.append("</D:lockdiscovery></D:prop>\n");
    return HttpResponse.create().withStatus(status).withEntity(HttpEntities.create(DavXml.XML, b.toString().getBytes(StandardCharsets.UTF_8)));
  }

  private CompletionStage<HttpResponse> unlock(Principal caller, HttpRequest request, DavPath path) {
    if (path.isTop()) throw notAllowed("the top level holds no locks", "OPTIONS, PROPFIND");
    String header = request.getHeader("Lock-Token").map(h -> h.value().trim())
        .orElseThrow(() -> DavError.badRequest("UNLOCK needs a Lock-Token header"));
    if (!header.startsWith("<") || !header.endsWith(">")) throw DavError.badRequest("the Lock-Token header is <token>");
    String token = header.substring(1, header.length() - 1);
    return target(caller, path, true).thenCompose(t -> guard.covering(t.loc(), false).thenCompose(found -> {
      DavLock lock = found.stream().filter(l -> l.getToken().equals(token)).findFirst()
          .orElseThrow(() -> DavError.withPrecondition(StatusCodes.CONFLICT, "conflict", "no lock with this token applies to '"
              + path.href(t.isFolder()) + "'", "lock-token-matches-request-uri"));
      // another user's lock: released when the caller manages the workspace (admins; a user in their own space) and
      // the lock lies in it
      CompletionStage<Boolean> force = lock.getLogin().equals(caller.login()) ? done(false)
          : access.managedRoot(caller, t.loc().workspace())
              .thenApply(root -> root.isPresent() && FileAccess.within(root.get().path(), lock.getPath()));
      return force.thenCompose(f -> locks.unlock(UnlockRequest.newBuilder().setDatasource(t.loc().datasource())
          .setToken(token).setLogin(caller.login()).setForce(f).build()));
    })).thenApply(r -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }

  /**
   * The lock timeout a Timeout header asks (the first value understood), within 1..{@link #MAX_TIMEOUT} seconds: a day
   * at most, Infinite included, so that a forgotten lock does not hold for long.
   */
  static long timeout(Optional<String> header) {
    if (header.isEmpty()) return DEFAULT_TIMEOUT;
    for (String part : header.get().split(",")) {
      String p = part.trim();
      if (p.equalsIgnoreCase("Infinite")) return MAX_TIMEOUT;
      if (p.regionMatches(true, 0, "Second-", 0, 7)) {
        try {
          return Math.max(1, Math.min(MAX_TIMEOUT, Long.parseLong(p.substring(7))));
        } catch (NumberFormatException e) {
          return DEFAULT_TIMEOUT;
        }
      }
    }
    return DEFAULT_TIMEOUT;
  }

  // ------------------------------------------------------------------------------------------------ helpers

  private CompletionStage<ByteString> body(HttpRequest request) {
    return request.entity().withSizeLimit(DavXml.MAX_BODY).toStrict(30_000, materializer)
        .thenApply(akka.http.javadsl.model.HttpEntity.Strict::getData)
        .exceptionally(e -> {
          Throwable t = e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e;
          if (t instanceof akka.http.scaladsl.model.EntityStreamSizeException) {
            throw new DavError(StatusCodes.PAYLOAD_TOO_LARGE, "payload_too_large", "an XML body is at most " + DavXml.MAX_BODY + " bytes");
          }
          throw wrap(e);
        });
  }

  private static DavIf condition(HttpRequest request) {
    return DavIf.parse(request.getHeader("If").map(HttpHeader::value), host(request));
  }

  private static String host(HttpRequest request) {
    return request.getHeader("Host").map(HttpHeader::value).orElse(null);
  }

  private static String requestId(HttpRequest request, Principal caller) {
    return RequestIds.of(request, caller);
  }

  static String rawPath(HttpRequest request) {
    String target = request.getHeader("Raw-Request-URI").map(HttpHeader::value).orElse(request.getUri().toString());
    if (target.startsWith("http://") || target.startsWith("https://")) {
      int slash = target.indexOf('/', target.indexOf("//") + 2);
      target = slash < 0 ? "/" : target.substring(slash);
    }
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  private static DavError notAllowed(String message, String allow) {
    return new DavError(StatusCodes.METHOD_NOT_ALLOWED, "method_not_allowed", message, null, List.of(RawHeader.create("Allow", allow)));
  }

  private static RuntimeException wrap(Throwable e) {
    return e instanceof java.util.concurrent.CompletionException c ? c : new java.util.concurrent.CompletionException(e);
  }

  private static <T> CompletionStage<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
