package arca.lock;

import akka.grpc.ServiceDescription;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;
import arca.proto.lock.LockService;
import arca.proto.lock.LockServiceHandlerFactory;
import arca.service.ServiceContext;
import arca.service.ServiceModule;

import java.util.concurrent.CompletionStage;

/**
 * arca.grpc.lock: WebDAV write locks (RFC 4918 class 2) on the paths of a datasource, shared by every node of the
 * cluster. One entity per datasource holds its live locks (conflicts, refresh, release, expiry); no read model.
 */
public final class LockModule implements ServiceModule {
  public static final String NAME = "lock";

  @Override public String name() { return NAME; }
  @Override public ServiceDescription description() { return LockService.description; }

  @Override
  public Function<HttpRequest, CompletionStage<HttpResponse>> start(ServiceContext ctx) {
    LockEntity.init(ctx.system(), ctx.storage());
    return LockServiceHandlerFactory.create(new LockGrpcService(ctx.system()), ctx.system());
  }
}
