package arca.service;

import akka.grpc.ServiceDescription;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;

import java.util.concurrent.CompletionStage;

/**
 * One low-level service ({@code arca.grpc.<name>}): its name (also its cluster role and table prefix), its gRPC
 * description, and how to start it on a node that has its role (entities, projections, gRPC handler).
 * Read-model migrations are found by convention at {@code classpath:arca/<name>/db/{all,h2,mysql}}.
 */
public interface ServiceModule {
  String name();

  ServiceDescription description();

  Function<HttpRequest, CompletionStage<HttpResponse>> start(ServiceContext context);
}
