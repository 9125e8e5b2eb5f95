package arca.service;

import akka.actor.ClassicActorSystemProvider;
import akka.grpc.GrpcChannel;

import java.util.function.BiFunction;

/** How a service reaches another service: a generated client interface, wherever in the cluster it runs. */
public interface Clients {
  /** {@code create} is the generated client's factory, e.g. {@code UserServiceClient::create}. */
  <T> T client(Class<T> api, String service, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create);
}
