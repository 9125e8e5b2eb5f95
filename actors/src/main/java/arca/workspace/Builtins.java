package arca.workspace;

import arca.proto.workspace.Scope;

import java.util.List;

/**
 * The workspaces every installation has (created by EnsureBuiltins at first start, never deletable): the shared
 * "Common Files" and the per-user "My Files", whose root {@code personal/{login}} gives each user a folder of their own.
 */
final class Builtins {
  private Builtins() {}

  record Builtin(String slug, String label, String description, Scope scope, WorkspaceEntity.Root root) {}

  static final List<Builtin> ALL = List.of(
      new Builtin("common", "Common Files", "Files shared between users", Scope.SCOPE_ADMIN,
          new WorkspaceEntity.Root("default", "common")),
      new Builtin("personal", "My Files", "Each user's own files", Scope.SCOPE_PERSONAL,
          new WorkspaceEntity.Root("default", "personal/" + WorkspaceRules.LOGIN)));

  static boolean isBuiltin(String slug) {
    return ALL.stream().anyMatch(b -> b.slug().equals(slug));
  }
}
