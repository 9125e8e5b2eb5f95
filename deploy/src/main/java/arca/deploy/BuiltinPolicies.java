package arca.deploy;

import arca.proto.policy.CreatePolicyGroupRequest;
import arca.proto.policy.Effect;
import arca.proto.policy.Policy;
import arca.rest.access.Principal;

import java.util.List;

/**
 * The policy groups a fresh install starts with, so that the policy gate lets through exactly what the routes allowed
 * before policies existed (route-level admin checks and ACLs still apply behind it):
 * <ul>
 *   <li>{@code admin-all} (protected: cannot be changed or deleted): the role {@code admin} may do anything;</li>
 *   <li>{@code users-default} (editable): every user ({@code role:everyone}) may use the routes that users use — their
 *       own account, the workspace list, nodes, recycle bins, copy jobs, their access keys, and {@code /io};</li>
 *   <li>{@code users-dav} (editable): every user may use {@code /dav/} (a group of its own, so that a cluster
 *       upgraded from a build without WebDAV gets it at the first start of the new build: built-in groups are
 *       created when they never existed, never changed).</li>
 *   <li>{@code users-locks} (editable, likewise a group of its own): every user may use {@code /a/locks}, where the
 *       route lets the managers of a workspace see and remove its WebDAV locks.</li>
 * </ul>
 */
final class BuiltinPolicies {
  private BuiltinPolicies() {}

  static final String EVERYONE = "role:" + Principal.EVERYONE;

  private static Policy allow(String id, String description, String subject, List<String> resources, List<String> actions) {
    return Policy.newBuilder().setId(id).setDescription(description).addSubjects(subject).addAllResources(resources)
        .addAllActions(actions).setEffect(Effect.EFFECT_ALLOW).build();
  }

  static final CreatePolicyGroupRequest ADMIN_ALL = CreatePolicyGroupRequest.newBuilder().setId("admin-all")
      .setLabel("Administrators").setDescription("Admins may use every route (built in: cannot be changed or deleted)")
      .setProtected(true)
      .addPolicies(allow("everything", "every resource, every action", "role:admin", List.of("<.*>"), List.of("<.*>")))
      .build();

  static final CreatePolicyGroupRequest USERS_DEFAULT = CreatePolicyGroupRequest.newBuilder().setId("users-default")
      .setLabel("Users").setDescription("What every user may use (the routes themselves still check accounts and ACLs)")
      .addPolicies(allow("own-account", "read and change one's own account (the route refuses other accounts)",
          EVERYONE, List.of("rest:/a/users/<[^/]+/?>"), List.of("GET", "HEAD", "PATCH")))
      .addPolicies(allow("workspaces", "the workspaces one may see", EVERYONE,
          List.of("rest:/a/workspaces<(/.*)?>"), List.of("GET", "HEAD")))
      .addPolicies(allow("files", "nodes, recycle bins and bytes (ACLs decide which)", EVERYONE,
          List.of("rest:/a/nodes<(/.*)?>", "rest:/a/trash<(/.*)?>", "io:<.*>"), List.of("<.*>")))
      .addPolicies(allow("copy-jobs", "progress of background copies", EVERYONE,
          List.of("rest:/a/copy-jobs<(/.*)?>"), List.of("GET", "HEAD")))
      .addPolicies(allow("access-keys", "one's own S3 access keys", EVERYONE,
          List.of("rest:/a/access-keys<(/.*)?>"), List.of("GET", "HEAD", "POST", "DELETE")))
      .build();

  static final CreatePolicyGroupRequest USERS_DAV = CreatePolicyGroupRequest.newBuilder().setId("users-dav")
      .setLabel("WebDAV").setDescription("Every user may use /dav/ (ACLs still decide which files)")
      .addPolicies(allow("dav", "WebDAV on the files one may use", EVERYONE, List.of("dav:<.*>"), List.of("<.*>")))
      .build();

  static final CreatePolicyGroupRequest USERS_LOCKS = CreatePolicyGroupRequest.newBuilder().setId("users-locks")
      .setLabel("Locks").setDescription("Every user may see and remove the WebDAV locks of the workspaces they manage"
          + " (the route checks who manages: admins, a user their own personal workspace)")
      .addPolicies(allow("locks", "the locks of the workspaces one manages", EVERYONE,
          List.of("rest:/a/locks<(/.*)?>"), List.of("GET", "HEAD", "DELETE")))
      .build();

  static final List<CreatePolicyGroupRequest> ALL = List.of(ADMIN_ALL, USERS_DEFAULT, USERS_DAV, USERS_LOCKS);
}
