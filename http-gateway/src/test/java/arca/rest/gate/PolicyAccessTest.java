package arca.rest.gate;

import arca.proto.policy.Effect;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroup;
import arca.rest.access.Principal;
import arca.rest.testsupport.FakePolicyService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway's policy cache: one fetch per time to live, every page, failures not kept, admins and /a/policies. */
class PolicyAccessTest {
  static final Principal BOB = new Principal("bob", List.of("staff"), "s", "t", Long.MAX_VALUE);
  static final Principal ROOT = new Principal("root", List.of("admin"), "s", "t", Long.MAX_VALUE);
  static final Policy DENY_ALL = Policy.newBuilder().setId("deny").addSubjects("<.*>").addResources("<.*>")
      .addActions("<.*>").setEffect(Effect.EFFECT_DENY).build();

  final FakePolicyService service = new FakePolicyService();
  final AtomicLong clock = new AtomicLong();
  final PolicyAccess access = new PolicyAccess(service, Duration.ofSeconds(5), clock::get);

  boolean allowed(Principal who, String resource, String action) {
    return access.decide(who, resource, action).toCompletableFuture().join().allowed();
  }

  @Test
  void theSetIsFetchedOncePerTimeToLive() {
    assertTrue(allowed(BOB, "rest:/a/nodes", "GET"));
    assertTrue(allowed(BOB, "io:common/x", "PUT"));
    assertEquals(1, service.listCalls.get());

    service.put(PolicyGroup.newBuilder().setId("lockdown").addPolicies(DENY_ALL).build());
    clock.addAndGet(Duration.ofSeconds(4).toNanos());
    assertTrue(allowed(BOB, "rest:/a/nodes", "GET"), "within the time to live the cached set decides");
    assertEquals(1, service.listCalls.get());

    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    assertFalse(allowed(BOB, "rest:/a/nodes", "GET"), "after it, the new policy applies");
    assertEquals(2, service.listCalls.get());
  }

  @Test
  void everyPageOfGroupsIsRead() {
    service.remove("allow-all");
    for (int i = 0; i < 120; i++) service.put(PolicyGroup.newBuilder().setId(String.format("g%03d", i)).build());
    service.put(PolicyGroup.newBuilder().setId("z-last").addPolicies(FakePolicyService.ALLOW_ALL).build());
    assertTrue(allowed(BOB, "rest:/a/nodes", "GET"), "the only allow is in the third page");
    assertEquals(3, service.listCalls.get());
  }

  @Test
  void aFailedFetchIsNotKept() {
    service.down = Status.UNAVAILABLE;
    CompletionException e = assertThrows(CompletionException.class,
        () -> access.decide(BOB, "rest:/a/nodes", "GET").toCompletableFuture().join());
    assertInstanceOf(StatusRuntimeException.class, e.getCause());
    service.down = null;
    assertTrue(allowed(BOB, "rest:/a/nodes", "GET"), "the next request fetches again");
  }

  @Test
  void adminsAlwaysReachThePolicyRoutes() {
    service.put(PolicyGroup.newBuilder().setId("lockdown").addPolicies(DENY_ALL).build());
    assertTrue(allowed(ROOT, "rest:/a/policies", "GET"));
    assertTrue(allowed(ROOT, "rest:/a/policies/lockdown", "DELETE"));
    assertFalse(allowed(ROOT, "rest:/a/policiesX", "GET"));
    assertFalse(allowed(ROOT, "rest:/a/users", "GET"), "elsewhere admins pass the policies like anyone");
    assertFalse(allowed(BOB, "rest:/a/policies", "GET"), "the exception is for admins only");
  }
}
