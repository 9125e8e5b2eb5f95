package arca.rest.gate;

import arca.proto.policy.ListPolicyGroupsRequest;
import arca.proto.policy.PolicyGroup;
import arca.proto.policy.PolicyService;
import arca.rest.access.Principal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The production {@link PolicyCheck}: every group of the policy service (paged from its read model), compiled into
 * one {@link PolicySet} that this node keeps for a few seconds and evaluates in-process; changes to policies
 * therefore reach a gateway within the time to live (plus the read model's lag). Concurrent requests share one
 * refresh; a failed refresh is not kept (the requests waiting for it fail: 503).
 *
 * <p>Admins always reach {@code /a/policies} whatever the policies say, so that no policy can lock them out of
 * repairing the policies themselves (the routes there are admin-only anyway).
 */
public final class PolicyAccess implements PolicyCheck {
  public static final Duration DEFAULT_TTL = Duration.ofSeconds(5);
  /** The service's largest page. */
  static final int PAGE = 50;

  private record Cached(CompletableFuture<PolicySet> set, long expiresAt) {}

  private final PolicyService policies;
  private final long ttlNanos;
  private final LongSupplier nanoTime;
  private final AtomicReference<Cached> current = new AtomicReference<>();

  public PolicyAccess(PolicyService policies) {
    this(policies, DEFAULT_TTL, System::nanoTime);
  }

  /** {@code nanoTime}: the clock of the cache (tests pass their own). */
  public PolicyAccess(PolicyService policies, Duration ttl, LongSupplier nanoTime) {
    this.policies = policies;
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
  }

  @Override
  public CompletionStage<Decision> decide(Principal caller, String resource, String action) {
    if (caller.isAdmin() && (resource.equals(REST + "/a/policies") || resource.startsWith(REST + "/a/policies/"))) {
      return CompletableFuture.completedFuture(Decision.allow("admins always reach /a/policies"));
    }
    List<String> subjects = PolicyCheck.subjectsOf(caller);
    return policySet().thenApply(set -> set.decide(subjects, resource, action));
  }

  @Override
  public CompletionStage<Denials> denials(Principal caller) {
    List<String> subjects = PolicyCheck.subjectsOf(caller);
    return policySet().thenApply(set -> new Denials(set, subjects));
  }

  /** The cached set, or a refresh shared by every caller until it completes. */
  CompletionStage<PolicySet> policySet() {
    long now = nanoTime.getAsLong();
    Cached hit = current.get();
    if (hit != null && now - hit.expiresAt() < 0) return hit.set();
    Cached fresh = new Cached(new CompletableFuture<>(), now + ttlNanos);
    if (!current.compareAndSet(hit, fresh)) {
      Cached other = current.get();
      return other != null ? other.set() : policySet();
    }
    allGroups(policies).whenComplete((groups, e) -> {
      if (e == null) {
        fresh.set().complete(PolicySet.of(groups));
      } else {
        current.compareAndSet(fresh, null);
        fresh.set().completeExceptionally(e);
      }
    });
    return fresh.set();
  }

  /** Every group the service lists, page by page. */
  public static CompletionStage<List<PolicyGroup>> allGroups(PolicyService policies) {
    return fetch(policies, 0, new ArrayList<>());
  }

  private static CompletionStage<List<PolicyGroup>> fetch(PolicyService policies, int offset, List<PolicyGroup> into) {
    return policies.listPolicyGroups(ListPolicyGroupsRequest.newBuilder().setOffset(offset).setLimit(PAGE).build())
        .thenCompose(page -> {
          into.addAll(page.getGroupsList());
          int next = offset + page.getGroupsCount();
          return page.getGroupsCount() == 0 || next >= page.getTotal()
              ? CompletableFuture.completedFuture(into) : fetch(policies, next, into);
        });
  }
}
