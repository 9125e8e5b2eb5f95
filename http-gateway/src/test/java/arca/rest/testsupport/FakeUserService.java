package arca.rest.testsupport;

import arca.proto.user.CreateUserRequest;
import arca.proto.user.DeleteUserRequest;
import arca.proto.user.DeleteUserResponse;
import arca.proto.user.GetUserRequest;
import arca.proto.user.ListUsersRequest;
import arca.proto.user.ListUsersResponse;
import arca.proto.user.UpdateUserRequest;
import arca.proto.user.User;
import arca.proto.user.UserService;
import arca.proto.user.VerifyPasswordRequest;
import arca.proto.user.VerifyPasswordResponse;
import io.grpc.Status;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * In-memory user service with the real one's contract: INVALID_ARGUMENT for a login not matching
 * {@code [a-z0-9][a-z0-9._@-]{0,63}} or an empty password, ALREADY_EXISTS, NOT_FOUND. Records every request.
 */
public final class FakeUserService implements UserService {
  public static final Pattern LOGIN = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,63}");

  private record Stored(User user, String password) {}

  private final Map<String, Stored> users = new ConcurrentHashMap<>();
  /** Every request received, in order. */
  public final List<Object> requests = new CopyOnWriteArrayList<>();
  /** When set, every call fails with this status (a service that is down). */
  public volatile Status down;

  public User put(String login, String password, String... roles) {
    long now = System.currentTimeMillis();
    User u = User.newBuilder().setLogin(login).setDisplayName(login).addAllRoles(List.of(roles))
        .setCreatedAt(now).setUpdatedAt(now).setVersion(1).build();
    users.put(login, new Stored(u, password));
    return u;
  }

  public User stored(String login) {
    Stored s = users.get(login);
    return s == null ? null : s.user();
  }

  public String password(String login) {
    Stored s = users.get(login);
    return s == null ? null : s.password();
  }

  @SuppressWarnings("unchecked")
  public <T> List<T> requestsOf(Class<T> type) {
    return (List<T>) requests.stream().filter(type::isInstance).toList();
  }

  private Status check(Object request, String login) {
    requests.add(request);
    if (down != null) return down;
    if (!LOGIN.matcher(login).matches()) return Status.INVALID_ARGUMENT.withDescription("invalid login '" + login + "'");
    return null;
  }

  private static Status notFound(String login) {
    return Status.NOT_FOUND.withDescription("no user '" + login + "'");
  }

  @Override
  public CompletionStage<User> createUser(CreateUserRequest in) {
    Status bad = check(in, in.getLogin());
    if (bad != null) return Failures.failed(bad);
    if (in.getPassword().isEmpty()) return Failures.failed(Status.INVALID_ARGUMENT.withDescription("empty password"));
    long now = System.currentTimeMillis();
    User u = User.newBuilder().setLogin(in.getLogin()).setDisplayName(in.getDisplayName()).setEmail(in.getEmail())
        .addAllRoles(in.getRolesList()).setGroupPath(in.getGroupPath()).setCreatedAt(now).setUpdatedAt(now)
        .setVersion(1).setId(UUID.randomUUID().toString()).build();
    if (users.putIfAbsent(in.getLogin(), new Stored(u, in.getPassword())) != null) {
      return Failures.failed(Status.ALREADY_EXISTS.withDescription("user '" + in.getLogin() + "' exists"));
    }
    return Failures.async(u);
  }

  @Override
  public CompletionStage<User> getUser(GetUserRequest in) {
    Status bad = check(in, in.getLogin());
    if (bad != null) return Failures.failed(bad);
    Stored s = users.get(in.getLogin());
    return s == null ? Failures.failed(notFound(in.getLogin())) : Failures.async(s.user());
  }

  @Override
  public CompletionStage<User> updateUser(UpdateUserRequest in) {
    Status bad = check(in, in.getLogin());
    if (bad != null) return Failures.failed(bad);
    Stored s = users.computeIfPresent(in.getLogin(), (l, old) -> {
      User.Builder b = old.user().toBuilder().setUpdatedAt(System.currentTimeMillis()).setVersion(old.user().getVersion() + 1);
      if (in.hasDisplayName()) b.setDisplayName(in.getDisplayName());
      if (in.hasEmail()) b.setEmail(in.getEmail());
      if (in.hasGroupPath()) b.setGroupPath(in.getGroupPath());
      if (in.getReplaceRoles()) b.clearRoles().addAllRoles(in.getRolesList());
      return new Stored(b.build(), in.hasPassword() ? in.getPassword() : old.password());
    });
    return s == null ? Failures.failed(notFound(in.getLogin())) : Failures.async(s.user());
  }

  @Override
  public CompletionStage<DeleteUserResponse> deleteUser(DeleteUserRequest in) {
    Status bad = check(in, in.getLogin());
    if (bad != null) return Failures.failed(bad);
    return users.remove(in.getLogin()) == null ? Failures.failed(notFound(in.getLogin()))
        : Failures.async(DeleteUserResponse.getDefaultInstance());
  }

  @Override
  public CompletionStage<ListUsersResponse> listUsers(ListUsersRequest in) {
    requests.add(in);
    if (down != null) return Failures.failed(down);
    if (in.getLimit() < 1 || in.getLimit() > 1000 || in.getOffset() < 0) {
      return Failures.failed(Status.INVALID_ARGUMENT.withDescription("bad paging"));
    }
    String f = in.getFilter().toLowerCase(Locale.ROOT);
    List<User> matching = users.values().stream().map(Stored::user)
        .filter(u -> f.isEmpty() || u.getLogin().contains(f) || u.getDisplayName().toLowerCase(Locale.ROOT).contains(f)
            || u.getEmail().toLowerCase(Locale.ROOT).contains(f))
        .sorted(Comparator.comparing(User::getLogin)).toList();
    List<User> page = matching.stream().skip(in.getOffset()).limit(in.getLimit()).toList();
    return Failures.async(ListUsersResponse.newBuilder().addAllUsers(page).setTotal(matching.size()).build());
  }

  @Override
  public CompletionStage<VerifyPasswordResponse> verifyPassword(VerifyPasswordRequest in) {
    Status bad = check(in, in.getLogin());
    if (bad != null) return Failures.failed(bad);
    Stored s = users.get(in.getLogin());
    boolean valid = s != null && s.password().equals(in.getPassword());
    VerifyPasswordResponse.Builder r = VerifyPasswordResponse.newBuilder().setValid(valid);
    if (valid) r.setUser(s.user());
    return Failures.async(r.build());
  }
}
