package arca.acl;

import arca.proto.acl.Action;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static arca.acl.AclResolution.Rights.FULL;
import static arca.acl.AclResolution.Rights.NONE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The resolution rules as a matrix: two users (alice: staff, editors; bob: staff) in two workspaces (projects,
 * finance), entries at the root and on subfolders, role order, and the personal role overriding the others.
 */
class AclResolutionTest {
  private static final AclResolution.Rights READ = new AclResolution.Rights(true, false);
  private static final AclResolution.Rights WRITE = new AclResolution.Rights(false, true);
  private static final AclResolution.Rights READ_WRITE = FULL;

  private static final List<String> ALICE = List.of("staff", "editors", "user:alice");
  private static final List<String> BOB = List.of("staff", "user:bob");

  private static AclEntity.Entry e(String path, String role, Action action) {
    return new AclEntity.Entry(path, role, action, 0);
  }

  private static List<AclEntity.Entry> entries(AclEntity.Entry... entries) {
    return new ArrayList<>(List.of(entries));
  }

  /** projects: staff read everything, editors write it; archive is read-only for all, secret denied to staff. */
  private static final List<AclEntity.Entry> PROJECTS = entries(
      e("", "staff", Action.ACTION_READ),
      e("", "editors", Action.ACTION_READ), e("", "editors", Action.ACTION_WRITE),
      e("archive", "staff", Action.ACTION_READ), e("archive", "editors", Action.ACTION_READ),
      e("secret", "staff", Action.ACTION_DENY),
      e("secret", "user:bob", Action.ACTION_READ),
      e("drop", "staff", Action.ACTION_WRITE));
  /** finance: only bob, and alice is denied personally although her role may read. */
  private static final List<AclEntity.Entry> FINANCE = entries(
      e("", "user:bob", Action.ACTION_READ), e("", "user:bob", Action.ACTION_WRITE),
      e("", "editors", Action.ACTION_READ),
      e("", "user:alice", Action.ACTION_DENY),
      e("reports/2024", "user:alice", Action.ACTION_READ));

  private static void check(List<AclEntity.Entry> ws, List<String> user, String path, AclResolution.Rights expected) {
    assertEquals(expected, AclResolution.resolve(ws, path, user), user + " on '" + path + "'");
  }

  @Test
  void matrix() {
    check(PROJECTS, ALICE, "", READ_WRITE);
    check(PROJECTS, BOB, "", READ);
    check(PROJECTS, ALICE, "plans/q3.txt", READ_WRITE);
    check(PROJECTS, BOB, "plans/q3.txt", READ);
    check(PROJECTS, ALICE, "archive", READ);
    check(PROJECTS, ALICE, "archive/2019/a.txt", READ);
    check(PROJECTS, BOB, "archive/2019", READ);
    check(PROJECTS, ALICE, "secret", NONE);
    check(PROJECTS, ALICE, "secret/plan.txt", NONE);
    check(PROJECTS, BOB, "secret/plan.txt", READ);
    check(PROJECTS, ALICE, "drop", WRITE);
    check(PROJECTS, BOB, "drop/upload.bin", WRITE);

    check(FINANCE, BOB, "", READ_WRITE);
    check(FINANCE, BOB, "reports/2024/q1.pdf", READ_WRITE);
    check(FINANCE, ALICE, "", NONE);
    check(FINANCE, ALICE, "reports", NONE);
    check(FINANCE, ALICE, "reports/2024", READ);
    check(FINANCE, ALICE, "reports/2024/q1.pdf", READ);
    check(FINANCE, ALICE, "reports/2025", NONE);
  }

  @Test
  void laterRolesOverrideEarlierOnes() {
    List<AclEntity.Entry> ws = entries(e("", "staff", Action.ACTION_READ), e("", "staff", Action.ACTION_WRITE),
        e("", "guests", Action.ACTION_READ));
    check(ws, List.of("staff", "guests"), "x", READ);
    check(ws, List.of("guests", "staff"), "x", READ_WRITE);
    check(ws, List.of("guests", "staff", "guests"), "x", READ);
  }

  @Test
  void denyBeatsReadAndWriteOfTheSameRoleOnly() {
    List<AclEntity.Entry> ws = entries(e("", "staff", Action.ACTION_READ), e("", "staff", Action.ACTION_DENY),
        e("", "editors", Action.ACTION_WRITE));
    check(ws, List.of("staff"), "", NONE);
    check(ws, List.of("editors", "staff"), "", NONE);
    check(ws, List.of("staff", "editors"), "", WRITE);
  }

  @Test
  void theDeepestNodeWithEntriesOfTheUsersRolesDecides() {
    List<AclEntity.Entry> ws = entries(e("", "staff", Action.ACTION_READ), e("a", "others", Action.ACTION_DENY),
        e("a/b", "staff", Action.ACTION_WRITE));
    check(ws, List.of("staff"), "a", READ);
    check(ws, List.of("staff"), "a/b/c", WRITE);
    check(ws, List.of("staff"), "a/bc", READ);
    check(ws, List.of("others"), "a/b", NONE);
  }

  @Test
  void noEntryNoAccessAndAdminsBypass() {
    check(PROJECTS, List.of("user:carol"), "", NONE);
    check(PROJECTS, List.of(), "plans", NONE);
    check(entries(), List.of("admin"), "anything/at/all", FULL);
    check(PROJECTS, List.of("staff", "admin"), "secret", FULL);
  }

  @Test
  void belowListsTheDeeperNodesWithEntriesOfTheRoles() {
    assertEquals(List.of(new AclResolution.NodeRights("archive", READ), new AclResolution.NodeRights("drop", WRITE),
            new AclResolution.NodeRights("secret", READ)),
        AclResolution.below(PROJECTS, "", BOB));
    assertEquals(List.of(new AclResolution.NodeRights("reports/2024", READ)),
        AclResolution.below(FINANCE, "reports", ALICE));
    assertEquals(List.of(), AclResolution.below(FINANCE, "reports/2024", ALICE), "strictly below");
    assertEquals(List.of(), AclResolution.below(PROJECTS, "", List.of("admin")));
  }

  @Test
  void readsSomewhere() {
    assertTrue(AclResolution.readsSomewhere(PROJECTS, BOB));
    assertTrue(AclResolution.readsSomewhere(FINANCE, ALICE), "alice reads reports/2024");
    assertFalse(AclResolution.readsSomewhere(entries(e("", "staff", Action.ACTION_DENY),
        e("drop", "staff", Action.ACTION_WRITE)), List.of("staff")));
    assertFalse(AclResolution.readsSomewhere(FINANCE, List.of("staff")));
  }

  @Test
  void covers() {
    assertTrue(AclResolution.covers("", "a/b"));
    assertTrue(AclResolution.covers("a", "a"));
    assertTrue(AclResolution.covers("a", "a/b"));
    assertFalse(AclResolution.covers("a", "ab"));
    assertFalse(AclResolution.covers("a/b", "a"));
  }
}
