package arca.role;

import akka.grpc.ServiceDescription;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;
import arca.proto.role.RoleService;
import arca.proto.role.RoleServiceHandlerFactory;
import arca.service.ServiceContext;
import arca.service.ServiceModule;

import java.util.concurrent.CompletionStage;

/** arca.grpc.role (Cells idm.role): roles that users carry, in order. */
public final class RoleModule implements ServiceModule {
  public static final String NAME = "role";

  @Override public String name() { return NAME; }
  @Override public ServiceDescription description() { return RoleService.description; }

  @Override
  public Function<HttpRequest, CompletionStage<HttpResponse>> start(ServiceContext ctx) {
    RoleEntity.init(ctx.system(), ctx.storage());
    RoleReadModel.init(ctx.system(), ctx.storage());
    return RoleServiceHandlerFactory.create(new RoleGrpcService(ctx.system(), ctx.storage()), ctx.system());
  }
}
