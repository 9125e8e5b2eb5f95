package arca.tree;

import akka.stream.javadsl.Source;
import arca.proto.objects.WriteHeader;
import arca.proto.objects.WriteRequest;
import arca.proto.tree.CopyJob;
import arca.proto.tree.CopyRequest;
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
import arca.proto.tree.SortBy;
import arca.proto.tree.StatRequest;
import arca.proto.tree.TrashRequest;
import arca.testkit.NodeContract;
import arca.testkit.TestNode;
import com.google.protobuf.ByteString;
import io.grpc.Status;
import java.util.HashMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static arca.testkit.Calls.assertStatus;
import static arca.testkit.Calls.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tree service on real storage through its generated client; one subclass per storage backend. */
abstract class TreeServiceContract extends NodeContract {
  static final String DS = "default";
  private CompletionStage<PutFileResponse> put(String path, String blob, long size) {
    return node.tree.putFile(PutFileRequest.newBuilder().setDatasource(DS).setPath(path).setBlobId(blob).setSize(size)
        .setEtag("etag-" + blob).build());
  }

  private CompletionStage<Node> stat(String path) {
    return node.tree.stat(StatRequest.newBuilder().setDatasource(DS).setPath(path).build());
  }

  private ListResponse list(String path, ListRequest.Builder b) {
    return await(node.tree.list(b.setDatasource(DS).setPath(path).build()));
  }

  private Node move(String from, String to, boolean overwrite) {
    return await(node.tree.move(MoveRequest.newBuilder().setDatasource(DS).setFrom(from).setTo(to).setOverwrite(overwrite).build()));
  }

  @Test
  void filesAndFoldersAtAnyDepthWithVersions() {
    Node folder = await(node.tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(DS).setPath("a/b/c").build()));
    assertEquals(NodeType.FOLDER, folder.getType());
    assertEquals("a/b/c", folder.getPath());
    assertEquals(folder.getUuid(), await(node.tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(DS)
        .setPath("a/b/c").build())).getUuid(), "an existing folder is returned as is");

    PutFileResponse first = await(put("a/b/c/deep.txt", "blob-1", 10));
    assertEquals(1, first.getNode().getVersion());
    assertEquals("", first.getReplacedBlobId());
    PutFileResponse second = await(put("a/b/c/deep.txt", "blob-2", 20));
    assertEquals(2, second.getNode().getVersion());
    assertEquals("blob-1", second.getReplacedBlobId(), "the replaced content's blob is handed back");
    assertEquals(first.getNode().getUuid(), second.getNode().getUuid(), "a new version keeps the node");
    Node stat = await(stat("/a/b/c/deep.txt"));
    assertEquals(20, stat.getSize());
    assertEquals("etag-blob-2", stat.getEtag());
    assertEquals("blob-2", stat.getBlobId());

    // a file under missing folders creates them
    await(put("x/y/z.bin", "blob-3", 3));
    assertEquals(NodeType.FOLDER, await(stat("x/y")).getType());

    // conditions
    assertStatus(Status.Code.FAILED_PRECONDITION, node.tree.putFile(PutFileRequest.newBuilder().setDatasource(DS)
        .setPath("x/y/z.bin").setBlobId("b").setIfNoneMatch(true).build()));
    assertStatus(Status.Code.FAILED_PRECONDITION, node.tree.putFile(PutFileRequest.newBuilder().setDatasource(DS)
        .setPath("x/y/z.bin").setBlobId("b").setIfMatch("\"nope\"").build()));
    assertEquals(2, await(node.tree.putFile(PutFileRequest.newBuilder().setDatasource(DS).setPath("x/y/z.bin")
        .setBlobId("blob-4").setIfMatch("\"etag-blob-3\"").build())).getNode().getVersion());

    // a file is not a folder and a folder is not a file
    assertStatus(Status.Code.ALREADY_EXISTS, put("x/y/z.bin/inner", "b", 1));
    assertStatus(Status.Code.ALREADY_EXISTS, put("x/y", "b", 1));
    assertStatus(Status.Code.NOT_FOUND, stat("x/nothing"));
    assertStatus(Status.Code.NOT_FOUND, stat("nothing/at/all"));

    PurgeResponse removed = await(node.tree.remove(RemoveRequest.newBuilder().setDatasource(DS).setPath("x/y/z.bin").build()));
    assertEquals(List.of("blob-4"), removed.getBlobIdsList());
    assertStatus(Status.Code.NOT_FOUND, stat("x/y/z.bin"));
  }

  @Test
  void pathsThatCouldEscapeOrCollideAreRefused() {
    for (String bad : List.of("a/../b", "..", "a/./b", "a//b", "nul\u0000byte", "tab\tname", "del\u007f", "x".repeat(256))) {
      assertStatus(Status.Code.INVALID_ARGUMENT, put("v/" + bad, "b", 1));
    }
    assertStatus(Status.Code.INVALID_ARGUMENT, node.tree.stat(StatRequest.newBuilder().setDatasource("../etc").setPath("a").build()));
    await(put("v/caf\u00e9.txt", "b1", 1));
    // the same name decomposed (e + combining acute) collides
    assertStatus(Status.Code.INVALID_ARGUMENT, put("v/cafe\u0301.txt", "b2", 1));
    // and addresses the same node when read
    assertEquals("caf\u00e9.txt", await(stat("v/cafe\u0301.txt")).getName());
    // non-ASCII names otherwise work
    await(put("v/日本/ファイル.txt", "b3", 1));
    assertEquals(1, list("v/日本", ListRequest.newBuilder()).getTotal());
  }

  private static String name(int i) {
    return String.format("f%05d", i);
  }

  /** Entries of the big folder: 20,000 on the embedded default, fewer where a run costs more (see the subclass). */
  int bigFolderEntries() {
    return 20_000;
  }

  @Test
  void bigFolderPagesByCursorAndSorts() {
    int n = bigFolderEntries();
    List<CompletableFuture<PutFileResponse>> puts = new ArrayList<>();
    await(node.tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(DS).setPath("big/sub-folder").build()));
    for (int i = 0; i < n; i++) {
      puts.add(put(String.format("big/f%05d", i), "blob" + i, i).toCompletableFuture());
      if (puts.size() == 200) {
        puts.forEach(f -> await(f));
        puts.clear();
      }
    }
    puts.forEach(f -> await(f));
    Set<String> seen = new HashSet<>();
    String cursor = "";
    int pages = 0;
    String previous = "";
    do {
      ListResponse page = list("big", ListRequest.newBuilder().setLimit(1000).setCursor(cursor));
      assertEquals(n + 1, page.getTotal());
      for (Node c : page.getChildrenList()) {
        assertTrue(c.getName().compareTo(previous) > 0, "name order");
        previous = c.getName();
        assertTrue(seen.add(c.getName()), "each child once: " + c.getName());
      }
      cursor = page.getNextCursor();
      pages++;
    } while (!cursor.isEmpty());
    assertEquals(n + 1, seen.size());
    assertEquals(n / 1000 + 1, pages);

    ListResponse bySize = list("big", ListRequest.newBuilder().setLimit(3).setSort(SortBy.SIZE).setDescending(true).setFoldersFirst(true));
    assertEquals(List.of("sub-folder", name(n - 1), name(n - 2)), bySize.getChildrenList().stream().map(Node::getName).toList());
    ListResponse next = list("big", ListRequest.newBuilder().setLimit(2).setSort(SortBy.SIZE).setDescending(true)
        .setFoldersFirst(true).setCursor(bySize.getNextCursor()));
    assertEquals(List.of(name(n - 3), name(n - 4)), next.getChildrenList().stream().map(Node::getName).toList());
    ListResponse prefixed = list("big", ListRequest.newBuilder().setPrefix(name(n - 1).substring(0, 5)).setLimit(100));
    assertEquals(10, prefixed.getTotal());
    ListResponse offset = list("big", ListRequest.newBuilder().setOffset(n - 1).setLimit(5));
    assertEquals(List.of(name(n - 1), "sub-folder"), offset.getChildrenList().stream().map(Node::getName).toList());
    assertStatus(Status.Code.INVALID_ARGUMENT, node.tree.list(ListRequest.newBuilder().setDatasource(DS).setPath("big").setLimit(5001).build()));
    assertStatus(Status.Code.FAILED_PRECONDITION, node.tree.list(ListRequest.newBuilder().setDatasource(DS).setPath("big/f00001").build()));
  }

  @Test
  void renameAndMoveFilesAndWholeFolders() {
    await(put("m/docs/2024/report.pdf", "r1", 100));
    await(put("m/docs/2024/deep/notes.txt", "n1", 5));
    await(put("m/other/keep.txt", "k1", 1));

    Node renamed = move("m/docs/2024/report.pdf", "m/docs/2024/final.pdf", false);
    assertEquals("final.pdf", renamed.getName());
    assertStatus(Status.Code.NOT_FOUND, stat("m/docs/2024/report.pdf"));

    // a whole folder moves at once, its subtree with it
    Node moved = move("m/docs/2024", "m/archive/2024", false);
    assertEquals(NodeType.FOLDER, moved.getType());
    assertEquals("n1", await(stat("m/archive/2024/deep/notes.txt")).getBlobId());
    assertEquals("r1", await(stat("m/archive/2024/final.pdf")).getBlobId());
    assertStatus(Status.Code.NOT_FOUND, stat("m/docs/2024"));

    // never into itself
    assertStatus(Status.Code.INVALID_ARGUMENT, node.tree.move(MoveRequest.newBuilder().setDatasource(DS)
        .setFrom("m/archive").setTo("m/archive/2024/deep/loop").build()));
    // an existing target is kept unless overwrite (files only)
    assertStatus(Status.Code.ALREADY_EXISTS, node.tree.move(MoveRequest.newBuilder().setDatasource(DS)
        .setFrom("m/archive/2024/final.pdf").setTo("m/other/keep.txt").build()));
    assertEquals("r1", await(stat("m/archive/2024/final.pdf")).getBlobId(), "a refused move leaves the source");
    move("m/archive/2024/final.pdf", "m/other/keep.txt", true);
    assertEquals("r1", await(stat("m/other/keep.txt")).getBlobId());
    assertStatus(Status.Code.NOT_FOUND, stat("m/archive/2024/final.pdf"));
    assertStatus(Status.Code.ALREADY_EXISTS, node.tree.move(MoveRequest.newBuilder().setDatasource(DS)
        .setFrom("m/archive").setTo("m/other").setOverwrite(true).build()));
  }

  /**
   * A move, rename, trash or purge sent again after it applied (its answer lost) carries the same request id and
   * gets the same answer instead of NOT_FOUND; another request for the gone path is still NOT_FOUND.
   */
  @Test
  void movesTrashAndPurgeSentAgainApplyOnce() {
    await(put("r/a.txt", "ra", 1));
    await(put("r/sub/b.txt", "rb", 2));
    await(put("r/c.txt", "rc", 3));
    MoveRequest rename = MoveRequest.newBuilder().setDatasource(DS).setFrom("r/a.txt").setTo("r/a2.txt").setRequestId("mv-1").build();
    Node first = await(node.tree.move(rename));
    assertEquals(first, await(node.tree.move(rename)), "a rename sent again");
    MoveRequest across = MoveRequest.newBuilder().setDatasource(DS).setFrom("r/sub/b.txt").setTo("r/other/b.txt").setRequestId("mv-2").build();
    Node moved = await(node.tree.move(across));
    assertEquals(moved.getUuid(), await(node.tree.move(across)).getUuid(), "a move across folders sent again");
    assertEquals("rb", await(stat("r/other/b.txt")).getBlobId());
    assertStatus(Status.Code.NOT_FOUND, node.tree.move(rename.toBuilder().setRequestId("mv-3").build()));
    assertStatus(Status.Code.NOT_FOUND, node.tree.move(rename.toBuilder().setRequestId("").build()));

    TrashRequest trash = TrashRequest.newBuilder().setDatasource(DS).setPath("r/c.txt").setBy("alice").setRequestId("rm-1").build();
    Node trashed = await(node.tree.trash(trash));
    assertEquals(trashed.getUuid(), await(node.tree.trash(trash)).getUuid(), "a trash sent again");
    assertStatus(Status.Code.NOT_FOUND, node.tree.trash(trash.toBuilder().setRequestId("rm-2").build()));
    assertEquals(1, await(node.tree.listTrash(ListTrashRequest.newBuilder().setDatasource(DS).setPrefix("r/").build())).getTotal());

    RestoreRequest restore = RestoreRequest.newBuilder().setDatasource(DS).setUuid(trashed.getUuid()).setTo("r/c.txt")
        .setRequestId("rs-1").build();
    Node restored = await(node.tree.restore(restore));
    assertEquals(restored, await(node.tree.restore(restore)), "a restore sent again");
    assertStatus(Status.Code.NOT_FOUND, node.tree.restore(restore.toBuilder().setRequestId("rs-2").build()));
    await(node.tree.trash(trash.toBuilder().setRequestId("rm-3").build()));

    PurgeRequest purge = PurgeRequest.newBuilder().setDatasource(DS).setUuid(trashed.getUuid()).setRequestId("pg-1").build();
    assertEquals(List.of("rc"), await(node.tree.purge(purge)).getBlobIdsList());
    assertEquals(List.of(), await(node.tree.purge(purge)).getBlobIdsList(), "a purge sent again: done, nothing more to delete");
    assertStatus(Status.Code.NOT_FOUND, node.tree.purge(purge.toBuilder().setRequestId("pg-2").build()));
  }

  @Test
  void copiesSentAgainApplyOnce() throws Exception {
    await(node.tree.putFile(PutFileRequest.newBuilder().setDatasource(DS).setPath("rc/src/a.txt").setBlobId(blob("a")).setSize(1).setEtag("ea").build()));
    await(node.tree.putFile(PutFileRequest.newBuilder().setDatasource(DS).setPath("rc/src/sub/b.txt").setBlobId(blob("bb")).setSize(2).setEtag("eb").build()));
    var file = CopyRequest.newBuilder().setDatasource(DS).setFrom("rc/src/a.txt").setTo("rc/a2.txt").setRequestId("cp-1").build();
    var first = await(node.tree.copy(file));
    assertEquals(first, await(node.tree.copy(file)), "a file copy sent again");
    assertStatus(Status.Code.ALREADY_EXISTS, node.tree.copy(file.toBuilder().setRequestId("cp-2").build()));

    var folder = CopyRequest.newBuilder().setDatasource(DS).setFrom("rc/src").setTo("rc/dst").setRequestId("cp-3").build();
    var job = await(node.tree.copy(folder));
    var again = await(node.tree.copy(folder));
    assertEquals(job.getJobId(), again.getJobId(), "the same job");
    assertEquals(job.getNode().getUuid(), again.getNode().getUuid());
    CopyJob state = null;
    for (int i = 0; i < 100; i++) {
      state = await(node.tree.getCopyJob(GetCopyJobRequest.newBuilder().setJobId(job.getJobId()).build()));
      if (state.getDone()) break;
      Thread.sleep(100);
    }
    assertTrue(state.getDone(), state.toString());
    assertEquals(2, state.getFilesCopied(), "every file once");
    assertStatus(Status.Code.ALREADY_EXISTS, node.tree.copy(folder.toBuilder().setRequestId("cp-4").build()));
  }

  @Test
  void recycleBinTrashRestorePurge() {
    await(put("t/project/a.txt", "ta", 1));
    await(put("t/project/sub/b.txt", "tb", 2));
    await(put("t/single.txt", "ts", 3));
    Node trashedFolder = await(node.tree.trash(TrashRequest.newBuilder().setDatasource(DS).setPath("t/project").setBy("alice").build()));
    Node trashedFile = await(node.tree.trash(TrashRequest.newBuilder().setDatasource(DS).setPath("t/single.txt").setBy("alice").build()));
    assertStatus(Status.Code.NOT_FOUND, stat("t/project/a.txt"));
    assertEquals(0, list("t", ListRequest.newBuilder()).getTotal());

    ListResponse bin = await(node.tree.listTrash(ListTrashRequest.newBuilder().setDatasource(DS).setPrefix("t/").build()));
    assertEquals(2, bin.getTotal());
    assertEquals(Set.of("t/project", "t/single.txt"),
        Set.copyOf(bin.getChildrenList().stream().map(c -> c.getTrash().getOriginalPath()).toList()));
    assertEquals("alice", bin.getChildren(0).getTrash().getTrashedBy());

    Node restored = await(node.tree.restore(RestoreRequest.newBuilder().setDatasource(DS).setUuid(trashedFolder.getUuid()).build()));
    assertEquals("t/project", restored.getPath());
    assertEquals("tb", await(stat("t/project/sub/b.txt")).getBlobId());

    // restoring over an existing node is refused; to another path it works
    await(put("t/single.txt", "ts2", 3));
    assertStatus(Status.Code.ALREADY_EXISTS, node.tree.restore(RestoreRequest.newBuilder().setDatasource(DS).setUuid(trashedFile.getUuid()).build()));
    await(node.tree.restore(RestoreRequest.newBuilder().setDatasource(DS).setUuid(trashedFile.getUuid()).setTo("t/single (restored).txt").build()));
    assertEquals("ts", await(stat("t/single (restored).txt")).getBlobId());

    // purge hands back every blob under a folder
    Node again = await(node.tree.trash(TrashRequest.newBuilder().setDatasource(DS).setPath("t/project").build()));
    PurgeResponse purged = await(node.tree.purge(PurgeRequest.newBuilder().setDatasource(DS).setUuid(again.getUuid()).build()));
    assertEquals(Set.of("ta", "tb"), Set.copyOf(purged.getBlobIdsList()));
    assertEquals(2, purged.getFiles());
    assertEquals(2, purged.getFolders());
    assertStatus(Status.Code.NOT_FOUND, node.tree.purge(PurgeRequest.newBuilder().setDatasource(DS).setUuid(again.getUuid()).build()));
    assertEquals(0, await(node.tree.listTrash(ListTrashRequest.newBuilder().setDatasource(DS).setPrefix("t/").build())).getTotal());
  }

  private String blob(String text) {
    var header = WriteRequest.newBuilder().setHeader(WriteHeader.newBuilder().setDatasource(DS)).build();
    var chunk = WriteRequest.newBuilder().setChunk(ByteString.copyFromUtf8(text)).build();
    return await(node.objects.write(Source.from(List.of(header, chunk)))).getBlobId();
  }

  @Test
  void copyAFileAtOnceAndAFolderTreeAsAJob() throws Exception {
    await(node.tree.putFile(PutFileRequest.newBuilder().setDatasource(DS).setPath("c/src/a.txt").setBlobId(blob("a")).setSize(1).setEtag("ea").build()));
    await(node.tree.putFile(PutFileRequest.newBuilder().setDatasource(DS).setPath("c/src/sub/b.txt").setBlobId(blob("bb")).setSize(2).setEtag("eb").build()));
    await(node.tree.putFile(PutFileRequest.newBuilder().setDatasource(DS).setPath("c/src/sub/deeper/c.txt").setBlobId(blob("ccc")).setSize(3).setEtag("ec").build()));

    var fileCopy = await(node.tree.copy(CopyRequest.newBuilder().setDatasource(DS).setFrom("c/src/a.txt").setTo("c/a-copy.txt").build()));
    assertTrue(fileCopy.getJobId().isEmpty());
    Node copied = await(stat("c/a-copy.txt"));
    assertEquals("ea", copied.getEtag());
    assertTrue(!copied.getBlobId().equals(await(stat("c/src/a.txt")).getBlobId()), "a copy has its own blob");
    assertStatus(Status.Code.ALREADY_EXISTS, node.tree.copy(CopyRequest.newBuilder().setDatasource(DS).setFrom("c/src/a.txt").setTo("c/a-copy.txt").build()));

    var job = await(node.tree.copy(CopyRequest.newBuilder().setDatasource(DS).setFrom("c/src").setTo("c/dst")
        .setBy("carol").build()));
    assertTrue(!job.getJobId().isEmpty());
    CopyJob state = null;
    for (int i = 0; i < 100; i++) {
      state = await(node.tree.getCopyJob(GetCopyJobRequest.newBuilder().setJobId(job.getJobId()).build()));
      if (state.getDone()) break;
      Thread.sleep(100);
    }
    assertTrue(state.getDone(), state.toString());
    assertEquals(3, state.getFilesCopied());
    assertEquals(3, state.getFoldersDone());
    assertEquals("carol", state.getBy(), "a copy job knows who started it");
    assertEquals(3, await(stat("c/dst/sub/deeper/c.txt")).getSize());
    assertEquals("eb", await(stat("c/dst/sub/b.txt")).getEtag());
    assertEquals(1, await(stat("c/src/a.txt")).getSize(), "the source stays");
    assertStatus(Status.Code.ALREADY_EXISTS, node.tree.copy(CopyRequest.newBuilder().setDatasource(DS).setFrom("c/src").setTo("c/dst").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.tree.copy(CopyRequest.newBuilder().setDatasource(DS).setFrom("c/src").setTo("c/src/sub/x").build()));
    assertStatus(Status.Code.NOT_FOUND, node.tree.getCopyJob(GetCopyJobRequest.newBuilder().setJobId(UUID.randomUUID().toString()).build()));
  }

  @Test
  void aFolderCopyInterruptedByARestartCompletesWithEveryFileOnce() throws Exception {
    List<CompletableFuture<PutFileResponse>> puts = new ArrayList<>();
    for (int f = 0; f < 30; f++) {
      for (int i = 0; i < 5; i++) {
        puts.add(node.tree.putFile(PutFileRequest.newBuilder().setDatasource(DS).setPath("j/src/d" + f + "/f" + i)
            .setBlobId(blob("x" + f + i)).setSize(3).setEtag("e").build()).toCompletableFuture());
      }
    }
    puts.forEach(p -> await(p));
    var job = await(node.tree.copy(CopyRequest.newBuilder().setDatasource(DS).setFrom("j/src").setTo("j/dst").build()));
    // stop the node while the job runs, start it again: the job resumes (woken by the sweeper) and completes
    node.close();
    node = TestNode.start(dataDir, database);
    CopyJob state = null;
    for (int i = 0; i < 300; i++) {
      state = await(node.tree.getCopyJob(GetCopyJobRequest.newBuilder().setJobId(job.getJobId()).build()));
      if (state.getDone()) break;
      Thread.sleep(100);
    }
    assertTrue(state.getDone(), state.toString());
    ListResponse top = list("j/dst", ListRequest.newBuilder().setLimit(100));
    assertEquals(30, top.getTotal());
    for (int f = 0; f < 30; f++) {
      assertEquals(5, list("j/dst/d" + f, ListRequest.newBuilder().setLimit(100)).getTotal(), "every file once in d" + f);
    }
  }

  @Test
  void theIndexSurvivesARestart() {
    await(put("r/keep/me.txt", "km", 7));
    move("r/keep", "r/kept", false);
    node.close();
    node = TestNode.start(dataDir, database);
    assertEquals("km", await(stat("r/kept/me.txt")).getBlobId());
    assertStatus(Status.Code.NOT_FOUND, stat("r/keep"));
  }

  // ---- dead properties (WebDAV PROPPATCH) ----

  private CompletionStage<Node> props(String path, Map<String, String> set, List<String> remove, String requestId) {
    return node.tree.setProps(SetPropsRequest.newBuilder().setDatasource(DS).setPath(path).putAllSet(set)
        .addAllRemove(remove).setRequestId(requestId).build());
  }

  private Map<String, String> propsAt(String path) {
    return await(stat(path)).getPropsMap();
  }

  private CopyJob awaitJob(String jobId) throws InterruptedException {
    CopyJob state = null;
    for (int i = 0; i < 100; i++) {
      state = await(node.tree.getCopyJob(GetCopyJobRequest.newBuilder().setJobId(jobId).build()));
      if (state.getDone()) break;
      Thread.sleep(100);
    }
    assertTrue(state.getDone(), state.toString());
    return state;
  }

  @Test
  void deadPropertiesAreSetRemovedAndShownInStatAndList() {
    await(put("dp/a.txt", "dpa", 1));
    await(node.tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(DS).setPath("dp/dir").build()));
    String xml = "<x:v xmlns:x=\"urn:x\">1 &amp; 2</x:v>";
    Node set = await(props("dp/a.txt", Map.of("{urn:x}color", "red", "{}plain", "p", "{urn:x}size", xml), List.of(), ""));
    assertEquals(Map.of("{urn:x}color", "red", "{}plain", "p", "{urn:x}size", xml), set.getPropsMap());
    assertEquals("dp/a.txt", set.getPath());
    assertEquals(set.getPropsMap(), propsAt("dp/a.txt"));
    // removes first, then sets; a name not there is no error
    Node changed = await(props("dp/a.txt", Map.of("{urn:x}color", "blue"), List.of("{urn:x}color", "{}plain", "{urn:y}absent"), ""));
    assertEquals(Map.of("{urn:x}color", "blue", "{urn:x}size", xml), changed.getPropsMap());
    assertEquals(changed, await(props("dp/a.txt", Map.of("{urn:x}color", "blue"), List.of("{}gone"), "")), "nothing to change");
    await(props("dp/dir", Map.of("{urn:x}kind", "album"), List.of(), ""));
    ListResponse listed = list("dp", ListRequest.newBuilder());
    assertEquals(List.of(changed.getPropsMap(), Map.of("{urn:x}kind", "album")),
        listed.getChildrenList().stream().map(Node::getPropsMap).toList());
    assertEquals(Map.of("{urn:x}kind", "album"), list("dp/dir", ListRequest.newBuilder()).getFolder().getPropsMap());
    assertEquals(Map.of(), await(put("dp/new.txt", "dpn", 1)).getNode().getPropsMap(), "a new file has none");

    assertStatus(Status.Code.FAILED_PRECONDITION, props("", Map.of("{urn:x}a", "1"), List.of(), ""));
    assertStatus(Status.Code.FAILED_PRECONDITION, props("/", Map.of("{urn:x}a", "1"), List.of(), ""));
    assertStatus(Status.Code.NOT_FOUND, props("dp/missing.txt", Map.of("{urn:x}a", "1"), List.of(), ""));
    assertStatus(Status.Code.NOT_FOUND, props("dp/no/such.txt", Map.of("{urn:x}a", "1"), List.of(), ""));
  }

  @Test
  void deadPropertyNamesAndLimitsAreChecked() {
    await(put("dl/a.txt", "dla", 1));
    for (String bad : List.of("plain", "{urn:x}", "{urn:x", "urn:x}a", "{urn:x}a b", "{urn:x}a}b", "{a{b}c", "{urn:x}a\u0001")) {
      assertStatus(Status.Code.INVALID_ARGUMENT, props("dl/a.txt", Map.of(bad, "v"), List.of(), ""));
      assertStatus(Status.Code.INVALID_ARGUMENT, props("dl/a.txt", Map.of(), List.of(bad), ""));
    }
    assertStatus(Status.Code.INVALID_ARGUMENT, props("dl/a.txt", Map.of("{urn:x}a", "v"), List.of(), "bad id"));
    String name512 = "{urn:x}" + "n".repeat(512 - 7);
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, props("dl/a.txt", Map.of(name512 + "n", "v"), List.of(), ""));
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, props("dl/a.txt", Map.of("{urn:x}big", "v".repeat(65_537)), List.of(), ""));
    // 262,144 characters in all: five values of 60,000 are too many together
    Map<String, String> tooMuch = new HashMap<>();
    for (int i = 0; i < 5; i++) tooMuch.put("{urn:x}p" + i, "v".repeat(60_000));
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, props("dl/a.txt", tooMuch, List.of(), ""));
    // 256 properties per node, counted after the change
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i < 255; i++) many.put("{urn:x}p" + i, "v");
    many.put(name512, "v");
    assertEquals(256, await(props("dl/a.txt", many, List.of(), "")).getPropsCount(), "at the limits");
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, props("dl/a.txt", Map.of("{urn:x}one-more", "v"), List.of(), ""));
    assertEquals(256, await(props("dl/a.txt", Map.of("{urn:x}one-more", "v"), List.of("{urn:x}p0"), "")).getPropsCount(),
        "one removed makes room for one more");
    assertEquals(256, propsAt("dl/a.txt").size(), "refused changes leave the properties");
    assertEquals(Map.of("{}empty-ns", ""), await(props("dl/a.txt", Map.of("{}empty-ns", ""),
        List.copyOf(propsAt("dl/a.txt").keySet()), "")).getPropsMap(), "an empty namespace and an empty value");
  }

  /**
   * Events beyond 64 KiB (the largest property values, carried twice by a cross-folder move) are stored and replayed
   * on every database (MariaDB's journal columns are LONGBLOB since journal V2).
   */
  @Test
  void bigPropertiesSurviveAMoveAndARestart() throws Exception {
    await(put("bp/from/a.txt", "bpa", 1));
    await(node.tree.createFolder(CreateFolderRequest.newBuilder().setDatasource(DS).setPath("bp/to").build()));
    Map<String, String> big = Map.of("{urn:x}big", "b".repeat(65_536), "{urn:x}big2", "c".repeat(65_536));
    await(props("bp/from/a.txt", big, List.of(), ""));
    await(node.tree.move(MoveRequest.newBuilder().setDatasource(DS).setFrom("bp/from/a.txt")
        .setTo("bp/to/a.txt").build()));
    assertEquals(big, propsAt("bp/to/a.txt"));
    node.close();
    node = TestNode.start(dataDir, database);
    assertEquals(big, propsAt("bp/to/a.txt"), "replayed from the journal");
  }

  @Test
  void aPropertyChangeSentAgainAppliesOnce() {
    await(put("dr/a.txt", "dra", 1));
    Node first = await(props("dr/a.txt", Map.of("{urn:x}v", "1"), List.of(), "pp-1"));
    assertEquals(Map.of("{urn:x}v", "1"), first.getPropsMap());
    await(props("dr/a.txt", Map.of("{urn:x}v", "2"), List.of(), ""));
    Node again = await(props("dr/a.txt", Map.of("{urn:x}v", "1"), List.of(), "pp-1"));
    assertEquals(Map.of("{urn:x}v", "2"), again.getPropsMap(), "answered with the node as it is, not applied again");
    assertEquals(Map.of("{urn:x}v", "2"), propsAt("dr/a.txt"));
    assertEquals(Map.of("{urn:x}v", "1"), await(props("dr/a.txt", Map.of("{urn:x}v", "1"), List.of(), "pp-2")).getPropsMap());
  }

  @Test
  void deadPropertiesFollowTheirNode() {
    Map<String, String> file = Map.of("{urn:x}f", "file");
    Map<String, String> folder = Map.of("{urn:x}d", "folder");
    Map<String, String> inner = Map.of("{urn:x}i", "inner");
    await(put("df/a.txt", "dfa", 1));
    await(put("df/dir/inner.txt", "dfi", 1));
    await(props("df/a.txt", file, List.of(), ""));
    await(props("df/dir", folder, List.of(), ""));
    await(props("df/dir/inner.txt", inner, List.of(), ""));

    assertEquals(file, move("df/a.txt", "df/b.txt", false).getPropsMap(), "rename of a file");
    assertEquals(folder, move("df/dir", "df/dir2", false).getPropsMap(), "rename of a folder");
    assertEquals(file, move("df/b.txt", "df/other/b.txt", false).getPropsMap(), "a file moved to another folder");
    assertEquals(file, propsAt("df/other/b.txt"));
    assertEquals(folder, move("df/dir2", "df/other/dir", false).getPropsMap(), "a folder moved to another folder");
    assertEquals(folder, propsAt("df/other/dir"));
    assertEquals(inner, propsAt("df/other/dir/inner.txt"), "the child inside keeps its own");

    PutFileResponse v2 = await(put("df/other/b.txt", "dfb2", 2));
    assertEquals(2, v2.getNode().getVersion());
    assertEquals(file, v2.getNode().getPropsMap(), "new content keeps them");

    Node trashed = await(node.tree.trash(TrashRequest.newBuilder().setDatasource(DS).setPath("df/other/b.txt").build()));
    assertEquals(file, trashed.getPropsMap());
    assertEquals(file, await(node.tree.listTrash(ListTrashRequest.newBuilder().setDatasource(DS).setPrefix("df/").build()))
        .getChildren(0).getPropsMap());
    Node restored = await(node.tree.restore(RestoreRequest.newBuilder().setDatasource(DS).setUuid(trashed.getUuid()).build()));
    assertEquals(file, restored.getPropsMap());
    assertEquals(file, propsAt("df/other/b.txt"));
    Node trashedFolder = await(node.tree.trash(TrashRequest.newBuilder().setDatasource(DS).setPath("df/other/dir").build()));
    await(node.tree.restore(RestoreRequest.newBuilder().setDatasource(DS).setUuid(trashedFolder.getUuid()).build()));
    assertEquals(folder, propsAt("df/other/dir"));
    assertEquals(inner, propsAt("df/other/dir/inner.txt"));

    // a file put where one was removed is a new file: none
    await(node.tree.remove(RemoveRequest.newBuilder().setDatasource(DS).setPath("df/other/b.txt").build()));
    assertEquals(Map.of(), await(put("df/other/b.txt", "dfb3", 1)).getNode().getPropsMap());
  }

  @Test
  void copiesGetACopyOfTheDeadProperties() throws Exception {
    Map<String, String> file = Map.of("{urn:x}f", "file");
    Map<String, String> root = Map.of("{urn:x}r", "root");
    Map<String, String> sub = Map.of("{urn:x}s", "sub");
    await(node.tree.putFile(PutFileRequest.newBuilder().setDatasource(DS).setPath("dc/src/a.txt").setBlobId(blob("a")).setSize(1).build()));
    await(node.tree.putFile(PutFileRequest.newBuilder().setDatasource(DS).setPath("dc/src/sub/b.txt").setBlobId(blob("b")).setSize(1).build()));
    await(props("dc/src/a.txt", file, List.of(), ""));
    await(props("dc/src", root, List.of(), ""));
    await(props("dc/src/sub", sub, List.of(), ""));

    var fileCopy = await(node.tree.copy(CopyRequest.newBuilder().setDatasource(DS).setFrom("dc/src/a.txt").setTo("dc/a2.txt").build()));
    assertEquals(file, fileCopy.getNode().getPropsMap());
    assertEquals(file, propsAt("dc/a2.txt"));

    var job = await(node.tree.copy(CopyRequest.newBuilder().setDatasource(DS).setFrom("dc/src").setTo("dc/dst").build()));
    assertEquals(root, job.getNode().getPropsMap(), "the copied root folder");
    awaitJob(job.getJobId());
    assertEquals(root, propsAt("dc/dst"));
    assertEquals(file, propsAt("dc/dst/a.txt"));
    assertEquals(sub, propsAt("dc/dst/sub"));
    assertEquals(Map.of(), propsAt("dc/dst/sub/b.txt"));

    // copies are copies: changing one leaves the source
    await(props("dc/dst/a.txt", Map.of("{urn:x}f", "changed"), List.of(), ""));
    assertEquals(file, propsAt("dc/src/a.txt"));
  }
}
