package arca.token;

import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.grpc.ServiceDescription;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;
import arca.proto.token.TokenService;
import arca.proto.token.TokenServiceHandlerFactory;
import arca.proto.user.UserService;
import arca.proto.user.UserServiceClient;
import arca.service.ServiceContext;
import arca.service.ServiceModule;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * arca.grpc.token (Cells oauth): sessions, refresh tokens, JWT signing keys, revocation, login throttling, and
 * personal S3 access keys.
 */
public final class TokenModule implements ServiceModule {
  public static final String NAME = "token";

  @Override public String name() { return NAME; }
  @Override public ServiceDescription description() { return TokenService.description; }

  @Override
  public Function<HttpRequest, CompletionStage<HttpResponse>> start(ServiceContext ctx) {
    SessionEntity.init(ctx.system(), ctx.storage());
    LoginGuardEntity.init(ctx.system(), ctx.storage());
    MasterKey masterKey = MasterKey.forNode(ctx.system().settings().config());
    SigningKeysEntity.init(ctx.system(), ctx.storage(), masterKey);
    AccessKeyEntity.init(ctx.system(), ctx.storage());
    UserAccessKeysEntity.init(ctx.system(), ctx.storage());
    EncryptionKeysEntity.init(ctx.system(), ctx.storage(), masterKey);
    resealOnUpgrade(ctx);
    // the user service may run on other nodes: reach it through its generated gRPC client
    UserService users = ctx.clients().client(UserService.class, "user", UserServiceClient::create);
    return TokenServiceHandlerFactory.create(
        new TokenGrpcService(ctx.system(), ctx.storage(), users, new JwtIssuer(ctx.system()),
            new AccessKeyService(ctx.system(), users, new AccessKeyCipher(ctx.system()))), ctx.system());
  }

  /**
   * Wakes the two key entities once the node is a member (asks wait for their shard): after an upgrade, the first
   * command an entity gets on this build seals again the keys an older build wrote in plain (SigningKeysEntity).
   */
  private static void resealOnUpgrade(ServiceContext ctx) {
    var sharding = ClusterSharding.get(ctx.system());
    Duration within = Duration.ofMinutes(2);
    sharding.entityRefFor(SigningKeysEntity.KEY, SigningKeysEntity.ID).ask(SigningKeysEntity.GetKeys::new, within);
    sharding.entityRefFor(EncryptionKeysEntity.KEY, EncryptionKeysEntity.ID).ask(EncryptionKeysEntity.GetKeys::new, within);
  }
}
