package arca.cluster;

import akka.NotUsed;
import akka.actor.ClassicActorSystemProvider;
import akka.actor.typed.ActorSystem;
import akka.cluster.typed.Cluster;
import akka.grpc.GrpcChannel;
import akka.grpc.GrpcClientSettings;
import akka.grpc.ServiceDescription;
import akka.japi.pf.PFBuilder;
import akka.stream.Graph;
import akka.stream.SourceShape;
import akka.stream.javadsl.Source;
import arca.grpc.Clients;
import com.google.protobuf.DescriptorProtos.MethodOptions.IdempotencyLevel;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import com.google.protobuf.Descriptors;
import com.google.protobuf.Message;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * Clients of the services, found through cluster membership (no static host lists, no external registry). A
 * member that runs service {@code <name>} has the cluster role {@code <name>} and advertises its gRPC endpoint as
 * the role {@code grpc@<host>:<port>}; both travel with membership, so a node that joins, leaves or becomes
 * unreachable is seen as soon as the cluster sees it.
 *
 * <p>Endpoints come from {@link MembershipDiscovery}. {@link #client} returns an implementation of a generated
 * service interface that picks, per call, the next reachable Up member running the service (round robin over one
 * shared HTTP/2 channel per node) and retries an idempotent call (an rpc declared {@code option idempotency_level =
 * NO_SIDE_EFFECTS} or {@code IDEMPOTENT} in its .proto, or a write carrying a request id) on the next member when
 * one answers UNAVAILABLE, and any call that a member did not process (it answered "draining", or refused the
 * connection).
 */
public final class ServiceClients implements Clients {
  public static final String ENDPOINT_ROLE = MembershipDiscovery.ENDPOINT_ROLE;
  /** The description of UNAVAILABLE from a stopping node that did not process the call: safe to send elsewhere. */
  public static final String DRAINING = "draining";

  private final ActorSystem<?> system;
  private final Cluster cluster;
  private final Duration deadline;
  private final Map<String, GrpcChannel> channels = new ConcurrentHashMap<>();
  private final Map<String, Object> clients = new ConcurrentHashMap<>();
  private final Map<Class<?>, Set<String>> idempotent = new ConcurrentHashMap<>();
  private final AtomicInteger next = new AtomicInteger();

  public ServiceClients(ActorSystem<?> system) {
    this.system = system;
    this.cluster = Cluster.get(system);
    this.deadline = system.settings().config().getDuration("arca.grpc.call-timeout");
  }

  public static String endpointRole(String host, int port) {
    return ENDPOINT_ROLE + host + ":" + port;
  }

  /** The gRPC endpoints (host:port) of the reachable Up members running the service, in address order. */
  public List<String> endpoints(String service) {
    return MembershipDiscovery.endpoints(cluster.state(), service);
  }

  /** A cluster-wide client of {@code service} implementing the generated interface {@code api}. */
  @Override
  public <T> T client(Class<T> api, String service, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create) {
    return client(api, service, create, deadline);
  }

  /** The same for long-lived streaming calls: no per-call deadline. */
  @Override
  public <T> T streamingClient(Class<T> api, String service, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create) {
    return client(api, service, create, Duration.ofDays(3650));
  }

  private <T> T client(Class<T> api, String service, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create,
                       Duration callDeadline) {
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.getDeclaringClass() == Object.class) return method.invoke(this, args);
      List<String> targets = endpoints(service);
      if (targets.isEmpty()) {
        if (method.getReturnType().isAssignableFrom(CompletionStage.class)) {
          return CompletableFuture.failedFuture(Status.UNAVAILABLE
              .withDescription("no reachable node runs service '" + service + "'").asRuntimeException());
        }
        StatusRuntimeException none = Status.UNAVAILABLE
            .withDescription("no reachable node runs service '" + service + "'").asRuntimeException();
        // a streaming call fails as a stream, so that a restarting consumer retries it
        if (method.getReturnType() == Source.class) return Source.failed(none);
        throw none;
      }
      int start = Math.floorMod(next.getAndIncrement(), targets.size());
      boolean retry = idempotent.computeIfAbsent(api, ServiceClients::idempotentMethods).contains(method.getName())
          || carriesRequestId(args);
      return call(api, create, callDeadline, method, args, targets, start, 0, retry);
    };
    return api.cast(Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] {api}, handler));
  }

  private <T> Object call(Class<T> api, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create, Duration callDeadline, Method method,
                          Object[] args, List<String> targets, int start, int attempt, boolean retry) throws Throwable {
    String endpoint = targets.get((start + attempt) % targets.size());
    T client = clientAt(api, create, endpoint, callDeadline);
    Object result;
    try {
      result = method.invoke(client, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
    // a call that streams its request cannot be sent again (the stream is used up): it is never retried
    if (attempt + 1 >= targets.size() || streamsIn(args)) return result;
    if (result instanceof Source<?, ?> source) {
      // a streamed answer (a blob read): sent to the next member when this one fails before the first element
      // (draining, refused, unavailable); never after one, which would repeat bytes
      AtomicBoolean started = new AtomicBoolean();
      @SuppressWarnings("unchecked")
      Source<Object, Object> elements = ((Source<Object, Object>) source)
          .map(e -> {
            started.set(true);
            return e;
          });
      return elements.recoverWithRetries(1, new PFBuilder<Throwable, Graph<SourceShape<Object>, NotUsed>>()
          .match(Throwable.class, e -> !started.get() && (retry ? unavailable(e) : notProcessed(e)), e -> {
            try {
              @SuppressWarnings("unchecked")
              Source<Object, Object> next = (Source<Object, Object>)
                  call(api, create, callDeadline, method, args, targets, start, attempt + 1, true);
              return next.mapMaterializedValue(m -> NotUsed.getInstance());
            } catch (Throwable t) {
              return Source.<Object>failed(t);
            }
          })
          .build());
    }
    if (!(result instanceof CompletionStage<?> stage)) return result;
    return stage.handle((value, error) -> {
      if (error == null) return CompletableFuture.completedFuture(value);
      // idempotent calls are retried on UNAVAILABLE; any call that the node did not process (it said it is
      // draining, or the connection was refused: the call never reached it)
      if (!(retry ? unavailable(error) : notProcessed(error))) return CompletableFuture.failedFuture(error);
      try {
        return (CompletionStage<?>) call(api, create, callDeadline, method, args, targets, start, attempt + 1, true);
      } catch (Throwable t) {
        return CompletableFuture.failedFuture(t);
      }
    }).thenCompose(s -> s);
  }

  /**
   * The methods of a generated service interface whose rpc declares {@code option idempotency_level} (NO_SIDE_EFFECTS
   * or IDEMPOTENT) in its .proto, read from the interface's static {@code description} (Akka gRPC generates it: the
   * service's name and its file's descriptor). A method's Java name is its rpc's name with a lower-case first letter.
   */
  static Set<String> idempotentMethods(Class<?> api) {
    ServiceDescriptor service;
    try {
      ServiceDescription description = (ServiceDescription) api.getField("description").get(null);
      service = description.descriptor().getServices().stream()
          .filter(s -> s.getFullName().equals(description.name())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException(api + ": its description does not declare " + description.name()));
    } catch (NoSuchFieldException | IllegalAccessException e) {
      throw new IllegalArgumentException(api + " is not a generated gRPC service interface", e);
    }
    return service.getMethods().stream()
        .filter(m -> m.getOptions().getIdempotencyLevel() != IdempotencyLevel.IDEMPOTENCY_UNKNOWN)
        .map(m -> Character.toLowerCase(m.getName().charAt(0)) + m.getName().substring(1))
        .collect(Collectors.toUnmodifiableSet());
  }

  /**
   * A write that carries a request id (field {@code request_id}, set) applies once however often it is sent, so it
   * is retried like a read: a message lost in a shard hand-off then costs a timeout, not a failed request.
   */
  static boolean carriesRequestId(Object[] args) {
    if (args == null || args.length != 1 || !(args[0] instanceof Message m)) return false;
    var field = m.getDescriptorForType().findFieldByName("request_id");
    return field != null && field.getType() == Descriptors.FieldDescriptor.Type.STRING
        && !((String) m.getField(field)).isEmpty();
  }

  private static boolean streamsIn(Object[] args) {
    return args != null && Arrays.stream(args).anyMatch(a -> a instanceof Source
        || a instanceof akka.stream.scaladsl.Source);
  }

  private static boolean notProcessed(Throwable error) {
    if (draining(error)) return true;
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) return true;
    }
    return false;
  }

  private static boolean draining(Throwable error) {
    Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNAVAILABLE
        && DRAINING.equals(s.getStatus().getDescription());
  }

  private static boolean unavailable(Throwable error) {
    Throwable t = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    return t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.UNAVAILABLE;
  }

  private <T> T clientAt(Class<T> api, BiFunction<GrpcChannel, ClassicActorSystemProvider, T> create, String endpoint,
                         Duration callDeadline) {
    String key = callDeadline.toMillis() + "|" + endpoint;
    return api.cast(clients.computeIfAbsent(api.getName() + "/" + key, k -> create.apply(channel(key, endpoint, callDeadline), system)));
  }

  /** One HTTP/2 channel per node and deadline, shared by the clients of every service on that node. */
  private GrpcChannel channel(String key, String endpoint, Duration callDeadline) {
    return channels.computeIfAbsent(key, k -> {
      String e = endpoint;
      int colon = e.lastIndexOf(':');
      GrpcClientSettings settings = GrpcClientSettings
          .connectToServiceAt(e.substring(0, colon), Integer.parseInt(e.substring(colon + 1)), system)
          .withTls(false).withDeadline(callDeadline);
      return GrpcChannel.apply(settings, system);
    });
  }

  /** Closes the channels of nodes that are no longer members (called periodically). */
  public void closeDeparted() {
    Set<String> live = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
        .flatMap(m -> MembershipDiscovery.endpoint(m).stream()).collect(Collectors.toSet());
    channels.keySet().removeIf(key -> {
      if (live.contains(key.substring(key.indexOf('|') + 1))) return false;
      clients.keySet().removeIf(k -> k.endsWith("/" + key));
      channels.get(key).closeCS();
      return true;
    });
  }

  @Override
  public String toString() {
    return "ServiceClients" + channels.keySet();
  }
}
