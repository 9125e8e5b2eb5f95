package arca.rest.testsupport;

import arca.proto.role.CreateRoleRequest;
import arca.proto.role.DeleteRoleRequest;
import arca.proto.role.DeleteRoleResponse;
import arca.proto.role.GetRoleRequest;
import arca.proto.role.ListRolesRequest;
import arca.proto.role.ListRolesResponse;
import arca.proto.role.Role;
import arca.proto.role.RoleService;
import arca.proto.role.UpdateRoleRequest;
import io.grpc.Status;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * In-memory role service with the real one's contract: INVALID_ARGUMENT for a malformed id, NOT_FOUND, ALREADY_EXISTS,
 * FAILED_PRECONDITION when deleting a protected role. Starts with the protected role "admin" and the role "user".
 */
public final class FakeRoleService implements RoleService {
  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

  private final Map<String, Role> roles = new ConcurrentHashMap<>();
  public final AtomicInteger calls = new AtomicInteger();
  /** When set, every call fails with this status (a service that is down). */
  public volatile Status down;

  public FakeRoleService() {
    put(Role.newBuilder().setId("admin").setLabel("Administrator").setProtected(true).build());
    put(Role.newBuilder().setId("user").setLabel("User").build());
  }

  public void put(Role r) {
    long now = System.currentTimeMillis();
    roles.put(r.getId(), r.toBuilder().setCreatedAt(now).setUpdatedAt(now).setVersion(1).build());
  }

  public Role stored(String id) {
    return roles.get(id);
  }

  private Status check(String id) {
    calls.incrementAndGet();
    if (down != null) return down;
    if (!ID.matcher(id).matches()) return Status.INVALID_ARGUMENT.withDescription("invalid role id '" + id + "'");
    return null;
  }

  @Override
  public CompletionStage<Role> createRole(CreateRoleRequest in) {
    Status bad = check(in.getId());
    if (bad != null) return Failures.failed(bad);
    long now = System.currentTimeMillis();
    Role r = Role.newBuilder().setId(in.getId()).setLabel(in.getLabel()).setDescription(in.getDescription())
        .setProtected(in.getProtected()).setCreatedAt(now).setUpdatedAt(now).setVersion(1).build();
    if (roles.putIfAbsent(in.getId(), r) != null) {
      return Failures.failed(Status.ALREADY_EXISTS.withDescription("role '" + in.getId() + "' exists"));
    }
    return Failures.async(r);
  }

  @Override
  public CompletionStage<Role> ensureRole(CreateRoleRequest in) {
    Status bad = check(in.getId());
    if (bad != null) return Failures.failed(bad);
    return Failures.async(roles.computeIfAbsent(in.getId(), id -> Role.newBuilder().setId(id).setLabel(in.getLabel()).build()));
  }

  @Override
  public CompletionStage<Role> getRole(GetRoleRequest in) {
    Status bad = check(in.getId());
    if (bad != null) return Failures.failed(bad);
    Role r = roles.get(in.getId());
    return r == null ? Failures.failed(Status.NOT_FOUND.withDescription("no role '" + in.getId() + "'")) : Failures.async(r);
  }

  @Override
  public CompletionStage<Role> updateRole(UpdateRoleRequest in) {
    Status bad = check(in.getId());
    if (bad != null) return Failures.failed(bad);
    Role r = roles.computeIfPresent(in.getId(), (id, old) -> {
      Role.Builder b = old.toBuilder().setUpdatedAt(System.currentTimeMillis()).setVersion(old.getVersion() + 1);
      if (in.hasLabel()) b.setLabel(in.getLabel());
      if (in.hasDescription()) b.setDescription(in.getDescription());
      return b.build();
    });
    return r == null ? Failures.failed(Status.NOT_FOUND.withDescription("no role '" + in.getId() + "'")) : Failures.async(r);
  }

  @Override
  public CompletionStage<DeleteRoleResponse> deleteRole(DeleteRoleRequest in) {
    Status bad = check(in.getId());
    if (bad != null) return Failures.failed(bad);
    Role r = roles.get(in.getId());
    if (r == null) return Failures.failed(Status.NOT_FOUND.withDescription("no role '" + in.getId() + "'"));
    if (r.getProtected()) {
      return Failures.failed(Status.FAILED_PRECONDITION.withDescription("role '" + in.getId() + "' is built in"));
    }
    roles.remove(in.getId());
    return Failures.async(DeleteRoleResponse.getDefaultInstance());
  }

  @Override
  public CompletionStage<ListRolesResponse> listRoles(ListRolesRequest in) {
    calls.incrementAndGet();
    if (down != null) return Failures.failed(down);
    String f = in.getFilter().toLowerCase(Locale.ROOT);
    List<Role> matching = roles.values().stream()
        .filter(r -> f.isEmpty() || r.getId().contains(f) || r.getLabel().toLowerCase(Locale.ROOT).contains(f))
        .sorted(Comparator.comparing(Role::getId)).toList();
    List<Role> page = matching.stream().skip(in.getOffset()).limit(in.getLimit()).toList();
    return Failures.async(ListRolesResponse.newBuilder().addAllRoles(page).setTotal(matching.size()).build());
  }

}
