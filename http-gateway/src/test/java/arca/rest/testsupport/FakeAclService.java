package arca.rest.testsupport;

import arca.proto.acl.Acl;
import arca.proto.acl.AclService;
import arca.proto.acl.Action;
import arca.proto.acl.GrantRequest;
import arca.proto.acl.GrantResponse;
import arca.proto.acl.ListAclsRequest;
import arca.proto.acl.ListAclsResponse;
import arca.proto.acl.ResolveRequest;
import arca.proto.acl.ResolveResponse;
import arca.proto.acl.RevokeRequest;
import arca.proto.acl.RevokeResponse;
import arca.proto.acl.VisibleRequest;
import arca.proto.acl.VisibleResponse;
import io.grpc.Status;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * In-memory acl service for route tests: Grant and Revoke idempotent, ListAcls filtered and paged in workspace, path,
 * role, action order, INVALID_ARGUMENT for an unspecified action. Resolve and Visible do not compute anything: they
 * answer what a test set ({@link #answer}, {@link #visible}) and record the requests, so that tests of callers see
 * exactly which calls they made.
 */
public final class FakeAclService implements AclService {
  private final Map<String, Acl> acls = new ConcurrentHashMap<>();
  /** Resolve answers by workspace (none: no rights). */
  private final Map<String, ResolveResponse> answers = new ConcurrentHashMap<>();
  public final List<ResolveRequest> resolves = new CopyOnWriteArrayList<>();
  public final List<VisibleRequest> visibles = new CopyOnWriteArrayList<>();
  /** Visible's answer. */
  public volatile List<String> visible = List.of();
  /** When set, every call fails with this status (a service that is down). */
  public volatile Status down;

  private static String key(String workspace, String path, String role, Action action) {
    return workspace + "\n" + path + "\n" + role + "\n" + action;
  }

  public Acl stored(String workspace, String path, String role, Action action) {
    return acls.get(key(workspace, path, role, action));
  }

  public void answer(String workspace, ResolveResponse response) {
    answers.put(workspace, response);
  }

  private Status check(Action action) {
    if (down != null) return down;
    if (action != Action.ACTION_READ && action != Action.ACTION_WRITE && action != Action.ACTION_DENY) {
      return Status.INVALID_ARGUMENT.withDescription("action must be ACTION_READ, ACTION_WRITE or ACTION_DENY");
    }
    return null;
  }

  @Override
  public CompletionStage<GrantResponse> grant(GrantRequest in) {
    Status bad = check(in.getAction());
    if (bad != null) return Failures.failed(bad);
    String k = key(in.getWorkspace(), in.getPath(), in.getRole(), in.getAction());
    Acl fresh = Acl.newBuilder().setWorkspace(in.getWorkspace()).setPath(in.getPath()).setRole(in.getRole())
        .setAction(in.getAction()).setCreatedAt(System.currentTimeMillis()).build();
    Acl existing = acls.putIfAbsent(k, fresh);
    return Failures.async(GrantResponse.newBuilder().setAcl(existing == null ? fresh : existing)
        .setCreated(existing == null).build());
  }

  @Override
  public CompletionStage<RevokeResponse> revoke(RevokeRequest in) {
    Status bad = check(in.getAction());
    if (bad != null) return Failures.failed(bad);
    boolean removed = acls.remove(key(in.getWorkspace(), in.getPath(), in.getRole(), in.getAction())) != null;
    return Failures.async(RevokeResponse.newBuilder().setRemoved(removed).build());
  }

  @Override
  public CompletionStage<ListAclsResponse> listAcls(ListAclsRequest in) {
    if (down != null) return Failures.failed(down);
    List<Acl> matching = acls.values().stream()
        .filter(a -> in.getWorkspace().isEmpty() || a.getWorkspace().equals(in.getWorkspace()))
        .filter(a -> in.getRole().isEmpty() || a.getRole().equals(in.getRole()))
        .sorted(Comparator.comparing(Acl::getWorkspace).thenComparing(Acl::getPath).thenComparing(Acl::getRole)
            .thenComparing(Acl::getAction)).toList();
    return Failures.async(ListAclsResponse.newBuilder()
        .addAllAcls(matching.stream().skip(in.getOffset()).limit(in.getLimit()).toList())
        .setTotal(matching.size()).build());
  }

  @Override
  public CompletionStage<ResolveResponse> resolve(ResolveRequest in) {
    resolves.add(in);
    if (down != null) return Failures.failed(down);
    return Failures.async(answers.getOrDefault(in.getWorkspace(), ResolveResponse.getDefaultInstance()));
  }

  @Override
  public CompletionStage<VisibleResponse> visible(VisibleRequest in) {
    visibles.add(in);
    if (down != null) return Failures.failed(down);
    return Failures.async(VisibleResponse.newBuilder().addAllWorkspaces(visible).build());
  }
}
