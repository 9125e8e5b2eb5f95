package arca.user;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import arca.persistence.ServiceStorage;
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
import arca.service.GrpcErrors;
import arca.service.Upgrades;
import arca.service.Requests;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.UUID;

/** arca.grpc.user: validate, hash, ask the entity, convert. Lists come from the read model. */
final class UserGrpcService implements UserService {
  private final ActorSystem<?> system;
  private final ServiceStorage storage;
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final Passwords passwords;

  UserGrpcService(ActorSystem<?> system, ServiceStorage storage, Passwords passwords) {
    this.system = system;
    this.storage = storage;
    this.sharding = ClusterSharding.get(system);
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
    this.passwords = passwords;
  }

  private EntityRef<UserEntity.Command> entity(String login) {
    return sharding.entityRefFor(UserEntity.KEY, login);
  }

  @Override
  public CompletionStage<User> createUser(CreateUserRequest in) {
    return GrpcErrors.call(() -> {
      String login = UserRules.login(in.getLogin());
      String password = UserRules.password(in.getPassword());
      String name = UserRules.displayName(in.getDisplayName());
      String email = UserRules.email(in.getEmail());
      var roles = UserRules.roles(in.getRolesList());
      String group = UserRules.groupPath(in.getGroupPath());
      String requestId = Requests.id(in.getRequestId());
      // while nodes of an older build serve requests, their gateways would look for the account's personal folder
      // under its login: the account is created as an older one (no id of its own, login path)
      String id = Upgrades.olderMembers(system, null) ? "" : UUID.randomUUID().toString();
      return passwords.hashAsync(password)
          .thenCompose(hash -> entity(login).<UserEntity.Result>ask(
              r -> new UserEntity.Create(hash, name, email, roles, group, requestId, id, r), timeout))
          .thenApply(UserGrpcService::toProto);
    });
  }

  @Override
  public CompletionStage<User> getUser(GetUserRequest in) {
    return GrpcErrors.call(() -> entity(UserRules.login(in.getLogin()))
        .ask(UserEntity.Get::new, timeout).thenApply(UserGrpcService::toProto));
  }

  @Override
  public CompletionStage<User> updateUser(UpdateUserRequest in) {
    return GrpcErrors.call(() -> {
      String login = UserRules.login(in.getLogin());
      String name = in.hasDisplayName() ? UserRules.displayName(in.getDisplayName()) : null;
      String email = in.hasEmail() ? UserRules.email(in.getEmail()) : null;
      var roles = in.getReplaceRoles() ? UserRules.roles(in.getRolesList()) : null;
      String group = in.hasGroupPath() ? UserRules.groupPath(in.getGroupPath()) : null;
      String password = in.hasPassword() ? UserRules.password(in.getPassword()) : null;
      CompletionStage<String> hash = password == null ? CompletableFuture.completedFuture(null)
          : passwords.hashAsync(password);
      String requestId = Requests.id(in.getRequestId());
      return hash.thenCompose(h -> entity(login).<UserEntity.Result>ask(
              r -> new UserEntity.Update(name, email, roles, group, h, requestId, r), timeout))
          .thenApply(UserGrpcService::toProto);
    });
  }

  @Override
  public CompletionStage<DeleteUserResponse> deleteUser(DeleteUserRequest in) {
    return GrpcErrors.call(() -> entity(UserRules.login(in.getLogin()))
        .<UserEntity.Result>ask(r -> new UserEntity.Delete(Requests.id(in.getRequestId()), r), timeout)
        .thenApply(r -> {
          toProto(r);
          return DeleteUserResponse.getDefaultInstance();
        }));
  }

  @Override
  public CompletionStage<ListUsersResponse> listUsers(ListUsersRequest in) {
    return GrpcErrors.call(() -> {
      if (in.getOffset() < 0) throw GrpcErrors.invalid("offset must be >= 0");
      if (in.getLimit() < 0 || in.getLimit() > 1000) throw GrpcErrors.invalid("limit must be between 1 and 1000");
      if (in.getFilter().length() > 256) throw GrpcErrors.invalid("filter must be at most 256 characters");
      int limit = in.getLimit() == 0 ? 100 : in.getLimit();
      return UserReadModel.list(system, storage, in.getOffset(), limit, in.getFilter().trim());
    });
  }

  @Override
  public CompletionStage<VerifyPasswordResponse> verifyPassword(VerifyPasswordRequest in) {
    return GrpcErrors.call(() -> {
      String login;
      try {
        login = UserRules.login(in.getLogin());
      } catch (RuntimeException invalidLogin) {
        return CompletableFuture.completedFuture(VerifyPasswordResponse.newBuilder().setValid(false).build());
      }
      return entity(login).ask(UserEntity.Get::new, timeout).thenCompose(r -> {
        boolean exists = r.user() != null && r.user().exists();
        return passwords.verifyAsync(in.getPassword(), exists ? r.user().passwordHash() : null).thenApply(ok -> {
          boolean valid = ok && exists;
          VerifyPasswordResponse.Builder out = VerifyPasswordResponse.newBuilder().setValid(valid);
          if (valid) out.setUser(toProto(r));
          return out.build();
        });
      });
    });
  }

  static User toProto(UserEntity.Result r) {
    if (r.failure() != null) throw GrpcErrors.status(r.failure());
    UserEntity.State s = r.user();
    return User.newBuilder().setLogin(s.login()).setDisplayName(s.displayName()).setEmail(s.email())
        .addAllRoles(s.roles()).setGroupPath(s.groupPath()).setCreatedAt(s.createdAt()).setUpdatedAt(s.updatedAt())
        .setVersion(s.version()).setId(s.accountId()).setHome(s.home()).build();
  }
}
