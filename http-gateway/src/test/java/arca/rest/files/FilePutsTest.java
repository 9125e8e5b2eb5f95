package arca.rest.files;

import akka.stream.AbruptStageTerminationException;
import arca.proto.objects.BlobRef;
import arca.proto.objects.DeleteResult;
import arca.proto.objects.ObjectsService;
import arca.proto.tree.PutFileRequest;
import arca.proto.tree.TreeService;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A put the tree refused deletes the new blob; one whose outcome is unknown keeps it (it may have applied). */
class FilePutsTest {
  private final List<String> deleted = new CopyOnWriteArrayList<>();
  private final Blobs blobs = new Blobs(ds -> (ObjectsService) Proxy.newProxyInstance(getClass().getClassLoader(),
      new Class<?>[] {ObjectsService.class}, (p, m, args) -> {
        if (!m.getName().equals("delete")) throw new UnsupportedOperationException(m.getName());
        deleted.add(((BlobRef) args[0]).getBlobId());
        return CompletableFuture.completedFuture(DeleteResult.getDefaultInstance());
      }));

  private static TreeService failing(Throwable failure) {
    return (TreeService) Proxy.newProxyInstance(FilePutsTest.class.getClassLoader(), new Class<?>[] {TreeService.class},
        (p, m, args) -> CompletableFuture.failedFuture(failure));
  }

  private void put(Throwable failure) {
    PutFileRequest put = PutFileRequest.newBuilder().setDatasource("default").setPath("a/b").setBlobId("new-blob").build();
    assertThrows(CompletionException.class, () -> FilePuts.record(failing(failure), blobs, put).toCompletableFuture().join());
  }

  @Test
  void aRefusedPutDeletesTheNewBlob() {
    put(Status.FAILED_PRECONDITION.withDescription("refused").asRuntimeException());
    assertEquals(List.of("new-blob"), deleted);
  }

  @Test
  void anUnansweredOrAbortedPutKeepsIt() {
    put(Status.UNAVAILABLE.asRuntimeException());
    put(new CompletionException(new AbruptStageTerminationException(null)));
    assertEquals(List.of(), deleted);
  }
}
