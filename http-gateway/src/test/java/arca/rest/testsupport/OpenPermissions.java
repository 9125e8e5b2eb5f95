package arca.rest.testsupport;

import arca.rest.acl.AclAccess;
import arca.rest.auth.Principal;
import arca.rest.files.Permissions;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Permissions as a fresh install grants them: admins everything, every user read and write on {@code common}. */
public final class OpenPermissions implements Permissions {
  @Override
  public CompletionStage<AclAccess.Rights> rights(Principal caller, String workspace, String path) {
    return CompletableFuture.completedFuture(caller.isAdmin() || workspace.equals("common")
        ? AclAccess.Rights.FULL : AclAccess.Rights.NONE);
  }

  @Override
  public CompletionStage<Set<String>> readable(Principal caller) {
    return CompletableFuture.completedFuture(Set.of("common"));
  }
}
