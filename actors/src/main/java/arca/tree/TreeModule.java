package arca.tree;

import akka.grpc.ServiceDescription;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;
import arca.proto.tree.TreeService;
import arca.proto.tree.TreeServiceHandlerFactory;
import arca.service.ServiceContext;
import arca.service.ServiceModule;

import java.util.concurrent.CompletionStage;

/** arca.grpc.tree (Cells data.index): the node index of every datasource, one entity per folder. */
public final class TreeModule implements ServiceModule {
  public static final String NAME = "tree";

  @Override public String name() { return NAME; }
  @Override public ServiceDescription description() { return TreeService.description; }

  @Override
  public Function<HttpRequest, CompletionStage<HttpResponse>> start(ServiceContext ctx) {
    FolderEntity.init(ctx.system(), ctx.storage());
    CopyJobEntity.init(ctx.system(), ctx.storage(), ctx.clients());
    PendingMoves.init(ctx.system(), ctx.storage());
    return TreeServiceHandlerFactory.create(new TreeGrpcService(ctx.system(), ctx.clients()), ctx.system());
  }
}
