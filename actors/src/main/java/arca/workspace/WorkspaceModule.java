package arca.workspace;

import akka.grpc.ServiceDescription;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;
import arca.proto.workspace.WorkspaceService;
import arca.proto.workspace.WorkspaceServiceHandlerFactory;
import arca.service.ServiceContext;
import arca.service.ServiceModule;

import java.util.concurrent.CompletionStage;

/**
 * arca.grpc.workspace (Cells idm.workspace): the workspaces at the top of the file tree, each a slug (the first
 * segment of /io keys and /dav paths) with a root in a datasource; the built-ins are "common" and "personal".
 */
public final class WorkspaceModule implements ServiceModule {
  public static final String NAME = "workspace";

  @Override public String name() { return NAME; }
  @Override public ServiceDescription description() { return WorkspaceService.description; }

  @Override
  public Function<HttpRequest, CompletionStage<HttpResponse>> start(ServiceContext ctx) {
    WorkspaceEntity.init(ctx.system(), ctx.storage());
    WorkspaceReadModel.init(ctx.system(), ctx.storage());
    return WorkspaceServiceHandlerFactory.create(new WorkspaceGrpcService(ctx.system(), ctx.storage()), ctx.system());
  }
}
