package arca.grpc;

import akka.actor.ClassicActorSystemProvider;
import akka.grpc.GrpcChannel;

import java.util.function.BiFunction;

/**
 * How a service or the gateway reaches a service: its generated client interface, wherever in the cluster the
 * service runs.
 */
public interface Clients {
  /** {@code create} is the generated client's factory, e.g. {@code UserServiceClient::create}. */
  <T> T client(Class<T> api, String service, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create);

  /** The same for long-lived streaming calls (no per-call deadline). */
  <T> T streamingClient(Class<T> api, String service, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create);

  /** For code built over fakes: any request for a real client is a mistake. */
  Clients NONE = new Clients() {
    @Override
    public <T> T client(Class<T> api, String service, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create) {
      throw new IllegalStateException("no gRPC clients here (asked for " + service + ")");
    }

    @Override
    public <T> T streamingClient(Class<T> api, String service, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create) {
      throw new IllegalStateException("no gRPC clients here (asked for " + service + ")");
    }
  };
}
