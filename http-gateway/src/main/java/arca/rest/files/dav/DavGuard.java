package arca.rest.files.dav;

import arca.proto.lock.CoveringRequest;
import arca.proto.lock.DavLock;
import arca.proto.lock.LockService;
import arca.proto.tree.Node;
import arca.proto.tree.NodeType;
import arca.rest.access.Principal;
import arca.rest.files.Location;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The lock rules of a change (RFC 4918 sections 6 and 7): every lock that protects what the request changes must
 * have one of its tokens submitted in the If header, by the user who took it, else 423 Locked naming the locked
 * URLs. And the If header itself must hold (412 otherwise). What a change protects is given as {@link Scope}s: a
 * resource (a lock on it or an ancestor's depth-infinity lock), with its subtree for DELETE and MOVE (every lock
 * below), and the parent of what is created or removed (a depth-0 lock on a collection protects its members' names).
 */
final class DavGuard {
  /** A resource the request changes, and whether everything below it changes too. */
  record Scope(DavPath path, Location loc, boolean subtree) {}

  private final LockService locks;
  private final Resolver resolver;

  /** Resolves a tagged If-header resource to its node and location (the request's caller's view). */
  @FunctionalInterface
  interface Resolver {
    CompletionStage<Optional<Target>> resolve(Principal caller, DavPath path);
  }

  /** A resolved resource: where it lives and its node (empty when nothing is there). */
  record Target(DavPath path, Location loc, Optional<Node> node) {
    boolean exists() {
      return node.isPresent();
    }

    boolean isFolder() {
      return node.map(n -> n.getType() == NodeType.FOLDER).orElse(false);
    }

    String etag() {
      return node.filter(n -> n.getType() == NodeType.FILE).map(Node::getEtag).orElse(null);
    }
  }

  DavGuard(LockService locks, Resolver resolver) {
    this.locks = locks;
    this.resolver = resolver;
  }

  /** The live locks on a location or an ancestor with depth infinity, and with {@code descendants} those below. */
  CompletionStage<List<DavLock>> covering(Location loc, boolean descendants) {
    return locks.covering(CoveringRequest.newBuilder().setDatasource(loc.datasource()).setPath(loc.path())
        .setDescendants(descendants).build()).thenApply(l -> l.getLocksList());
  }

  /** Whether a lock applies to the location itself (on it, or an ancestor's with depth infinity). */
  static boolean covers(DavLock lock, String path) {
    if (lock.getPath().equals(path)) return true;
    return lock.getInfinite() && (lock.getPath().isEmpty() || path.startsWith(lock.getPath() + "/"));
  }

  static boolean below(DavLock lock, String path) {
    return path.isEmpty() ? !lock.getPath().isEmpty() : lock.getPath().startsWith(path + "/");
  }

  /**
   * Checks the If header against the request URL's target (and any tagged resource), then the locks of the scopes.
   * Completes normally when the change may go ahead.
   */
  CompletionStage<Void> check(Principal caller, DavIf condition, Target target, List<Scope> scopes) {
    CompletionStage<Void> ifHolds = condition.present() ? evaluate(caller, condition, target) : CompletableFuture.completedFuture(null);
    return ifHolds.thenCompose(x -> {
      Set<String> submitted = condition.submitted();
      CompletionStage<List<String>> lockedHrefs = CompletableFuture.completedFuture(new ArrayList<>());
      for (Scope s : scopes) {
        lockedHrefs = lockedHrefs.thenCompose(acc -> covering(s.loc(), s.subtree()).thenApply(found -> {
          acc.addAll(unsatisfied(caller, submitted, s, found));
          return acc;
        }));
      }
      return lockedHrefs.thenAccept(hrefs -> {
        if (!hrefs.isEmpty()) {
          throw DavError.locked("locked: submit the lock token in an If header (" + String.join(", ", new LinkedHashSet<>(hrefs)) + ")",
              List.copyOf(new LinkedHashSet<>(hrefs)));
        }
      });
    });
  }

  /** The URLs of the locks in {@code found} that protect the scope and have none of their tokens submitted. */
  private static List<String> unsatisfied(Principal caller, Set<String> submitted, Scope s, List<DavLock> found) {
    List<String> out = new ArrayList<>();
    List<DavLock> onIt = found.stream().filter(l -> covers(l, s.loc().path())).toList();
    if (!onIt.isEmpty() && onIt.stream().noneMatch(l -> usable(caller, submitted, l))) out.add(onIt.get(0).getRootHref());
    if (s.subtree()) {
      Map<String, List<DavLock>> byRoot = new LinkedHashMap<>();
      for (DavLock l : found) if (below(l, s.loc().path())) byRoot.computeIfAbsent(l.getPath(), k -> new ArrayList<>()).add(l);
      for (List<DavLock> group : byRoot.values()) {
        if (group.stream().noneMatch(l -> usable(caller, submitted, l))) out.add(group.get(0).getRootHref());
      }
    }
    return out;
  }

  private static boolean usable(Principal caller, Set<String> submitted, DavLock l) {
    return submitted.contains(l.getToken()) && l.getLogin().equals(caller.login());
  }

  private CompletionStage<Void> evaluate(Principal caller, DavIf condition, Target target) {
    Map<DavPath, DavIf.State> states = new LinkedHashMap<>();
    CompletionStage<Void> chain = state(target).thenAccept(s -> states.put(target.path(), s));
    for (DavPath tagged : condition.tagged()) {
      if (tagged.equals(target.path())) continue;
      chain = chain.thenCompose(x -> resolver.resolve(caller, tagged)
          .thenCompose(t -> t.isPresent() ? state(t.get()) : CompletableFuture.completedFuture(DavIf.State.NONE))
          .exceptionally(e -> DavIf.State.NONE)
          .thenAccept(s -> states.put(tagged, s)));
    }
    return chain.thenAccept(x -> {
      Function<Optional<DavPath>, DavIf.State> stateOf = p -> states.getOrDefault(p.orElse(target.path()), DavIf.State.NONE);
      if (!condition.holds(stateOf)) throw DavError.preconditionFailed("the If header does not hold");
    });
  }

  private CompletionStage<DavIf.State> state(Target t) {
    if (t.loc() == null) return CompletableFuture.completedFuture(DavIf.State.NONE);
    return covering(t.loc(), false).thenApply(found -> {
      Set<String> tokens = new LinkedHashSet<>();
      for (DavLock l : found) tokens.add(l.getToken());
      return new DavIf.State(t.etag() == null ? null : "\"" + t.etag() + "\"", tokens);
    });
  }
}
