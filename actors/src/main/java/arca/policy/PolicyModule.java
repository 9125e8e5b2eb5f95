package arca.policy;

import akka.grpc.ServiceDescription;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.japi.function.Function;
import arca.proto.policy.PolicyService;
import arca.proto.policy.PolicyServiceHandlerFactory;
import arca.service.ServiceContext;
import arca.service.ServiceModule;

import java.util.concurrent.CompletionStage;

/**
 * arca.grpc.policy (Cells idm.policy): groups of REST-level policies (subjects, resources, actions, allow or deny).
 * One entity per group; the read model {@code policy_groups} lists them, policies included, for the gateways, which
 * evaluate them in-process on every authenticated request.
 */
public final class PolicyModule implements ServiceModule {
  public static final String NAME = "policy";

  @Override public String name() { return NAME; }
  @Override public ServiceDescription description() { return PolicyService.description; }

  @Override
  public Function<HttpRequest, CompletionStage<HttpResponse>> start(ServiceContext ctx) {
    PolicyEntity.init(ctx.system(), ctx.storage());
    PolicyReadModel.init(ctx.system(), ctx.storage());
    return PolicyServiceHandlerFactory.create(new PolicyGrpcService(ctx.system(), ctx.storage()), ctx.system());
  }
}
