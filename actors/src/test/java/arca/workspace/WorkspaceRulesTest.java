package arca.workspace;

import akka.grpc.GrpcServiceException;
import arca.proto.workspace.WorkspaceRoot;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Root and slug syntax: what later services join onto a datasource must never leave it. */
class WorkspaceRulesTest {

  private static WorkspaceEntity.Root root(String datasource, String path) {
    return WorkspaceRules.root(WorkspaceRoot.newBuilder().setDatasource(datasource).setPath(path).build());
  }

  private static void assertInvalid(Runnable r) {
    GrpcServiceException e = assertThrows(GrpcServiceException.class, r::run);
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "common", "personal/{login}", "a/b/c", "{login}", "users/{login}/files",
      "Projets 2024/Budget (v2)", "données/日本", "a..b/.hidden"})
  void validPathsAreKeptAsGiven(String path) {
    assertEquals(new WorkspaceEntity.Root("default", path), root("default", path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/common", "common/", "a//b", "..", "a/../b", "a/..", "./a", "a/./b", "/", "a\u0000b",
      "a\nb", "a\u007fb", "{user}", "personal/{login", "personal/login}", "{{login}}"})
  void invalidPathsAreRefused(String path) {
    assertInvalid(() -> root("default", path));
  }

  @Test
  void pathsUpTo1024CharactersAreAccepted() {
    assertEquals("x".repeat(1024), root("default", "x".repeat(1024)).path());
    assertInvalid(() -> root("default", "x".repeat(1025)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Default", "-s3", "my s3", "my_s3", "a/b", ".."})
  void invalidDatasourcesAreRefused(String datasource) {
    assertInvalid(() -> root(datasource, "common"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Common", "-x", "under_score", "dot.ted", "a/b", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
  void invalidSlugsAreRefused(String slug) {
    assertInvalid(() -> WorkspaceRules.slug(slug));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "common", "team-42", "0day"})
  void validSlugs(String slug) {
    assertEquals(slug, WorkspaceRules.slug(slug));
  }

  @Test
  void slugsAndDatasourcesHaveAtMost63Characters() {
    assertEquals("s".repeat(63), WorkspaceRules.slug("s".repeat(63)));
    assertEquals("d".repeat(63), root("d".repeat(63), "x").datasource());
    assertInvalid(() -> root("d".repeat(64), "x"));
  }
}
