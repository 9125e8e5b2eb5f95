package arca.token;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import arca.proto.token.AccessKey;
import arca.proto.token.CreateAccessKeyRequest;
import arca.proto.token.CreatedAccessKey;
import arca.proto.token.DeleteAccessKeyRequest;
import arca.proto.token.DeleteAccessKeyResponse;
import arca.proto.token.ListAccessKeysRequest;
import arca.proto.token.ListAccessKeysResponse;
import arca.proto.token.ResolveAccessKeyRequest;
import arca.proto.token.ResolvedAccessKey;
import arca.proto.user.GetUserRequest;
import arca.proto.user.User;
import arca.proto.user.UserService;
import arca.service.Requests;
import arca.service.Failure;
import arca.service.GrpcErrors;
import io.grpc.Status;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;

/**
 * The access-key calls of arca.grpc.token ({@link TokenGrpcService} delegates to it): input checks, then the owner's
 * {@link UserAccessKeysEntity} and the key's {@link AccessKeyEntity}, in the order that keeps every live key listed
 * (list, then create; delete, then unlist). The user service confirms that the owner exists and gives its roles.
 */
final class AccessKeyService {
  private static final Pattern LOGIN = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,63}");
  private static final int MAX_LABEL = 64;

  private final ClusterSharding sharding;
  private final UserService users;
  private final AccessKeyCipher cipher;
  private final Duration timeout;

  AccessKeyService(ActorSystem<?> system, UserService users, AccessKeyCipher cipher) {
    this.sharding = ClusterSharding.get(system);
    this.users = users;
    this.cipher = cipher;
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
  }

  private EntityRef<UserAccessKeysEntity.Command> owner(String login) {
    return sharding.entityRefFor(UserAccessKeysEntity.KEY, login);
  }

  private EntityRef<AccessKeyEntity.Command> key(String id) {
    return sharding.entityRefFor(AccessKeyEntity.KEY, id);
  }

  CompletionStage<CreatedAccessKey> create(CreateAccessKeyRequest in) {
    return GrpcErrors.call(() -> {
      String login = login(in.getLogin());
      String label = in.getLabel();
      if (label.length() > MAX_LABEL || label.chars().anyMatch(Character::isISOControl)) {
        throw GrpcErrors.invalid("label: at most " + MAX_LABEL + " characters, no control characters");
      }
      String requestId = Requests.id(in.getRequestId());
      String id = requestId.isEmpty() ? Secrets.accessKeyId() : Secrets.accessKeyId(login, requestId);
      String secret = Secrets.accessKeySecret();
      long now = System.currentTimeMillis();
      CompletionStage<CreatedAccessKey> created = users.getUser(GetUserRequest.newBuilder().setLogin(login).build())
          .thenCompose(user -> cipher.keys().thenCompose(keys -> {
            AccessKeyCipher.Sealed sealed = keys.seal(id, login, secret);
            return owner(login).<UserAccessKeysEntity.Added>ask(r -> new UserAccessKeysEntity.Add(id, label, now, r), timeout)
                .thenCompose(added -> {
                  if (added.failure() != null) throw GrpcErrors.status(added.failure());
                  return key(id).<AccessKeyEntity.Reply>ask(
                      r -> new AccessKeyEntity.Create(login, label, sealed.kid(), sealed.data(), now, user.getId(), r), timeout);
                });
          }))
          .thenCompose(reply -> {
            if (reply.failure() == null) {
              return CompletableFuture.completedFuture(CreatedAccessKey.newBuilder().setAccessKeyId(id)
                  .setSecretAccessKey(secret).setLabel(label).setCreatedAt(now).build());
            }
            // the key of this very creation, sent again after it applied: its secret, as the first answer had it
            if (requestId.isEmpty() || !reply.failure().is(Status.Code.ALREADY_EXISTS)) {
              throw GrpcErrors.status(reply.failure());
            }
            return key(id).ask(AccessKeyEntity.Get::new, timeout).thenCombine(cipher.keys(), (existing, keys) -> {
              if (existing.failure() != null || !existing.key().login().equals(login)) throw GrpcErrors.status(reply.failure());
              AccessKeyEntity.Key k = existing.key();
              return CreatedAccessKey.newBuilder().setAccessKeyId(id).setLabel(k.label()).setCreatedAt(k.createdAt())
                  .setSecretAccessKey(keys.open(id, login, new AccessKeyCipher.Sealed(k.cipherKid(), k.sealedSecret())))
                  .build();
            });
          });
      return created;
    });
  }

  CompletionStage<ListAccessKeysResponse> list(ListAccessKeysRequest in) {
    return GrpcErrors.call(() -> owner(login(in.getLogin())).ask(UserAccessKeysEntity.GetKeys::new, timeout)
        .thenApply(state -> ListAccessKeysResponse.newBuilder().addAllKeys(state.keys().stream()
            .map(k -> AccessKey.newBuilder().setAccessKeyId(k.id()).setLabel(k.label()).setCreatedAt(k.createdAt()).build())
            .toList()).build()));
  }

  CompletionStage<DeleteAccessKeyResponse> delete(DeleteAccessKeyRequest in) {
    return GrpcErrors.call(() -> {
      String login = login(in.getLogin());
      String id = id(in.getAccessKeyId());
      String requestId = Requests.id(in.getRequestId());
      return key(id).<AccessKeyEntity.Deleted>ask(r -> new AccessKeyEntity.Delete(login, r), timeout)
          .thenCompose(deleted -> {
            if (deleted.failure() != null) throw GrpcErrors.status(deleted.failure());
            return owner(login).<UserAccessKeysEntity.Removed>ask(r -> new UserAccessKeysEntity.Remove(id, requestId, r), timeout)
                .thenApply(removed -> {
                  // neither live nor listed: nothing of this login's to delete
                  if (!deleted.now() && !removed.now()) throw GrpcErrors.status(Failure.notFound("no access key " + id));
                  return DeleteAccessKeyResponse.getDefaultInstance();
                });
          });
    });
  }

  /** Deletes every access key of the login (its account was deleted: a later account with the login must not get them). */
  CompletionStage<Void> deleteAll(String login) {
    return list(ListAccessKeysRequest.newBuilder().setLogin(login).build()).thenCompose(keys -> {
      CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
      for (AccessKey k : keys.getKeysList()) {
        chain = chain.thenCompose(x -> delete(DeleteAccessKeyRequest.newBuilder().setLogin(login)
            .setAccessKeyId(k.getAccessKeyId()).build()).thenApply(ok -> (Void) null));
      }
      return chain;
    });
  }

  CompletionStage<ResolvedAccessKey> resolve(ResolveAccessKeyRequest in) {
    return GrpcErrors.call(() -> {
      String id = id(in.getAccessKeyId());
      return key(id).ask(AccessKeyEntity.Get::new, timeout).thenCompose(reply -> {
        if (reply.failure() != null) throw GrpcErrors.status(reply.failure());
        AccessKeyEntity.Key k = reply.key();
        return users.getUser(GetUserRequest.newBuilder().setLogin(k.login()).build())
            .thenApply(user -> {
              if (!ownedBy(k, user)) throw GrpcErrors.status(Failure.notFound("no access key " + id));
              return user;
            })
            .thenCombine(cipher.keys(), (user, keys) -> ResolvedAccessKey.newBuilder().setAccessKeyId(id)
                .setLogin(k.login())
                .setSecretAccessKey(keys.open(id, k.login(), new AccessKeyCipher.Sealed(k.cipherKid(), k.sealedSecret())))
                .addAllRoles(user.getRolesList()).setUserId(user.getId()).setHome(user.getHome()).build());
      });
    });
  }

  /**
   * Whether the key belongs to the user's account, not to an earlier one with the same login (deleted, its keys left
   * behind by a deletion that failed half-way): the account ids match, or for a key made before ids existed, the key
   * is younger than the account.
   */
  static boolean ownedBy(AccessKeyEntity.Key k, User user) {
    if (!k.userId().isEmpty() && !user.getId().isEmpty()) return k.userId().equals(user.getId());
    return k.createdAt() >= user.getCreatedAt();
  }

  private static String login(String raw) {
    String login = raw.trim().toLowerCase(Locale.ROOT);
    if (!LOGIN.matcher(login).matches()) throw GrpcErrors.invalid("invalid login '" + raw + "'");
    return login;
  }

  private static String id(String raw) {
    if (!Secrets.ACCESS_KEY_ID.matcher(raw).matches()) throw GrpcErrors.invalid("malformed access key id");
    return raw;
  }
}
