package arca.rest.acl;

import arca.proto.policy.Effect;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroup;
import arca.rest.access.Rights;
import arca.proto.acl.NodeRights;
import arca.proto.acl.ResolveRequest;
import arca.proto.acl.ResolveResponse;
import arca.rest.access.Principal;
import arca.rest.files.NodePolicies;
import arca.rest.gate.PolicyAccess;
import arca.rest.testsupport.FakeAclService;
import arca.rest.access.WorkspaceVisibility;
import arca.rest.testsupport.FakePolicyService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway's rights check: roles sent, rights below the root answered locally, the cache and its bounds. */
class AclAccessTest {
  private static final Principal ALICE = new Principal("alice", List.of("staff", "editors"), "s1", "t1", 0);
  private static final Principal BOB = new Principal("bob", List.of("staff"), "s2", "t2", 0);
  private static final Principal ROOT = new Principal("root", List.of("admin"), "s3", "t3", 0);
  private static final arca.proto.acl.Rights NONE = arca.proto.acl.Rights.getDefaultInstance();
  private static final arca.proto.acl.Rights READ = arca.proto.acl.Rights.newBuilder().setRead(true).build();
  private static final arca.proto.acl.Rights READ_WRITE = arca.proto.acl.Rights.newBuilder().setRead(true).setWrite(true).build();

  private final FakeAclService acls = new FakeAclService();
  private final AtomicLong clock = new AtomicLong();
  private final AclAccess access = new AclAccess(acls, Duration.ofSeconds(5), 3, clock::get);

  private static <T> T await(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private Rights rights(Principal p, String workspace, String path) {
    return await(access.rights(p, workspace, path));
  }

  private static NodeRights node(String path, arca.proto.acl.Rights rights) {
    return NodeRights.newBuilder().setPath(path).setRights(rights).build();
  }

  @Test
  void resolvesTheRootWithTheRolesInOrderThenThePersonalRole() {
    acls.answer("projects", ResolveResponse.newBuilder().setRights(READ).build());
    assertEquals(new Rights(true, false), rights(ALICE, "projects", "docs/a.txt"));
    ResolveRequest sent = acls.resolves.get(0);
    assertEquals("projects", sent.getWorkspace());
    assertEquals("", sent.getPath(), "the root: one answer serves the whole workspace");
    assertEquals(List.of("everyone", "staff", "editors", "user:alice"), sent.getRolesList());
  }

  @Test
  void nodesBelowAreAnsweredFromTheDeepestListedAncestor() {
    acls.answer("projects", ResolveResponse.newBuilder().setRights(READ)
        .addBelow(node("hr", NONE)).addBelow(node("hr/alice", READ_WRITE)).addBelow(node("drop", NONE)).build());
    assertEquals(Rights.NONE, rights(ALICE, "projects", "hr"));
    assertEquals(Rights.NONE, rights(ALICE, "projects", "hr/bob/x"));
    assertEquals(Rights.FULL, rights(ALICE, "projects", "hr/alice"));
    assertEquals(Rights.FULL, rights(ALICE, "projects", "hr/alice/cv.pdf"));
    assertEquals(new Rights(true, false), rights(ALICE, "projects", "hr-old/x"), "not under hr");
    assertEquals(new Rights(true, false), rights(ALICE, "projects", ""));
    assertEquals(Rights.NONE, rights(ALICE, "projects", "drop"));
    assertEquals(1, acls.resolves.size());
  }

  /** What a folder's copy, move or delete needs: the rights that hold on it and on every node listed below it. */
  @Test
  void subtreeRightsHoldOnlyWhereTheyHoldEverywhereBelow() {
    acls.answer("projects", ResolveResponse.newBuilder().setRights(READ_WRITE)
        .addBelow(node("plans/secret", NONE)).addBelow(node("plans-old", READ)).addBelow(node("docs", READ_WRITE)).build());
    assertEquals(Rights.FULL, await(access.rights(ALICE, "projects", "plans")));
    assertEquals(Rights.NONE, await(access.subtreeRights(ALICE, "projects", "plans")), "a denied folder below");
    assertEquals(Rights.FULL, await(access.subtreeRights(ALICE, "projects", "docs")));
    assertEquals(new Rights(true, false), await(access.subtreeRights(ALICE, "projects", "plans-old")));
    assertEquals(Rights.NONE, await(access.subtreeRights(ALICE, "projects", "")), "the root holds them all");
    assertEquals(Rights.FULL, await(access.subtreeRights(ROOT, "projects", "")), "admins: everything");
  }

  @Test
  void aListingOf1000EntriesCostsOneCall() {
    acls.answer("projects", ResolveResponse.newBuilder().setRights(READ).build());
    List<CompletionStage<Rights>> all = IntStream.range(0, 1000)
        .mapToObj(i -> access.rights(BOB, "projects", "folder/file-" + i)).toList();
    all.forEach(r -> assertEquals(new Rights(true, false), await(r)));
    assertEquals(1, acls.resolves.size(), "concurrent lookups share one call");
  }

  @Test
  void answersExpireAndAreKeptPerRolesAndWorkspace() {
    rights(ALICE, "projects", "");
    rights(BOB, "projects", "");
    rights(ALICE, "finance", "");
    rights(ALICE, "projects", "x");
    assertEquals(3, acls.resolves.size());

    acls.answer("projects", ResolveResponse.newBuilder().setRights(READ_WRITE).build());
    clock.addAndGet(Duration.ofSeconds(4).toNanos());
    assertEquals(Rights.NONE, rights(ALICE, "projects", ""), "still cached");
    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    assertEquals(Rights.FULL, rights(ALICE, "projects", ""), "expired: asked again");
    assertEquals(4, acls.resolves.size());
  }

  @Test
  void theCacheIsBounded() {
    for (int i = 0; i < 10; i++) rights(BOB, "ws-" + i, "");
    for (int i = 0; i < 10; i++) rights(BOB, "ws-" + i, "");
    assertTrue(acls.resolves.size() > 10, "at most 3 answers kept: " + acls.resolves.size());
  }

  @Test
  void adminsHaveFullRightsWithoutACall() {
    assertEquals(Rights.FULL, rights(ROOT, "anything", "deep/path"));
    assertEquals(List.of(), acls.resolves);
  }

  @Test
  void failuresAreReportedAndNotCached() {
    acls.down = Status.UNAVAILABLE;
    ExecutionException e = assertThrows(ExecutionException.class,
        () -> access.rights(BOB, "projects", "").toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertEquals(Status.Code.UNAVAILABLE, assertInstanceOf(StatusRuntimeException.class, e.getCause()).getStatus().getCode());
    acls.down = null;
    acls.answer("projects", ResolveResponse.newBuilder().setRights(READ).build());
    assertEquals(new Rights(true, false), rights(BOB, "projects", ""));
    assertEquals(2, acls.resolves.size());
  }

  @Test
  void visibilityAsksTheServiceWithTheCallersRolesAndShowsAdminsEverything() {
    acls.visible = List.of("common", "projects");
    WorkspaceVisibility visibility = access.visibility();
    // the caller's personal workspace is always theirs
    assertEquals(WorkspaceVisibility.Visible.only(Set.of("common", "projects", "personal")), await(visibility.visibleTo(BOB)));
    assertEquals(List.of("everyone", "staff", "user:bob"), acls.visibles.get(0).getRolesList());
    assertEquals(WorkspaceVisibility.Visible.ALL, await(visibility.visibleTo(ROOT)));
    assertEquals(1, acls.visibles.size());
  }

  @Test
  void aWorkspaceWhoseRootAPolicyDeniesReadingIsNotListed() {
    acls.visible = List.of("common", "projects");
    FakePolicyService policies = new FakePolicyService();
    policies.put(PolicyGroup.newBuilder().setId("no-bob").addPolicies(Policy.newBuilder()
        .setId("p").addSubjects("user:bob").addResources("io:projects/<.*>").addActions("GET")
        .setEffect(Effect.EFFECT_DENY)).build());
    WorkspaceVisibility visibility = NodePolicies.visibleWorkspaces(access.visibility(), new PolicyAccess(policies));
    assertEquals(WorkspaceVisibility.Visible.only(Set.of("common", "personal")), await(visibility.visibleTo(BOB)));
    assertEquals(WorkspaceVisibility.Visible.only(Set.of("common", "projects", "personal")), await(visibility.visibleTo(ALICE)));
  }
}
