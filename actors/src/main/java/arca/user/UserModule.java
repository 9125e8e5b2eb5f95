package arca.user;

import akka.grpc.ServiceDescription;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;
import arca.proto.user.UserService;
import arca.proto.user.UserServiceHandlerFactory;
import arca.service.ServiceContext;
import arca.service.ServiceModule;

import java.util.concurrent.CompletionStage;

/** arca.grpc.user (Cells idm.user): users, password hashes, profiles. */
public final class UserModule implements ServiceModule {
  public static final String NAME = "user";

  @Override public String name() { return NAME; }
  @Override public ServiceDescription description() { return UserService.description; }

  @Override
  public Function<HttpRequest, CompletionStage<HttpResponse>> start(ServiceContext ctx) {
    UserEntity.init(ctx.system(), ctx.storage());
    UserReadModel.init(ctx.system(), ctx.storage());
    Passwords passwords = new Passwords(ctx.system().settings().config());
    ctx.system().log().info("user service: password hashing {}", passwords.describe());
    ctx.system().getWhenTerminated().thenRun(passwords::close);
    return UserServiceHandlerFactory.create(new UserGrpcService(ctx.system(), ctx.storage(), passwords), ctx.system());
  }
}
