package arca.workspace;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import arca.proto.workspace.Scope;
import arca.proto.workspace.WorkspaceCreated;
import arca.proto.workspace.WorkspaceDeleted;
import arca.proto.workspace.WorkspaceSnapshot;
import arca.proto.workspace.WorkspaceUpdated;
import arca.testkit.EntityTestKits;
import com.google.protobuf.GeneratedMessageV3;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WorkspaceEntityTest {
  private static final WorkspaceEntity.Root ROOT = new WorkspaceEntity.Root("default", "projects/alpha");
  private static final WorkspaceEntity.Root PERSONAL_ROOT = new WorkspaceEntity.Root("default", "home/{login}");

  private static ActorTestKit testKit;
  private static final AtomicInteger ids = new AtomicInteger();

  @BeforeAll
  static void startTestKit() {
    testKit = EntityTestKits.start("WorkspaceEntityTest");
  }

  @AfterAll
  static void stopTestKit() {
    testKit.shutdownTestKit();
  }

  private record Ws(String slug,
                    EventSourcedBehaviorTestKit<WorkspaceEntity.Command, GeneratedMessageV3, WorkspaceEntity.State> kit) {}

  private static Ws newWorkspace() {
    String slug = "ws-" + ids.incrementAndGet();
    return new Ws(slug, EventSourcedBehaviorTestKit.create(testKit.system(), new WorkspaceEntity(slug, "", ""),
        EntityTestKits.strictSerialization()));
  }

  private static EventSourcedBehaviorTestKit.CommandResultWithReply<WorkspaceEntity.Command, GeneratedMessageV3,
      WorkspaceEntity.State, WorkspaceEntity.Result> create(Ws ws, Scope scope, WorkspaceEntity.Root root,
                                                            boolean builtIn, boolean ifAbsent) {
    return ws.kit().runCommand(r -> new WorkspaceEntity.Create("Alpha", "project alpha", scope, root, builtIn,
        ifAbsent, "", "ada", r));
  }

  private static WorkspaceEntity.State created(Ws ws) {
    return create(ws, Scope.SCOPE_ADMIN, ROOT, false, false).reply().workspace();
  }

  private static void assertFailure(Status.Code code, WorkspaceEntity.Result reply) {
    assertNull(reply.workspace());
    assertEquals(code.name(), reply.failure().code());
  }

  @Test
  void createPersistsWorkspaceCreated() {
    Ws ws = newWorkspace();
    var result = create(ws, Scope.SCOPE_ADMIN, ROOT, false, false);

    WorkspaceCreated event = assertInstanceOf(WorkspaceCreated.class, result.event());
    assertEquals(ws.slug(), event.getSlug());
    assertEquals("Alpha", event.getLabel());
    assertEquals("project alpha", event.getDescription());
    assertEquals(Scope.SCOPE_ADMIN, event.getScope());
    assertEquals("default", event.getRoot().getDatasource());
    assertEquals("projects/alpha", event.getRoot().getPath());
    assertFalse(event.getBuiltIn());
    assertEquals("ada", event.getCreatedBy());
    WorkspaceEntity.State expected = new WorkspaceEntity.State(true, ws.slug(), "Alpha", "project alpha",
        Scope.SCOPE_ADMIN, ROOT, false, event.getAt(), event.getAt(), 1, "ada", "");
    assertEquals(expected, result.state());
    assertEquals(expected, result.reply().workspace());
  }

  @Test
  void duplicateCreateFailsWithAlreadyExists() {
    Ws ws = newWorkspace();
    created(ws);
    var again = create(ws, Scope.SCOPE_ADMIN, ROOT, false, false);
    assertFailure(Status.Code.ALREADY_EXISTS, again.reply());
    assertTrue(again.hasNoEvents());
  }

  @Test
  void ensureReturnsTheExistingWorkspaceUnchanged() {
    Ws ws = newWorkspace();
    WorkspaceEntity.State existing = created(ws);

    var ensured = ws.kit().<WorkspaceEntity.Result>runCommand(r -> new WorkspaceEntity.Create("Other", "other",
        Scope.SCOPE_PERSONAL, PERSONAL_ROOT, true, true, "", "", r));

    assertTrue(ensured.hasNoEvents());
    assertNull(ensured.reply().failure());
    assertEquals(existing, ensured.reply().workspace());
  }

  @Test
  void ensureCreatesAMissingBuiltIn() {
    Ws ws = newWorkspace();
    var ensured = create(ws, Scope.SCOPE_PERSONAL, PERSONAL_ROOT, true, true);
    assertInstanceOf(WorkspaceCreated.class, ensured.event());
    assertTrue(ensured.reply().workspace().builtIn());
    assertEquals(PERSONAL_ROOT, ensured.reply().workspace().root());
  }

  @Test
  void personalRootMustContainTheLoginPlaceholder() {
    Ws ws = newWorkspace();
    var refused = create(ws, Scope.SCOPE_PERSONAL, ROOT, false, false);
    assertFailure(Status.Code.INVALID_ARGUMENT, refused.reply());
    assertTrue(refused.reply().failure().message().contains("{login}"), refused.reply().failure().message());
    assertTrue(refused.hasNoEvents());

    create(ws, Scope.SCOPE_PERSONAL, PERSONAL_ROOT, false, false);
    var update = ws.kit().<WorkspaceEntity.Result>runCommand(r -> new WorkspaceEntity.Update(null, null, ROOT, "", "bo", r));
    assertFailure(Status.Code.INVALID_ARGUMENT, update.reply());
    assertTrue(update.hasNoEvents());
  }

  @Test
  void updateChangesOnlyTheGivenFields() {
    Ws ws = newWorkspace();
    WorkspaceEntity.State before = created(ws);
    WorkspaceEntity.Root moved = new WorkspaceEntity.Root("archive", "projects/alpha-2024");

    var result = ws.kit().<WorkspaceEntity.Result>runCommand(r -> new WorkspaceEntity.Update("Alpha (old)", null, moved, "", "bo", r));

    WorkspaceUpdated event = assertInstanceOf(WorkspaceUpdated.class, result.event());
    assertEquals("Alpha (old)", event.getLabel());
    assertFalse(event.hasDescription());
    assertEquals("archive", event.getRoot().getDatasource());
    assertEquals(new WorkspaceEntity.State(true, ws.slug(), "Alpha (old)", before.description(), Scope.SCOPE_ADMIN,
        moved, false, before.createdAt(), event.getAt(), 2, "ada", "bo"), result.state());
    assertEquals(result.state(), result.reply().workspace());

    var labelOnly = ws.kit().<WorkspaceEntity.Result>runCommand(r -> new WorkspaceEntity.Update("Alpha", null, null, "", "bo", r));
    assertFalse(assertInstanceOf(WorkspaceUpdated.class, labelOnly.event()).hasRoot());
    assertEquals(moved, labelOnly.state().root(), "a root left out stays");
  }

  @Test
  void updateWithNothingToChangePersistsNothing() {
    Ws ws = newWorkspace();
    WorkspaceEntity.State before = created(ws);
    var result = ws.kit().<WorkspaceEntity.Result>runCommand(r -> new WorkspaceEntity.Update(null, null, null, "", "bo", r));
    assertTrue(result.hasNoEvents());
    assertEquals(before, result.reply().workspace());
  }

  @Test
  void getUpdateAndDeleteOfAMissingWorkspaceFailWithNotFound() {
    Ws ws = newWorkspace();
    assertFailure(Status.Code.NOT_FOUND, ws.kit().<WorkspaceEntity.Result>runCommand(WorkspaceEntity.Get::new).reply());
    var update = ws.kit().<WorkspaceEntity.Result>runCommand(r -> new WorkspaceEntity.Update("X", null, null, "", "bo", r));
    assertFailure(Status.Code.NOT_FOUND, update.reply());
    assertTrue(update.hasNoEvents());
    var delete = ws.kit().<WorkspaceEntity.Result>runCommand(r -> new WorkspaceEntity.Delete("", r));
    assertFailure(Status.Code.NOT_FOUND, delete.reply());
    assertTrue(delete.hasNoEvents());
  }

  @Test
  void deletedWorkspaceIsNotFoundAndCanBeCreatedAgain() {
    Ws ws = newWorkspace();
    created(ws);

    var delete = ws.kit().<WorkspaceEntity.Result>runCommand(r -> new WorkspaceEntity.Delete("", r));
    assertInstanceOf(WorkspaceDeleted.class, delete.event());
    assertFalse(delete.state().exists());
    assertFailure(Status.Code.NOT_FOUND, ws.kit().<WorkspaceEntity.Result>runCommand(WorkspaceEntity.Get::new).reply());

    WorkspaceEntity.Result again = create(ws, Scope.SCOPE_ADMIN, ROOT, false, false).reply();
    assertNull(again.failure());
    assertEquals(3, again.workspace().version());
  }

  @Test
  void builtInWorkspaceCannotBeDeleted() {
    Ws ws = newWorkspace();
    WorkspaceEntity.State before = create(ws, Scope.SCOPE_ADMIN, ROOT, true, true).reply().workspace();

    var delete = ws.kit().<WorkspaceEntity.Result>runCommand(r -> new WorkspaceEntity.Delete("", r));

    assertFailure(Status.Code.FAILED_PRECONDITION, delete.reply());
    assertTrue(delete.hasNoEvents());
    assertEquals(before, ws.kit().<WorkspaceEntity.Result>runCommand(WorkspaceEntity.Get::new).reply().workspace());
  }

  @Test
  void snapshotAdapterRoundTripsTheStateThroughProtobufBytes() throws Exception {
    var adapter = new WorkspaceEntity("w", "", "").snapshotAdapter();
    for (WorkspaceEntity.State s : List.of(new WorkspaceEntity("w", "", "").emptyState(),
        new WorkspaceEntity.State(true, "w", "Label", "Description", Scope.SCOPE_PERSONAL, PERSONAL_ROOT, true,
            1_700_000_000_000L, 1_700_000_000_500L, 4, "ada", "bo"))) {
      WorkspaceSnapshot stored = assertInstanceOf(WorkspaceSnapshot.class, adapter.toJournal(s));
      assertEquals(s, adapter.fromJournal(WorkspaceSnapshot.parseFrom(stored.toByteArray())));
    }
  }

  @Test
  void restartRecoversTheSameState() {
    Ws ws = newWorkspace();
    create(ws, Scope.SCOPE_PERSONAL, PERSONAL_ROOT, true, false);
    ws.kit().<WorkspaceEntity.Result>runCommand(r -> new WorkspaceEntity.Update(null, "changed",
        new WorkspaceEntity.Root("other", "users/{login}/files"), "", "bo", r));
    WorkspaceEntity.State before = ws.kit().getState();
    assertEquals(before, ws.kit().restart().state());
  }
}
