package arca.rest.testsupport;

import arca.proto.policy.CreatePolicyGroupRequest;
import arca.proto.policy.DeletePolicyGroupRequest;
import arca.proto.policy.DeletePolicyGroupResponse;
import arca.proto.policy.Effect;
import arca.proto.policy.GetPolicyGroupRequest;
import arca.proto.policy.ListPolicyGroupsRequest;
import arca.proto.policy.ListPolicyGroupsResponse;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroup;
import arca.proto.policy.PolicyService;
import arca.proto.policy.UpdatePolicyGroupRequest;
import arca.rest.gate.PolicySet;
import io.grpc.Status;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * In-memory policy service with the real one's contract where routes see it: INVALID_ARGUMENT for a malformed id,
 * an empty list or a pattern that does not compile, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION for changes to a
 * protected group; pages of at most 50. Starts with the protected group {@code allow-all} (every subject, resource
 * and action allowed), so that routes over it behave as without policies until a test adds a deny.
 */
public final class FakePolicyService implements PolicyService {
  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");
  public static final Policy ALLOW_ALL = Policy.newBuilder().setId("all").addSubjects("<.*>").addResources("<.*>")
      .addActions("<.*>").setEffect(Effect.EFFECT_ALLOW).build();

  private final Map<String, PolicyGroup> groups = new ConcurrentHashMap<>();
  public final AtomicInteger listCalls = new AtomicInteger();
  /** When set, every call fails with this status (a service that is down). */
  public volatile Status down;

  public FakePolicyService() {
    put(PolicyGroup.newBuilder().setId("allow-all").setLabel("Allow all").setProtected(true).addPolicies(ALLOW_ALL).build());
  }

  public void put(PolicyGroup g) {
    long now = System.currentTimeMillis();
    groups.put(g.getId(), g.toBuilder().setCreatedAt(now).setUpdatedAt(now).setVersion(1).build());
  }

  public void remove(String id) {
    groups.remove(id);
  }

  public PolicyGroup stored(String id) {
    return groups.get(id);
  }

  private Status check(String id, List<Policy> policies) {
    if (down != null) return down;
    if (!ID.matcher(id).matches()) return Status.INVALID_ARGUMENT.withDescription("invalid policy group id '" + id + "'");
    for (int i = 0; i < policies.size(); i++) {
      Policy p = policies.get(i);
      if (p.getSubjectsCount() == 0 || p.getResourcesCount() == 0 || p.getActionsCount() == 0) {
        return Status.INVALID_ARGUMENT.withDescription("policies[" + i + "] must name subjects, resources and actions");
      }
      for (String pattern : Stream.of(p.getSubjectsList(), p.getResourcesList(), p.getActionsList()).flatMap(List::stream).toList()) {
        try {
          PolicySet.pattern(pattern);
        } catch (IllegalArgumentException e) {
          return Status.INVALID_ARGUMENT.withDescription("policies[" + i + "]: bad pattern '" + pattern + "'");
        }
      }
    }
    return null;
  }

  private static Status missing(String id) {
    return Status.NOT_FOUND.withDescription("no policy group '" + id + "'");
  }

  private CompletionStage<PolicyGroup> create(CreatePolicyGroupRequest in, boolean ifAbsent) {
    Status bad = check(in.getId(), in.getPoliciesList());
    if (bad != null) return Failures.failed(bad);
    long now = System.currentTimeMillis();
    PolicyGroup g = PolicyGroup.newBuilder().setId(in.getId()).setLabel(in.getLabel().isEmpty() ? in.getId() : in.getLabel())
        .setDescription(in.getDescription()).setProtected(in.getProtected()).addAllPolicies(in.getPoliciesList())
        .setCreatedAt(now).setUpdatedAt(now).setVersion(1).build();
    PolicyGroup old = groups.putIfAbsent(in.getId(), g);
    if (old != null) {
      return ifAbsent ? Failures.async(old)
          : Failures.failed(Status.ALREADY_EXISTS.withDescription("policy group '" + in.getId() + "' already exists"));
    }
    return Failures.async(g);
  }

  @Override public CompletionStage<PolicyGroup> createPolicyGroup(CreatePolicyGroupRequest in) { return create(in, false); }
  @Override public CompletionStage<PolicyGroup> ensurePolicyGroup(CreatePolicyGroupRequest in) { return create(in, true); }

  @Override
  public CompletionStage<PolicyGroup> getPolicyGroup(GetPolicyGroupRequest in) {
    Status bad = check(in.getId(), List.of());
    if (bad != null) return Failures.failed(bad);
    PolicyGroup g = groups.get(in.getId());
    return g == null ? Failures.failed(missing(in.getId())) : Failures.async(g);
  }

  @Override
  public CompletionStage<PolicyGroup> updatePolicyGroup(UpdatePolicyGroupRequest in) {
    Status bad = check(in.getId(), in.getPolicies().getPoliciesList());
    if (bad != null) return Failures.failed(bad);
    PolicyGroup old = groups.get(in.getId());
    if (old == null) return Failures.failed(missing(in.getId()));
    if (old.getProtected()) {
      return Failures.failed(Status.FAILED_PRECONDITION.withDescription("policy group '" + in.getId() + "' is built in"));
    }
    PolicyGroup.Builder b = old.toBuilder().setUpdatedAt(System.currentTimeMillis()).setVersion(old.getVersion() + 1);
    if (in.hasLabel()) b.setLabel(in.getLabel());
    if (in.hasDescription()) b.setDescription(in.getDescription());
    if (in.hasPolicies()) b.clearPolicies().addAllPolicies(in.getPolicies().getPoliciesList());
    PolicyGroup g = b.build();
    groups.put(in.getId(), g);
    return Failures.async(g);
  }

  @Override
  public CompletionStage<DeletePolicyGroupResponse> deletePolicyGroup(DeletePolicyGroupRequest in) {
    Status bad = check(in.getId(), List.of());
    if (bad != null) return Failures.failed(bad);
    PolicyGroup g = groups.get(in.getId());
    if (g == null) return Failures.failed(missing(in.getId()));
    if (g.getProtected()) {
      return Failures.failed(Status.FAILED_PRECONDITION.withDescription("policy group '" + in.getId() + "' is built in"));
    }
    groups.remove(in.getId());
    return Failures.async(DeletePolicyGroupResponse.getDefaultInstance());
  }

  @Override
  public CompletionStage<ListPolicyGroupsResponse> listPolicyGroups(ListPolicyGroupsRequest in) {
    listCalls.incrementAndGet();
    if (down != null) return Failures.failed(down);
    if (in.getLimit() > 50 || in.getOffset() < 0) return Failures.failed(Status.INVALID_ARGUMENT.withDescription("bad page"));
    List<PolicyGroup> all = groups.values().stream().sorted(Comparator.comparing(PolicyGroup::getId)).toList();
    List<PolicyGroup> page = all.stream().skip(in.getOffset()).limit(in.getLimit() == 0 ? 50 : in.getLimit()).toList();
    return Failures.async(ListPolicyGroupsResponse.newBuilder().addAllGroups(page).setTotal(all.size()).build());
  }
}
