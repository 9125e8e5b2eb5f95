package arca.lock;

import akka.actor.typed.ActorSystem;
import akka.cluster.sharding.typed.javadsl.ClusterSharding;
import akka.cluster.sharding.typed.javadsl.EntityRef;
import arca.proto.lock.CoveringRequest;
import arca.proto.lock.DavLock;
import arca.proto.lock.LockList;
import arca.proto.lock.LockRequest;
import arca.proto.lock.LockService;
import arca.proto.lock.RefreshRequest;
import arca.proto.lock.ReleaseUnderRequest;
import arca.proto.lock.ReleaseUnderResponse;
import arca.proto.lock.UnlockRequest;
import arca.proto.lock.UnlockResponse;
import arca.service.GrpcErrors;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** arca.grpc.lock: validate ({@link LockRules}), ask the datasource's entity, convert. */
final class LockGrpcService implements LockService {
  private final ClusterSharding sharding;
  private final Duration timeout;

  LockGrpcService(ActorSystem<?> system) {
    this.sharding = ClusterSharding.get(system);
    this.timeout = system.settings().config().getDuration("arca.ask-timeout");
  }

  private EntityRef<LockEntity.Command> entity(String datasource) {
    return sharding.entityRefFor(LockEntity.KEY, LockRules.datasource(datasource));
  }

  @Override
  public CompletionStage<DavLock> lock(LockRequest in) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getDatasource());
      String path = LockRules.path(in.getPath());
      String owner = LockRules.ownerXml(in.getOwnerXml());
      String login = LockRules.login(in.getLogin());
      long seconds = LockRules.timeout(in.getTimeoutSeconds());
      String href = LockRules.rootHref(in.getRootHref());
      String token = LockRules.newToken(in.getToken());
      return ref.<LockEntity.Result>ask(r -> new LockEntity.Lock(path, in.getExclusive(), in.getInfinite(), owner,
          login, seconds, href, token, r), timeout).thenApply(r -> toProto(in.getDatasource(), r));
    });
  }

  @Override
  public CompletionStage<DavLock> refresh(RefreshRequest in) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getDatasource());
      String token = LockRules.token(in.getToken());
      String login = LockRules.login(in.getLogin());
      long seconds = LockRules.timeout(in.getTimeoutSeconds());
      return ref.<LockEntity.Result>ask(r -> new LockEntity.Refresh(token, login, seconds, r), timeout)
          .thenApply(r -> toProto(in.getDatasource(), r));
    });
  }

  @Override
  public CompletionStage<UnlockResponse> unlock(UnlockRequest in) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getDatasource());
      String token = LockRules.token(in.getToken());
      String login = LockRules.login(in.getLogin());
      return ref.<LockEntity.Result>ask(r -> new LockEntity.Unlock(token, login, in.getForce(), r), timeout).thenApply(r -> {
        toProto(in.getDatasource(), r);
        return UnlockResponse.getDefaultInstance();
      });
    });
  }

  @Override
  public CompletionStage<LockList> covering(CoveringRequest in) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getDatasource());
      String path = LockRules.path(in.getPath());
      return ref.<LockEntity.Locks>ask(r -> new LockEntity.Covering(path, in.getDescendants(), r), timeout)
          .thenApply(l -> LockList.newBuilder()
              .addAllLocks(l.locks().stream().map(h -> h.toProto(in.getDatasource())).toList()).build());
    });
  }

  @Override
  public CompletionStage<ReleaseUnderResponse> releaseUnder(ReleaseUnderRequest in) {
    return GrpcErrors.call(() -> {
      var ref = entity(in.getDatasource());
      String path = LockRules.path(in.getPath());
      return ref.<LockEntity.Released>ask(r -> new LockEntity.ReleaseUnder(path, r), timeout)
          .thenApply(r -> ReleaseUnderResponse.newBuilder().addAllTokens(r.tokens()).build());
    });
  }

  static DavLock toProto(String datasource, LockEntity.Result r) {
    if (r.failure() != null) throw GrpcErrors.status(r.failure());
    return r.lock().toProto(datasource);
  }
}
