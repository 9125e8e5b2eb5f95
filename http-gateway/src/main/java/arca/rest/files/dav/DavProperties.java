package arca.rest.files.dav;

import akka.http.javadsl.model.HttpEntities;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.http.javadsl.model.StatusCodes;
import akka.japi.Pair;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import akka.util.ByteString;
import arca.proto.lock.DavLock;
import arca.proto.tree.ListRequest;
import arca.proto.tree.ListResponse;
import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.proto.tree.SetPropsRequest;
import arca.proto.tree.TreeService;
import arca.rest.ApiError;
import arca.rest.access.Principal;
import arca.rest.files.FileAccess;
import arca.rest.files.Location;
import arca.rest.files.dav.DavXmlParser.AllProp;
import arca.rest.files.dav.DavXmlParser.PropOp;
import arca.rest.files.dav.DavXmlParser.Propfind;
import arca.rest.files.dav.DavXmlParser.Props;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

import static arca.rest.files.dav.DavRequests.body;
import static arca.rest.files.dav.DavRequests.condition;
import static arca.rest.files.dav.DavRequests.done;
import static arca.rest.files.dav.DavRequests.requestId;
import static arca.rest.files.dav.DavRequests.wrap;
import static arca.rest.files.dav.DavXmlWriter.MULTISTATUS_END;
import static arca.rest.files.dav.DavXmlWriter.MULTISTATUS_START;

/**
 * PROPFIND and PROPPATCH: a resource's live properties (type, size, ETag, dates, locks) and its dead ones (kept by
 * the tree as XML). A PROPFIND of depth 1 writes its multistatus page by page of the tree's cursor paging, never
 * holding the folder; a PROPPATCH applies all its instructions or none.
 */
final class DavProperties {
  static final int PAGE = 1000;
  /** Live properties of the DAV: namespace that a PROPPATCH cannot change. */
  private static final Set<String> PROTECTED = Set.of("resourcetype", "getetag", "getcontentlength", "getlastmodified",
      "lockdiscovery", "supportedlock", "creationdate", "getcontenttype");

  private final DavResources resources;
  private final DavGuard guard;
  private final FileAccess access;
  private final TreeService tree;
  private final Materializer materializer;
  private final Clock clock;

  DavProperties(DavResources resources, DavGuard guard, FileAccess access, TreeService tree, Materializer materializer,
                Clock clock) {
    this.resources = resources;
    this.guard = guard;
    this.access = access;
    this.tree = tree;
    this.materializer = materializer;
    this.clock = clock;
  }

  // ------------------------------------------------------------------------------------------------ PROPFIND

  CompletionStage<HttpResponse> propfind(Principal caller, HttpRequest request, DavPath path) {
    String depth = DavRequests.depth(request);
    if (depth.equals("infinity")) {
      throw DavError.withPrecondition(StatusCodes.FORBIDDEN, "propfind_finite_depth",
          "PROPFIND with Depth: infinity is not served: ask Depth 0 or 1", "propfind-finite-depth");
    }
    if (!depth.equals("0") && !depth.equals("1")) throw DavError.badRequest("Depth must be 0, 1 or infinity");
    return body(request, materializer).thenCompose(body -> {
      Propfind what = DavXmlParser.propfind(body);
      if (path.isTop()) return top(caller, what, depth.equals("1"));
      return resources.target(caller, path, false).thenCompose(t -> {
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
  private CompletionStage<Source<ByteString, ?>> listing(DavGuard.Target folder, Propfind what, List<DavLock> found,
                                                         FileAccess.Visibility v) {
    Location loc = folder.loc();
    return page(loc, "").thenApply(first -> {
      Source<ByteString, ?> rest = first.getNextCursor().isEmpty() ? Source.empty()
          : Source.<String, ListResponse>unfoldAsync(first.getNextCursor(), cursor -> cursor.isEmpty()
              ? done(Optional.empty())
              : page(loc, cursor).thenApply(p -> Optional.of(Pair.create(p.getNextCursor(), p))))
              .map(p -> render(folder, what, found, p, v));
      return Source.single(render(folder, what, found, first, v)).concat(rest);
    });
  }

  private CompletionStage<ListResponse> page(Location loc, String cursor) {
    return tree.list(ListRequest.newBuilder().setDatasource(loc.datasource()).setPath(loc.path()).setLimit(PAGE)
        .setCursor(cursor).build());
  }

  private ByteString render(DavGuard.Target folder, Propfind what, List<DavLock> found, ListResponse page,
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
  private CompletionStage<HttpResponse> top(Principal caller, Propfind what, boolean listing) {
    CompletionStage<List<String>> slugs = listing ? access.visibleWorkspaces(caller) : done(List.of());
    return slugs.thenApply(list -> {
      StringBuilder b = new StringBuilder(MULTISTATUS_START);
      response(b, DavPath.TOP.href(true), null, what, List.of());
      for (String slug : list) response(b, new DavPath(slug, "").href(true), null, what, List.of());
      b.append(MULTISTATUS_END);
      return multistatus(Source.single(ByteString.fromString(b.toString())));
    });
  }

  private static HttpResponse multistatus(Source<ByteString, ?> body) {
    return HttpResponse.create().withStatus(StatusCodes.MULTI_STATUS)
        .withEntity(HttpEntities.create(DavXmlWriter.XML, body));
  }

  /** Locks that apply to a path (on it, or an ancestor's with depth infinity). */
  private static List<DavLock> locksOn(List<DavLock> found, String path) {
    return found.stream().filter(l -> DavGuard.covers(l, path)).toList();
  }

  /**
   * One {@code <D:response>}: the properties asked that exist in a 200 propstat, the others in a 404 one. A null node
   * is the top level or a workspace listed there (collections with no further property).
   */
  private void response(StringBuilder b, String href, Node node, Propfind what, List<DavLock> nodeLocks) {
    Map<DavName, String> props = properties(node, nodeLocks);
    Map<DavName, String> found = new LinkedHashMap<>();
    List<DavName> missing = new ArrayList<>();
    if (what instanceof AllProp all) {
      found.putAll(props);
      for (DavName n : all.include()) if (!props.containsKey(n)) missing.add(n);
    } else if (what instanceof Props asked) {
      for (DavName n : asked.names()) {
        String v = props.get(n);
        if (v == null) missing.add(n);
        else found.put(n, v);
      }
    } else {
      props.keySet().forEach(n -> found.put(n, ""));
    }
    DavXmlWriter.response(b, href, found, missing);
  }

  /** A resource's properties (live, then dead), values as XML. */
  private Map<DavName, String> properties(Node node, List<DavLock> nodeLocks) {
    Map<DavName, String> out = new LinkedHashMap<>();
    boolean folder = node == null || node.getType() == NodeType.FOLDER;
    out.put(DavName.dav("resourcetype"), folder ? "<D:collection/>" : "");
    if (node != null) {
      if (!folder) {
        out.put(DavName.dav("getcontentlength"), Long.toString(node.getSize()));
        out.put(DavName.dav("getcontenttype"), DavXmlWriter.escape(DavResources.contentType(node).toString()));
        out.put(DavName.dav("getetag"), DavXmlWriter.escape(DavResources.etag(node)));
      }
      if (node.getMtime() > 0) out.put(DavName.dav("getlastmodified"), DavResources.httpDate(node.getMtime()));
      out.put(DavName.dav("supportedlock"), DavXmlWriter.SUPPORTED_LOCK);
      StringBuilder active = new StringBuilder();
      for (DavLock l : nodeLocks) DavXmlWriter.activeLock(active, l, clock.millis());
      out.put(DavName.dav("lockdiscovery"), active.toString());
      node.getPropsMap().forEach((k, v) -> {
        DavName n = DavName.ofKey(k);
        if (!out.containsKey(n)) out.put(n, v);
      });
    }
    return out;
  }

  // ------------------------------------------------------------------------------------------------ PROPPATCH

  CompletionStage<HttpResponse> proppatch(Principal caller, HttpRequest request, DavPath path) {
    if (path.isTop()) throw DavError.forbidden("the top level keeps no properties");
    DavIf condition = condition(request);
    return body(request, materializer).thenCompose(body -> {
      List<PropOp> ops = DavXmlParser.propertyUpdate(body);
      return resources.target(caller, path, true).thenCompose(t -> {
        Node node = t.node().orElseThrow(() -> DavError.notFound("no resource at '" + path.href(false) + "'"));
        String href = path.href(node.getType() == NodeType.FOLDER);
        return guard.check(caller, condition, t, List.of(new DavGuard.Scope(path, t.loc(), false)))
            .thenCompose(ok -> apply(caller, request, t, href, ops));
      });
    });
  }

  /** Applies a PROPPATCH's instructions at once, unless one names a protected property (or the workspace root). */
  private CompletionStage<HttpResponse> apply(Principal caller, HttpRequest request, DavGuard.Target t, String href,
                                              List<PropOp> ops) {
    List<DavName> refused = ops.stream().map(PropOp::name)
        .filter(n -> n.isDav() && PROTECTED.contains(n.local())).distinct().toList();
    if (!refused.isEmpty() || t.loc().path().isEmpty()) {
      return done(propstat(href, ops, refused.isEmpty() ? ops.stream().map(PropOp::name).toList() : refused,
          refused.isEmpty() ? "409 Conflict" : "403 Forbidden"));
    }
    Map<String, String> set = new LinkedHashMap<>();
    Set<String> remove = new LinkedHashSet<>();
    for (PropOp op : ops) {
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
            return propstat(href, ops, ops.stream().map(PropOp::name).toList(), "507 Insufficient Storage");
          }
          throw wrap(e);
        });
  }

  /**
   * The multistatus of a PROPPATCH: every property with {@code status} when none failed, else the {@code failed}
   * ones with it and the others 424 Failed Dependency (a PROPPATCH applies all or nothing).
   */
  private static HttpResponse propstat(String href, List<PropOp> ops, List<DavName> failed, String status) {
    List<DavName> names = ops.stream().map(PropOp::name).distinct().toList();
    List<DavName> dependent = failed.isEmpty() ? List.of() : names.stream().filter(n -> !failed.contains(n)).toList();
    List<DavName> first = failed.isEmpty() ? names : failed;
    String xml = DavXmlWriter.proppatch(href, first, status, dependent);
    return multistatus(Source.single(ByteString.fromString(xml)));
  }
}
