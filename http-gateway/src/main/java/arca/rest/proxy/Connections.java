package arca.rest.proxy;

import akka.NotUsed;
import akka.http.impl.engine.server.HttpAttributes;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.HttpResponse;
import akka.stream.javadsl.BidiFlow;
import akka.stream.javadsl.Flow;
import akka.stream.javadsl.Sink;
import akka.stream.javadsl.Source;

import java.net.InetAddress;
import java.util.Optional;

/**
 * The public port's handler of one connection: admitted by the {@link ConnectionGate} (else closed at once, before
 * any request), then paced by {@link RequestPacing}, then the proxy's route. The flow is materialized once per
 * connection; the remote address comes from the connection's stream attributes (Akka HTTP sets it with
 * {@code remote-address-attribute = on}; an internal class of Akka HTTP 10.5, the version this build pins).
 */
final class Connections {
  private Connections() {}

  static Flow<HttpRequest, HttpResponse, NotUsed> handler(Flow<HttpRequest, HttpResponse, NotUsed> route,
                                                         ConnectionLimits limits) {
    ConnectionGate gate = new ConnectionGate(limits);
    BidiFlow<HttpRequest, HttpRequest, HttpResponse, HttpResponse, NotUsed> pacing =
        BidiFlow.fromGraph(new RequestPacing(limits.headerTimeout(), limits.keepAliveTimeout()));
    Flow<HttpRequest, HttpResponse, NotUsed> paced = pacing.join(route);
    return Flow.fromMaterializer((materializer, attributes) -> {
      InetAddress remote = attributes.getAttribute(HttpAttributes.RemoteAddress.class)
          .map(a -> a.address().getAddress()).orElse(null);
      Optional<Runnable> lease = gate.admit(remote);
      if (lease.isEmpty()) return Flow.fromSinkAndSource(Sink.<HttpRequest>cancelled(), Source.<HttpResponse>empty());
      Runnable release = lease.get();
      return paced.watchTermination((m, done) -> {
        done.whenComplete((d, e) -> release.run());
        return m;
      });
    }).mapMaterializedValue(m -> NotUsed.getInstance());
  }
}
