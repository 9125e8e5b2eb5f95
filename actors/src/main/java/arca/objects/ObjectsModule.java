package arca.objects;

import akka.grpc.ServiceDescription;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;
import akka.stream.Materializer;
import arca.proto.objects.ObjectsService;
import arca.proto.objects.ObjectsServiceHandlerFactory;
import arca.service.Entities;
import arca.service.ServiceContext;
import arca.service.ServiceModule;
import com.typesafe.config.Config;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * arca.grpc.objects (Cells data.objects): the bytes of files, as immutable blobs in datasources
 * ({@code arca.datasources}). A node running this service serves the configured local datasources whose folder it
 * can write and every S3 datasource (unless {@code serve = false} there); calls for another datasource are refused
 * (FAILED_PRECONDITION), so a launcher gives each node the cluster role {@link #datasourceRole} of every datasource in {@link #hostedDatasources} for callers to find it.
 */
public final class ObjectsModule implements ServiceModule {
  public static final String NAME = "objects";

  @Override public String name() { return NAME; }
  @Override public ServiceDescription description() { return ObjectsService.description; }

  /** The datasources this node can serve (creates their folders). Call with the node's config, before it starts. */
  public static List<String> hostedDatasources(Config config) {
    return Datasources.servable(config);
  }

  /** The cluster role of a node serving {@code datasource}. */
  public static String datasourceRole(String datasource) {
    return "ds-" + datasource;
  }

  @Override
  public Function<HttpRequest, CompletionStage<HttpResponse>> start(ServiceContext ctx) {
    Materializer materializer = Materializer.matFromSystem(ctx.system());
    Datasources datasources = Datasources.open(ctx.system().settings().config(), materializer, Entities.blocking(ctx.system()));
    ctx.system().log().info("objects service: serving datasources {}; configured, served elsewhere: {}",
        datasources.served(), datasources.notServed());
    return ObjectsServiceHandlerFactory.create(new ObjectsGrpcService(datasources, materializer), ctx.system());
  }
}
