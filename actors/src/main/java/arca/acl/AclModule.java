package arca.acl;

import akka.grpc.ServiceDescription;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;
import arca.proto.acl.AclService;
import arca.proto.acl.AclServiceHandlerFactory;
import arca.service.ServiceContext;
import arca.service.ServiceModule;

import java.util.concurrent.CompletionStage;

/**
 * arca.grpc.acl (Cells idm.acl): which roles may read or write which nodes of a workspace. One entity per workspace
 * holds its entries and resolves a user's rights; the read model {@code acl_acls} lists them and tells which
 * workspaces a user may see.
 */
public final class AclModule implements ServiceModule {
  public static final String NAME = "acl";

  @Override public String name() { return NAME; }
  @Override public ServiceDescription description() { return AclService.description; }

  @Override
  public Function<HttpRequest, CompletionStage<HttpResponse>> start(ServiceContext ctx) {
    AclEntity.init(ctx.system(), ctx.storage());
    AclReadModel.init(ctx.system(), ctx.storage());
    return AclServiceHandlerFactory.create(new AclGrpcService(ctx.system(), ctx.storage()), ctx.system());
  }
}
