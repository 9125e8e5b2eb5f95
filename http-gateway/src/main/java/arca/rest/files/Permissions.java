package arca.rest.files;

import arca.rest.acl.AclAccess;
import arca.rest.auth.Principal;

import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * What a caller may do in the shared workspaces: rights on a node, and the workspaces to list. Production answers
 * from the acl service ({@link AclAccess}); a personal workspace is always its owner's alone and never asks.
 */
public interface Permissions {
  /** Rights on {@code path} ("" for the root) of {@code workspace}; admins have full rights. */
  CompletionStage<AclAccess.Rights> rights(Principal caller, String workspace, String path);

  /** The shared workspaces where a (non-admin) caller may read at least one node. */
  CompletionStage<Set<String>> readable(Principal caller);
}
