package arca.rest.user;

import arca.proto.acl.AclService;
import arca.proto.acl.ListAclsRequest;
import arca.proto.acl.RevokeRequest;
import arca.proto.policy.ListPolicyGroupsRequest;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroup;
import arca.proto.policy.PolicyList;
import arca.proto.policy.PolicyService;
import arca.proto.policy.UpdatePolicyGroupRequest;
import arca.proto.token.CheckPasswordRequest;
import arca.proto.token.EndSessionsRequest;
import arca.proto.token.TokenService;
import arca.proto.user.UserService;
import arca.proto.user.VerifyPasswordRequest;
import arca.rest.ApiError;
import arca.rest.auth.AuthCache;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * What follows a change of an account's credentials, through the services that own them:
 * <ul>
 *   <li>a user's own password check (the current password of a password change) goes through the token service's
 *   throttle, like every other password check;</li>
 *   <li>a password change ends every other session of the account (the caller's own survives when they changed their
 *   own password), a role change voids the access tokens issued before it (a refresh brings the new roles), a deletion
 *   ends all sessions and deletes the account's access keys: the token service records the cut-off, this gateway
 *   applies it at once and the others within about a second (WatchAuthEvents);</li>
 *   <li>a deletion also removes the grants that name the login: ACL entries of the role {@code user:<login>} and the
 *   subject {@code user:<login>} from policies (a policy left without subjects is dropped), so that a later account
 *   with the same login starts without them.</li>
 * </ul>
 * A token service of an older build (a rolling upgrade) knows neither CheckPassword nor EndSessions: the password is
 * then checked as before and no session is ended.
 */
final class AccountChanges {
  private static final int PAGE = 1000;
  private static final int POLICY_PAGE = 50;
  private static final int MAX_ROUNDS = 20;

  private final UserService users;
  private final TokenService tokens;
  private final AclService acls;
  private final PolicyService policies;
  private final AuthCache cache;

  AccountChanges(UserService users, TokenService tokens, AclService acls, PolicyService policies, AuthCache cache) {
    this.users = users;
    this.tokens = tokens;
    this.acls = acls;
    this.policies = policies;
    this.cache = cache;
  }

  /** Completes when {@code password} is the login's; 403 when not, 429 when the account's throttle refuses. */
  CompletionStage<Void> checkCurrentPassword(String login, String password) {
    return tokens.checkPassword(CheckPasswordRequest.newBuilder().setUserName(login).setPassword(password).build())
        .thenApply(ok -> true)
        .exceptionallyCompose(e -> switch (code(e)) {
          case UNAUTHENTICATED -> CompletableFuture.completedFuture(false);
          case UNIMPLEMENTED -> users.verifyPassword(VerifyPasswordRequest.newBuilder().setLogin(login)
              .setPassword(password).build()).thenApply(v -> v.getValid());
          default -> CompletableFuture.failedFuture(e);
        })
        .thenAccept(valid -> {
          if (!valid) throw ApiError.forbidden("currentPassword is wrong");
        });
  }

  /**
   * After a password change (ending the other sessions: all but {@code keepSession}) and/or a role change (voiding
   * every access token issued before it, the caller's too: a demoted admin's own token must not keep admin rights).
   */
  CompletionStage<Void> credentialsChanged(String login, boolean password, boolean roles, String keepSession) {
    CompletionStage<Void> ended = !password ? CompletableFuture.completedFuture(null)
        : end(EndSessionsRequest.newBuilder().setLogin(login).setEndSessions(true).setKeepSession(keepSession)
            .setReason("password changed").build());
    return !roles ? ended : ended.thenCompose(x -> end(EndSessionsRequest.newBuilder().setLogin(login)
        .setReason("roles changed").build()));
  }

  /** After a deletion: every session and access key of the login, and the grants naming it. */
  CompletionStage<Void> deleted(String login) {
    return end(EndSessionsRequest.newBuilder().setLogin(login).setEndSessions(true).setDeleteAccessKeys(true)
            .setReason("user deleted").build())
        .thenCompose(x -> removeAcls("user:" + login, 0))
        .thenCompose(x -> removeFromPolicies("user:" + login, 0));
  }

  private CompletionStage<Void> end(EndSessionsRequest req) {
    return tokens.endSessions(req).handle((r, e) -> {
      if (e == null) {
        cache.cutoff(req.getLogin(), r.getNotBefore(), req.getKeepSession());
        return CompletableFuture.<Void>completedFuture(null);
      }
      // an older token service (rolling upgrade): nothing to end there yet
      if (code(e) == Status.Code.UNIMPLEMENTED) return CompletableFuture.<Void>completedFuture(null);
      return CompletableFuture.<Void>failedFuture(e);
    }).thenCompose(s -> s);
  }

  private CompletionStage<Void> removeAcls(String role, int round) {
    return acls.listAcls(ListAclsRequest.newBuilder().setRole(role).setLimit(PAGE).build()).thenCompose(page -> {
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      for (var acl : page.getAclsList()) {
        chain = chain.thenCompose(x -> acls.revoke(RevokeRequest.newBuilder().setWorkspace(acl.getWorkspace())
            .setPath(acl.getPath()).setRole(acl.getRole()).setAction(acl.getAction()).build()).thenApply(r -> null));
      }
      // the list is read from a read model that lags: a full page means there may be more (listed again, at most
      // MAX_ROUNDS times: entries revoked already only answer "not removed")
      return page.getAclsCount() < PAGE || round >= MAX_ROUNDS ? chain : chain.thenCompose(x -> removeAcls(role, round + 1));
    });
  }

  private CompletionStage<Void> removeFromPolicies(String subject, int offset) {
    return policies.listPolicyGroups(ListPolicyGroupsRequest.newBuilder().setOffset(offset).setLimit(POLICY_PAGE).build())
        .thenCompose(page -> {
          CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
          for (PolicyGroup g : page.getGroupsList()) {
            if (g.getProtected() || g.getPoliciesList().stream().noneMatch(p -> p.getSubjectsList().contains(subject))) continue;
            chain = chain.thenCompose(x -> policies.updatePolicyGroup(UpdatePolicyGroupRequest.newBuilder()
                .setId(g.getId()).setPolicies(without(g, subject)).build()).thenApply(r -> null));
          }
          return offset + page.getGroupsCount() >= page.getTotal() || page.getGroupsCount() == 0 ? chain
              : chain.thenCompose(x -> removeFromPolicies(subject, offset + page.getGroupsCount()));
        });
  }

  /** The group's policies without {@code subject}; a policy that named only it is dropped. */
  static PolicyList without(PolicyGroup g, String subject) {
    List<Policy> kept = new ArrayList<>();
    for (Policy p : g.getPoliciesList()) {
      List<String> subjects = p.getSubjectsList().stream().filter(s -> !s.equals(subject)).toList();
      if (subjects.isEmpty()) continue;
      kept.add(p.toBuilder().clearSubjects().addAllSubjects(subjects).build());
    }
    return PolicyList.newBuilder().addAllPolicies(kept).build();
  }

  private static Status.Code code(Throwable e) {
    Throwable c = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    if (c instanceof StatusRuntimeException s) return s.getStatus().getCode();
    return Status.Code.UNKNOWN;
  }
}
