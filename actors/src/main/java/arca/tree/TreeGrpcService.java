package arca.tree;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import arca.proto.tree.CopyJob;
import arca.proto.tree.CopyRequest;
import arca.proto.tree.CopyResponse;
import arca.proto.tree.CreateFolderRequest;
import arca.proto.tree.GetCopyJobRequest;
import arca.proto.tree.ListRequest;
import arca.proto.tree.ListResponse;
import arca.proto.tree.ListTrashRequest;
import arca.proto.tree.MoveRequest;
import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.proto.tree.PurgeRequest;
import arca.proto.tree.PurgeResponse;
import arca.proto.tree.PutFileRequest;
import arca.proto.tree.PutFileResponse;
import arca.proto.tree.RemoveRequest;
import arca.proto.tree.RestoreRequest;
import arca.proto.tree.SetPropsRequest;
import arca.proto.tree.StatRequest;
import arca.proto.tree.TrashInfo;
import arca.proto.tree.TrashRequest;
import arca.proto.tree.TreeService;
import arca.service.Requests;
import arca.service.Failure;
import arca.service.GrpcErrors;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * arca.grpc.tree: validates paths, walks them folder by folder from the datasource root (one entity ask per level),
 * and asks the folder that owns the node.
 */
final class TreeGrpcService implements TreeService {
  static final Pattern DATASOURCE = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final int MAX_PAGE = 5000;

  private final ClusterSharding sharding;
  private final Duration timeout;
  private final Function<String, arca.proto.objects.ObjectsService> objects;

  TreeGrpcService(ActorSystem<?> system, arca.grpc.Clients clients) {
    this.sharding = ClusterSharding.get(system);
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
    this.objects = ds -> clients.client(arca.proto.objects.ObjectsService.class, "ds-" + ds,
        arca.proto.objects.ObjectsServiceClient::create);
  }

  /** A validated request path: datasource and segments. */
  private record Path(String datasource, List<String> segments) {
    String text() { return Names.join(segments); }
    boolean root() { return segments.isEmpty(); }
    Path parent() { return new Path(datasource, segments.subList(0, segments.size() - 1)); }
    String name() { return segments.get(segments.size() - 1); }
    Path child(String name) {
      List<String> s = new ArrayList<>(segments);
      s.add(name);
      return new Path(datasource, s);
    }
  }

  private static Path path(String datasource, String path) {
    if (!DATASOURCE.matcher(datasource).matches()) {
      throw GrpcErrors.invalid("datasource must be 1-63 characters of a-z, 0-9, '-'");
    }
    try {
      return new Path(datasource, Names.segments(path));
    } catch (IllegalArgumentException e) {
      throw GrpcErrors.invalid(e.getMessage());
    }
  }

  private EntityRef<FolderEntity.Command> folder(String datasource, String uuid) {
    return sharding.entityRefFor(FolderEntity.KEY, FolderEntity.id(datasource, uuid));
  }

  private static <T> CompletionStage<T> ok(FolderEntity.Reply r, Function<FolderEntity.Reply, T> f) {
    if (r.failure() != null) return CompletableFuture.failedFuture(GrpcErrors.status(r.failure()));
    return CompletableFuture.completedFuture(f.apply(r));
  }

  /** The uuids of the folders along a folder path, root first; missing folders are created when asked to. */
  private CompletionStage<List<String>> folders(Path p, boolean create) {
    CompletionStage<List<String>> chain = CompletableFuture.completedFuture(new ArrayList<>(List.of(FolderEntity.ROOT)));
    for (int i = 0; i < p.segments().size(); i++) {
      String name = p.segments().get(i);
      String at = Names.join(p.segments().subList(0, i + 1));
      chain = chain.thenCompose(uuids -> folder(p.datasource(), uuids.get(uuids.size() - 1))
          .<FolderEntity.Reply>ask(r -> create ? new FolderEntity.EnsureFolder(name, "", Map.of(), r) : new FolderEntity.Get(name, r), timeout)
          .thenCompose(r -> {
            if (r.failure() != null) {
              Failure f = r.failure();
              return CompletableFuture.failedFuture(GrpcErrors.status(f.code().equals("NOT_FOUND")
                  ? Failure.notFound("'" + GrpcErrors.printable(at) + "' not found") : f));
            }
            if (!r.entry().folder()) {
              return CompletableFuture.failedFuture(GrpcErrors.status(Failure.precondition("'" + GrpcErrors.printable(at) + "' is a file, not a folder")));
            }
            uuids.add(r.entry().uuid());
            return CompletableFuture.completedFuture(uuids);
          }));
    }
    return chain;
  }

  private static String last(List<String> uuids) {
    return uuids.get(uuids.size() - 1);
  }

  static Node node(String datasource, String path, Entry e) {
    Node.Builder b = Node.newBuilder().setUuid(e.uuid()).setDatasource(datasource).setPath(path).setName(e.name())
        .setType(e.folder() ? NodeType.FOLDER : NodeType.FILE).setSize(e.size()).setEtag(e.etag()).setMtime(e.mtime())
        .setVersion(e.version()).setBlobId(e.blobId()).setSha256(e.sha256()).setContentType(e.contentType())
        .putAllProps(e.props());
    if (e.trashPath() != null) {
      b.setTrash(TrashInfo.newBuilder().setOriginalPath(e.trashPath()).setTrashedAt(e.trashedAt()).setTrashedBy(e.trashedBy()));
    }
    return b.build();
  }

  private static Node rootNode(String datasource) {
    return Node.newBuilder().setUuid(FolderEntity.ROOT).setDatasource(datasource).setType(NodeType.FOLDER).build();
  }

  /** The folder that holds the node at {@code p}, and the node itself. */
  private record Located(String parent, Entry entry) {}

  private CompletionStage<Located> locate(Path p) {
    return folders(p.parent(), false).thenCompose(uuids -> folder(p.datasource(), last(uuids))
        .<FolderEntity.Reply>ask(r -> new FolderEntity.Get(p.name(), r), timeout)
        .thenCompose(r -> r.failure() != null
            ? CompletableFuture.failedFuture(GrpcErrors.status(Failure.notFound("'" + GrpcErrors.printable(p.text()) + "' not found")))
            : CompletableFuture.completedFuture(new Located(last(uuids), r.entry()))));
  }

  @Override
  public CompletionStage<Node> stat(StatRequest in) {
    return GrpcErrors.call(() -> {
      Path p = path(in.getDatasource(), in.getPath());
      if (p.root()) return CompletableFuture.completedFuture(rootNode(p.datasource()));
      return locate(p).thenApply(l -> node(p.datasource(), p.text(), l.entry()));
    });
  }

  @Override
  public CompletionStage<ListResponse> list(ListRequest in) {
    return GrpcErrors.call(() -> {
      Path p = path(in.getDatasource(), in.getPath());
      int limit = in.getLimit() == 0 ? 1000 : in.getLimit();
      if (limit < 1 || limit > MAX_PAGE) throw GrpcErrors.invalid("limit must be 1-" + MAX_PAGE);
      if (in.getOffset() < 0) throw GrpcErrors.invalid("offset must not be negative");
      String cursor = in.getCursor();
      if (!cursor.isEmpty() && !(cursor.startsWith("k:") || cursor.matches("o:\\d{1,9}"))) {
        throw GrpcErrors.invalid("cursor is not one this service gave");
      }
      var params = new FolderEntity.ListParams(in.getOffset(), limit, in.getSortValue(), in.getDescending(),
          in.getFoldersFirst(), cursor, in.getPrefix(), in.getStartAfter(), null);
      CompletionStage<Node> self = p.root() ? CompletableFuture.completedFuture(rootNode(p.datasource()))
          : locate(p).thenApply(l -> node(p.datasource(), p.text(), l.entry()));
      return self.thenCompose(folderNode -> {
        if (folderNode.getType() != NodeType.FOLDER) {
          return CompletableFuture.failedFuture(GrpcErrors.status(Failure.precondition("'" + GrpcErrors.printable(p.text()) + "' is a file, not a folder")));
        }
        return folder(p.datasource(), folderNode.getUuid())
            .<FolderEntity.PageReply>ask(r -> new FolderEntity.ListChildren(params, r), timeout)
            .thenApply(page -> {
              ListResponse.Builder out = ListResponse.newBuilder().setFolder(folderNode).setTotal(page.total())
                  .setNextCursor(page.nextCursor());
              for (Entry e : page.children()) out.addChildren(node(p.datasource(), p.child(e.name()).text(), e));
              return out.build();
            });
      });
    });
  }

  @Override
  public CompletionStage<Node> createFolder(CreateFolderRequest in) {
    return GrpcErrors.call(() -> {
      Requests.id(in.getRequestId()); // creating a folder that exists is a no-op: a resent request applies once
      Path p = path(in.getDatasource(), in.getPath());
      if (p.root()) return CompletableFuture.completedFuture(rootNode(p.datasource()));
      return folders(p.parent(), true).thenCompose(uuids -> folder(p.datasource(), last(uuids))
          .<FolderEntity.Reply>ask(r -> new FolderEntity.EnsureFolder(p.name(), "", Map.of(), r), timeout)
          .thenCompose(r -> ok(r, x -> node(p.datasource(), p.text(), x.entry()))));
    });
  }

  @Override
  public CompletionStage<PutFileResponse> putFile(PutFileRequest in) {
    return GrpcErrors.call(() -> {
      Path p = path(in.getDatasource(), in.getPath());
      if (p.root()) throw GrpcErrors.invalid("a file needs a name");
      if (in.getBlobId().isEmpty()) throw GrpcErrors.invalid("blob_id is required");
      Requests.id(in.getRequestId()); // a resent put names the same blob: the folder applies it once
      if (in.getSize() < 0) throw GrpcErrors.invalid("size must not be negative");
      long mtime = in.getMtime() == 0 ? System.currentTimeMillis() : in.getMtime();
      Entry file = new Entry("", p.name(), false, in.getSize(), in.getEtag(), mtime, 0, in.getBlobId(), in.getSha256(),
          in.getContentType(), null, 0, null, in.getRequestId(), Map.of());
      String ifMatch = in.hasIfMatch() ? in.getIfMatch() : null;
      return folders(p.parent(), true).thenCompose(uuids -> folder(p.datasource(), last(uuids))
          .<FolderEntity.Reply>ask(r -> new FolderEntity.PutFile(file, ifMatch, in.getIfNoneMatch(), false, r), timeout)
          .thenCompose(r -> ok(r, x -> PutFileResponse.newBuilder().setNode(node(p.datasource(), p.text(), x.entry()))
              .setReplacedBlobId(x.replacedBlobId()).build())));
    });
  }

  /**
   * A write that finds its node gone may be the same write sent again after it applied (its answer was lost): with a
   * request id, {@code done} looks for the node where that write put it, marked with the id; otherwise the failure
   * stands.
   */
  private static <T> CompletionStage<T> orAlreadyDone(CompletionStage<T> attempt, String requestId,
                                                      Function<String, CompletionStage<T>> done) {
    return orAlreadyDone(attempt, requestId, io.grpc.Status.Code.NOT_FOUND, done);
  }

  /** The same, for a write whose second sending fails with {@code code} (ALREADY_EXISTS for a copy). */
  private static <T> CompletionStage<T> orAlreadyDone(CompletionStage<T> attempt, String requestId,
                                                      io.grpc.Status.Code code, Function<String, CompletionStage<T>> done) {
    if (requestId.isEmpty()) return attempt;
    return attempt.handle((value, error) -> {
      if (error == null) return CompletableFuture.completedFuture(value);
      Throwable t = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
      if (!(t instanceof io.grpc.StatusRuntimeException s) || s.getStatus().getCode() != code) {
        return CompletableFuture.<T>failedFuture(t);
      }
      return done.apply(requestId).thenApply(found -> {
        if (found == null) throw s;
        return found;
      });
    }).thenCompose(x -> x);
  }

  @Override
  public CompletionStage<Node> move(MoveRequest in) {
    return GrpcErrors.call(() -> {
      Path from = path(in.getDatasource(), in.getFrom());
      Path to = path(in.getDatasource(), in.getTo());
      if (from.root() || to.root()) throw GrpcErrors.invalid("the root cannot be moved or replaced");
      String requestId = Requests.id(in.getRequestId());
      return orAlreadyDone(move(from, to, in.getOverwrite(), requestId), requestId, id -> locate(to)
          .<Node>thenApply(l -> id.equals(l.entry().requestId()) ? node(to.datasource(), to.text(), l.entry()) : null)
          .exceptionally(notThere -> null));
    });
  }

  private CompletionStage<Node> move(Path from, Path to, boolean overwrite, String requestId) {
    return locate(from).thenCompose(src -> folders(to.parent(), true).thenCompose(chain -> {
      String dest = last(chain);
      if (src.entry().folder() && (chain.contains(src.entry().uuid()))) {
        throw GrpcErrors.invalid("a folder cannot be moved into itself or its own subfolders");
      }
      if (dest.equals(src.parent())) {
        return folder(to.datasource(), dest)
            .<FolderEntity.Reply>ask(r -> new FolderEntity.Rename(from.name(), to.name(), overwrite, requestId, r), timeout)
            .thenCompose(r -> ok(r, x -> node(to.datasource(), to.text(), x.entry())));
      }
      return moveOut(to.datasource(), src.parent(), from.name(), dest, src.entry().named(to.name()).byRequest(requestId),
          overwrite).thenApply(e -> node(to.datasource(), to.text(), e));
    }));
  }

  private CompletionStage<Entry> moveOut(String datasource, String fromFolder, String name, String destFolder,
                                         Entry moved, boolean overwrite) {
    return folder(datasource, fromFolder)
        .<FolderEntity.Reply>ask(r -> new FolderEntity.MoveOut(name, FolderEntity.id(datasource, destFolder), moved, overwrite, r), timeout)
        .thenCompose(r -> ok(r, FolderEntity.Reply::entry));
  }

  @Override
  public CompletionStage<Node> trash(TrashRequest in) {
    return GrpcErrors.call(() -> {
      Path p = path(in.getDatasource(), in.getPath());
      if (p.root()) throw GrpcErrors.invalid("the root cannot be deleted");
      String requestId = Requests.id(in.getRequestId());
      CompletionStage<Node> trashed = locate(p).thenCompose(l -> moveOut(p.datasource(), l.parent(), p.name(), FolderEntity.TRASH,
              l.entry().trashed(p.text(), System.currentTimeMillis(), in.getBy()).byRequest(requestId), false))
          .thenApply(e -> node(p.datasource(), e.uuid(), e));
      // sent again after it applied: the entry this very request put in the recycle bin
      return orAlreadyDone(trashed, requestId, id -> {
        var params = new FolderEntity.ListParams(0, MAX_PAGE, 0, false, false, "", "", "", p.text());
        return folder(p.datasource(), FolderEntity.TRASH)
            .<FolderEntity.PageReply>ask(r -> new FolderEntity.ListChildren(params, r), timeout)
            .thenApply(page -> page.children().stream().filter(e -> id.equals(e.requestId())).findFirst()
                .map(e -> node(p.datasource(), e.uuid(), e)).orElse(null));
      });
    });
  }

  @Override
  public CompletionStage<ListResponse> listTrash(ListTrashRequest in) {
    return GrpcErrors.call(() -> {
      Path prefix = path(in.getDatasource(), "");
      int limit = in.getLimit() == 0 ? 1000 : in.getLimit();
      if (limit < 1 || limit > MAX_PAGE || in.getOffset() < 0) throw GrpcErrors.invalid("limit must be 1-" + MAX_PAGE + ", offset >= 0");
      var params = new FolderEntity.ListParams(in.getOffset(), limit, 0, false, false, "", "", "", in.getPrefix());
      return folder(prefix.datasource(), FolderEntity.TRASH)
          .<FolderEntity.PageReply>ask(r -> new FolderEntity.ListChildren(params, r), timeout)
          .thenApply(page -> {
            ListResponse.Builder out = ListResponse.newBuilder().setTotal(page.total());
            for (Entry e : page.children()) out.addChildren(node(prefix.datasource(), e.uuid(), e));
            return out.build();
          });
    });
  }

  @Override
  public CompletionStage<Node> restore(RestoreRequest in) {
    return GrpcErrors.call(() -> {
      Path ds = path(in.getDatasource(), "");
      String requestId = Requests.id(in.getRequestId());
      CompletionStage<Node> restored = folder(ds.datasource(), FolderEntity.TRASH)
          .<FolderEntity.Reply>ask(r -> new FolderEntity.Get(in.getUuid(), r), timeout)
          .thenCompose(r -> ok(r, FolderEntity.Reply::entry))
          .thenCompose(entry -> {
            Path target = path(ds.datasource(), in.getTo().isEmpty() ? entry.trashPath() : in.getTo());
            if (target.root()) throw GrpcErrors.invalid("cannot restore over the root");
            return folders(target.parent(), true).thenCompose(chain -> moveOut(ds.datasource(), FolderEntity.TRASH,
                    entry.name(), last(chain), entry.restored(target.name()).byRequest(requestId), false)
                .thenApply(e -> node(ds.datasource(), target.text(), e)));
          });
      // sent again after it applied (with its target: the gateway always names it): the node this request restored
      if (in.getTo().isEmpty()) return restored;
      Path to = path(ds.datasource(), in.getTo());
      return orAlreadyDone(restored, requestId, id -> locate(to)
          .<Node>thenApply(l -> id.equals(l.entry().requestId()) && l.entry().uuid().equals(in.getUuid())
              ? node(ds.datasource(), to.text(), l.entry()) : null)
          .exceptionally(notThere -> null));
    });
  }

  @Override
  public CompletionStage<PurgeResponse> purge(PurgeRequest in) {
    return GrpcErrors.call(() -> {
      Path ds = path(in.getDatasource(), "");
      String requestId = Requests.id(in.getRequestId());
      var trash = folder(ds.datasource(), FolderEntity.TRASH);
      CompletionStage<PurgeResponse> purged = trash.<FolderEntity.Reply>ask(r -> new FolderEntity.Get(in.getUuid(), r), timeout)
          .thenCompose(r -> ok(r, FolderEntity.Reply::entry))
          .thenCompose(entry -> {
            PurgeResponse.Builder out = PurgeResponse.newBuilder();
            CompletionStage<PurgeResponse.Builder> collected = collect(ds.datasource(), entry, out);
            // the entry leaves the bin only once its blobs are known, so a failed purge can be retried
            return collected.thenCompose(b -> trash.<FolderEntity.Reply>ask(
                    r -> new FolderEntity.Remove(entry.name(), null, true, requestId, r), timeout)
                .thenCompose(r -> ok(r, x -> b.build())));
          });
      // sent again after it applied: done, nothing left to return (the first answer carried the blobs)
      return orAlreadyDone(purged, requestId, id -> trash.<FolderEntity.Reply>ask(
              r -> new FolderEntity.Remove(in.getUuid(), null, true, id, r), timeout)
          .thenApply(r -> r.failure() == null ? PurgeResponse.getDefaultInstance() : null));
    });
  }

  /** The blobs of a node and, for a folder, of everything under it (walked page by page). */
  private CompletionStage<PurgeResponse.Builder> collect(String datasource, Entry e, PurgeResponse.Builder out) {
    if (!e.folder()) {
      out.addBlobIds(e.blobId()).setFiles(out.getFiles() + 1);
      return CompletableFuture.completedFuture(out);
    }
    out.setFolders(out.getFolders() + 1);
    return collectPage(datasource, e.uuid(), "", out);
  }

  private CompletionStage<PurgeResponse.Builder> collectPage(String datasource, String uuid, String cursor,
                                                              PurgeResponse.Builder out) {
    var params = new FolderEntity.ListParams(0, MAX_PAGE, 0, false, false, cursor, "", "", null);
    return folder(datasource, uuid).<FolderEntity.PageReply>ask(r -> new FolderEntity.ListChildren(params, r), timeout)
        .thenCompose(page -> {
          CompletionStage<PurgeResponse.Builder> chain = CompletableFuture.completedFuture(out);
          for (Entry child : page.children()) chain = chain.thenCompose(b -> collect(datasource, child, b));
          return page.nextCursor().isEmpty() ? chain : chain.thenCompose(b -> collectPage(datasource, uuid, page.nextCursor(), b));
        });
  }

  @Override
  public CompletionStage<CopyResponse> copy(CopyRequest in) {
    return GrpcErrors.call(() -> {
      Path from = path(in.getDatasource(), in.getFrom());
      Path to = path(in.getDatasource(), in.getTo());
      if (from.root() || to.root()) throw GrpcErrors.invalid("the root cannot be copied or replaced");
      String requestId = Requests.id(in.getRequestId());
      // sent again after it applied: the copy this very request made (marked with its id), and its job restarted
      // (a no-op when it runs or ran; it starts it if the first sending stopped before)
      return orAlreadyDone(copy(from, to, requestId, in.getBy()), requestId, io.grpc.Status.Code.ALREADY_EXISTS, id -> locate(to)
          .thenCompose(l -> {
            if (!id.equals(l.entry().requestId())) return CompletableFuture.<CopyResponse>completedFuture(null);
            CopyResponse.Builder out = CopyResponse.newBuilder().setNode(node(to.datasource(), to.text(), l.entry()));
            if (!l.entry().folder()) return CompletableFuture.completedFuture(out.build());
            return locate(from).thenCompose(src -> startCopyJob(to.datasource(), src.entry().uuid(), l.entry().uuid(), id, in.getBy()))
                .thenApply(jobId -> out.setJobId(jobId).build());
          })
          .exceptionally(notThere -> null));
    });
  }

  /** A folder copy's job: its id follows from the request id when there is one (so a second sending finds it). */
  private CompletionStage<String> startCopyJob(String datasource, String source, String copy, String requestId, String by) {
    String jobId = requestId.isEmpty() ? java.util.UUID.randomUUID().toString()
        : java.util.UUID.nameUUIDFromBytes(("copy\n" + requestId).getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString();
    return sharding.entityRefFor(CopyJobEntity.KEY, jobId).<CopyJobEntity.Progress>ask(
        r -> new CopyJobEntity.Start(datasource, source, copy, by, r), timeout).thenApply(p -> jobId);
  }

  private CompletionStage<CopyResponse> copy(Path from, Path to, String requestId, String by) {
    return locate(from).thenCompose(src -> folders(to.parent(), true).thenCompose(chain -> {
      if (!src.entry().folder()) {
        // a file: a new blob with the same bytes, under the new name (an existing file there is kept)
        Entry file = src.entry();
        return objects.apply(to.datasource()).copy(arca.proto.objects.CopyRequest.newBuilder()
                .setDatasource(to.datasource()).setSourceBlobId(file.blobId()).build())
            .thenCompose(blob -> folder(to.datasource(), last(chain)).<FolderEntity.Reply>ask(r -> new FolderEntity.PutFile(
                    new Entry("", to.name(), false, file.size(), file.etag(), file.mtime(), 0, blob.getBlobId(), file.sha256(),
                        file.contentType(), null, 0, null, requestId, file.props()), null, true, true, r), timeout)
                .thenCompose(r -> {
                  if (r.failure() == null) {
                    return CompletableFuture.completedFuture(
                        CopyResponse.newBuilder().setNode(node(to.datasource(), to.text(), r.entry())).build());
                  }
                  // refused (the target exists: the put was conditional): the copy's blob goes
                  objects.apply(to.datasource()).delete(arca.proto.objects.BlobRef.newBuilder()
                      .setDatasource(to.datasource()).setBlobId(blob.getBlobId()).build());
                  arca.service.Failure f = r.failure().code().equals("FAILED_PRECONDITION")
                      ? arca.service.Failure.exists("'" + GrpcErrors.printable(to.text()) + "' already exists") : r.failure();
                  return CompletableFuture.<CopyResponse>failedFuture(GrpcErrors.status(f));
                }));
      }
      if (chain.contains(src.entry().uuid())) throw GrpcErrors.invalid("a folder cannot be copied into itself");
      // a folder: its copy is created empty at once (refused if the name is taken), then a job fills it
      return folder(to.datasource(), last(chain)).<FolderEntity.Reply>ask(r -> new FolderEntity.Get(to.name(), r), timeout)
          .thenCompose(existing -> {
            if (existing.failure() == null) {
              throw GrpcErrors.status(arca.service.Failure.exists("'" + GrpcErrors.printable(to.text()) + "' already exists"));
            }
            return folder(to.datasource(), last(chain)).<FolderEntity.Reply>ask(
                r -> new FolderEntity.EnsureFolder(to.name(), requestId, src.entry().props(), r), timeout);
          })
          .thenCompose(r -> ok(r, FolderEntity.Reply::entry))
          .thenCompose(copy -> startCopyJob(to.datasource(), src.entry().uuid(), copy.uuid(), requestId, by)
              .thenApply(jobId -> CopyResponse.newBuilder().setNode(node(to.datasource(), to.text(), copy)).setJobId(jobId).build()));
    }));
  }

  @Override
  public CompletionStage<CopyJob> getCopyJob(GetCopyJobRequest in) {
    return GrpcErrors.call(() -> {
      if (!in.getJobId().matches("[0-9a-f-]{36}")) throw GrpcErrors.invalid("not a copy job id");
      return sharding.entityRefFor(CopyJobEntity.KEY, in.getJobId()).<CopyJobEntity.Progress>ask(CopyJobEntity.Get::new, timeout)
          .thenApply(p -> {
            if (!p.exists()) throw GrpcErrors.status(arca.service.Failure.notFound("no copy job '" + in.getJobId() + "'"));
            return CopyJob.newBuilder().setJobId(in.getJobId()).setDone(p.done()).setFoldersDone(p.foldersDone())
                .setFoldersPending(p.foldersPending()).setFilesCopied(p.filesCopied()).setBy(p.by()).build();
          });
    });
  }

  @Override
  public CompletionStage<Node> setProps(SetPropsRequest in) {
    return GrpcErrors.call(() -> {
      Path p = path(in.getDatasource(), in.getPath());
      if (p.root()) {
        throw GrpcErrors.status(Failure.precondition("the datasource root has no dead properties"));
      }
      String requestId = Requests.id(in.getRequestId()); // the folder applies it once
      Failure refused = Props.changeProblem(in.getSetMap(), in.getRemoveList());
      if (refused != null) throw GrpcErrors.status(refused);
      Map<String, String> set = Map.copyOf(in.getSetMap());
      List<String> remove = List.copyOf(in.getRemoveList());
      return folders(p.parent(), false).thenCompose(uuids -> folder(p.datasource(), last(uuids))
          .<FolderEntity.Reply>ask(r -> new FolderEntity.SetProps(p.name(), set, remove, requestId, r), timeout)
          .thenCompose(r -> r.failure() != null && r.failure().code().equals("NOT_FOUND")
              ? CompletableFuture.failedFuture(GrpcErrors.status(Failure.notFound("'" + GrpcErrors.printable(p.text()) + "' not found")))
              : ok(r, x -> node(p.datasource(), p.text(), x.entry()))));
    });
  }

  @Override
  public CompletionStage<PurgeResponse> remove(RemoveRequest in) {
    return GrpcErrors.call(() -> {
      Path p = path(in.getDatasource(), in.getPath());
      if (p.root()) throw GrpcErrors.invalid("the root cannot be removed");
      String ifMatch = in.hasIfMatch() ? in.getIfMatch() : null;
      return folders(p.parent(), false).thenCompose(uuids -> folder(p.datasource(), last(uuids))
          .<FolderEntity.Reply>ask(r -> new FolderEntity.Remove(p.name(), ifMatch, false, "", r), timeout)
          .thenCompose(r -> ok(r, x -> PurgeResponse.newBuilder().addBlobIds(x.entry().blobId()).setFiles(1).build())));
    });
  }
}
