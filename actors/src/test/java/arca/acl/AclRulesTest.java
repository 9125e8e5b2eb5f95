package arca.acl;

import akka.grpc.GrpcServiceException;
import arca.proto.acl.Action;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Field syntax of ACL entries. */
class AclRulesTest {

  private static void assertInvalid(Runnable r) {
    GrpcServiceException e = assertThrows(GrpcServiceException.class, r::run);
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "a/b/c", "Projets 2024/Budget (v2)", "données/日本", "a..b/.hidden", "😀"})
  void validPaths(String path) {
    assertEquals(path, AclRules.path(path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a", "a/", "a//b", "..", "a/../b", ".", "a\u0000b", "a\nb", "a\u007fb", "\ud800"})
  void invalidPaths(String path) {
    assertInvalid(() -> AclRules.path(path));
  }

  @Test
  void pathLimits() {
    assertEquals("x".repeat(255), AclRules.path("x".repeat(255)));
    assertInvalid(() -> AclRules.path("x".repeat(256)));
    String deep = String.join("/", Collections.nCopies(64, "d"));
    assertEquals(deep, AclRules.path(deep));
    assertInvalid(() -> AclRules.path(deep + "/d"));
    assertInvalid(() -> AclRules.path(String.join("/", Collections.nCopies(20, "y".repeat(250)))));
  }

  @ParameterizedTest
  @ValueSource(strings = {"admin", "staff", "team_1", "0-day", "user:alice", "user:a.b@example.org"})
  void validRoles(String role) {
    assertEquals(role, AclRules.role(role));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Staff", "-x", "a b", "user:", "user:Alice", "group:x", "user:alice:x"})
  void invalidRoles(String role) {
    assertInvalid(() -> AclRules.role(role));
  }

  @Test
  void rolesActionsAndSlugs() {
    assertInvalid(() -> AclRules.roles(Collections.nCopies(257, "staff")));
    assertEquals(List.of("staff", "user:bob"), AclRules.roles(List.of("staff", "user:bob")));
    assertInvalid(() -> AclRules.action(Action.ACTION_UNSPECIFIED));
    assertInvalid(() -> AclRules.action(Action.UNRECOGNIZED));
    assertEquals(Action.ACTION_DENY, AclRules.action(Action.ACTION_DENY));
    assertEquals("team-42", AclRules.slug("team-42"));
    assertInvalid(() -> AclRules.slug("Team"));
    assertInvalid(() -> AclRules.slug(""));
  }
}
