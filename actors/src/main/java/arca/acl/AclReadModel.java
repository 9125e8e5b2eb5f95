package arca.acl;

import akka.actor.typed.ActorSystem;
import akka.persistence.query.EventEnvelope;
import arca.persistence.ServiceStorage;
import arca.persistence.Sql;
import arca.persistence.TaggedProjection;
import arca.proto.acl.Acl;
import arca.proto.acl.AclGranted;
import arca.proto.acl.AclRevoked;
import arca.proto.acl.Action;
import arca.proto.acl.ListAclsResponse;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The ACL entries of every workspace (table acl_acls), projected from the acl journal; answers ListAcls and
 * Visible. Actions are stored by name ("read", "write", "deny").
 */
final class AclReadModel {
  private AclReadModel() {}

  static void init(ActorSystem<?> system, ServiceStorage storage) {
    TaggedProjection.init(system, storage, "acls", AclEntity.TAGS, AclModule.NAME, AclReadModel::apply);
  }

  static void apply(Connection c, EventEnvelope env) throws SQLException {
    String workspace = env.persistenceId().substring(env.persistenceId().indexOf('|') + 1);
    Object event = env.event();
    if (event instanceof AclGranted e) {
      delete(c, workspace, e.getPath(), e.getRole(), e.getAction());
      Sql.exec(c, "INSERT INTO acl_acls (workspace, path_hash, role, action, path, created_at) VALUES (?, ?, ?, ?, ?, ?)",
          workspace, hash(e.getPath()), e.getRole(), name(e.getAction()), e.getPath(), e.getAt());
    } else if (event instanceof AclRevoked e) {
      delete(c, workspace, e.getPath(), e.getRole(), e.getAction());
    }
  }

  private static void delete(Connection c, String workspace, String path, String role, Action action) throws SQLException {
    Sql.exec(c, "DELETE FROM acl_acls WHERE workspace = ? AND path_hash = ? AND role = ? AND action = ?",
        workspace, hash(path), role, name(action));
  }

  /**
   * One page ordered by workspace, path, role and action, and the number of all matches; {@code workspace} and
   * {@code role} "" for any.
   */
  static CompletionStage<ListAclsResponse> list(ActorSystem<?> system, ServiceStorage storage, String workspace,
                                                String role, int offset, int limit) {
    List<String> conditions = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    if (!workspace.isEmpty()) {
      conditions.add("workspace = ?");
      args.add(workspace);
    }
    if (!role.isEmpty()) {
      conditions.add("role = ?");
      args.add(role);
    }
    String where = conditions.isEmpty() ? "" : " WHERE " + String.join(" AND ", conditions);
    return TaggedProjection.query(system, storage, c -> {
      ListAclsResponse.Builder out = ListAclsResponse.newBuilder();
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM acl_acls" + where)) {
        bind(ps, args);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          out.setTotal(rs.getLong(1));
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT workspace, path, role, action, created_at FROM acl_acls"
          + where + " ORDER BY workspace, path, role, action LIMIT ? OFFSET ?")) {
        int next = bind(ps, args);
        ps.setInt(next++, limit);
        ps.setInt(next, offset);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.addAcls(Acl.newBuilder().setWorkspace(rs.getString(1)).setPath(rs.getString(2))
                .setRole(rs.getString(3)).setAction(action(rs.getString(4))).setCreatedAt(rs.getLong(5)).build());
          }
        }
      }
      return out.build();
    });
  }

  /** The workspaces where the roles may read at least one node ({@link AclResolution#readsSomewhere}), by slug. */
  static CompletionStage<List<String>> visible(ActorSystem<?> system, ServiceStorage storage, List<String> roles) {
    if (roles.isEmpty()) return CompletableFuture.completedFuture(List.of());
    List<String> distinct = roles.stream().distinct().toList();
    return TaggedProjection.query(system, storage, c -> {
      Map<String, List<AclEntity.Entry>> byWorkspace = new TreeMap<>();
      try (PreparedStatement ps = c.prepareStatement("SELECT workspace, path, role, action FROM acl_acls WHERE role IN ("
          + String.join(", ", Collections.nCopies(distinct.size(), "?")) + ")")) {
        bind(ps, distinct);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            byWorkspace.computeIfAbsent(rs.getString(1), w -> new ArrayList<>())
                .add(new AclEntity.Entry(rs.getString(2), rs.getString(3), action(rs.getString(4)), 0));
          }
        }
      }
      return byWorkspace.entrySet().stream().filter(w -> AclResolution.readsSomewhere(w.getValue(), roles))
          .map(Map.Entry::getKey).toList();
    });
  }

  /** Sets the positional parameters; returns the index of the next one. */
  private static int bind(PreparedStatement ps, List<?> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) ps.setObject(i + 1, args.get(i));
    return args.size() + 1;
  }

  /** "read", "write" or "deny". */
  static String name(Action action) {
    return action.name().substring("ACTION_".length()).toLowerCase(Locale.ROOT);
  }

  private static Action action(String name) {
    return Action.valueOf("ACTION_" + name.toUpperCase(Locale.ROOT));
  }

  private static String hash(String path) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
