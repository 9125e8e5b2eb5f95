package arca.role;

import akka.actor.typed.ActorSystem;
import akka.persistence.query.EventEnvelope;
import arca.persistence.ServiceStorage;
import arca.persistence.Sql;
import arca.persistence.TaggedProjection;
import arca.proto.role.ListRolesResponse;
import arca.proto.role.Role;
import arca.proto.role.RoleCreated;
import arca.proto.role.RoleDeleted;
import arca.proto.role.RoleUpdated;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletionStage;

/** The role list (table role_roles), projected from the role journal. */
final class RoleReadModel {
  private RoleReadModel() {}

  static void init(ActorSystem<?> system, ServiceStorage storage) {
    TaggedProjection.init(system, storage, "roles", RoleEntity.TAGS, RoleModule.NAME, RoleReadModel::apply);
  }

  static void apply(Connection c, EventEnvelope env) throws SQLException {
    String id = env.persistenceId().substring(env.persistenceId().indexOf('|') + 1);
    Object event = env.event();
    if (event instanceof RoleCreated e) {
      Sql.exec(c, "DELETE FROM role_roles WHERE id = ?", id);
      Sql.exec(c, "INSERT INTO role_roles (id, label, description, protected_role, created_at, updated_at, version)"
          + " VALUES (?, ?, ?, ?, ?, ?, ?)", id, e.getLabel(), e.getDescription(), e.getProtected(), e.getAt(), e.getAt(),
          env.sequenceNr());
    } else if (event instanceof RoleUpdated e) {
      Sql.exec(c, "UPDATE role_roles SET label = COALESCE(?, label), description = COALESCE(?, description),"
              + " updated_at = ?, version = ? WHERE id = ?", e.hasLabel() ? e.getLabel() : null,
          e.hasDescription() ? e.getDescription() : null, e.getAt(), env.sequenceNr(), id);
    } else if (event instanceof RoleDeleted) {
      Sql.exec(c, "DELETE FROM role_roles WHERE id = ?", id);
    }
  }

  static CompletionStage<ListRolesResponse> list(ActorSystem<?> system, ServiceStorage storage, int offset, int limit,
                                                 String filter) {
    return TaggedProjection.query(system, storage, c -> {
      String where = "";
      String like = null;
      if (!filter.isEmpty()) {
        where = " WHERE LOWER(id) LIKE ? ESCAPE '!' OR LOWER(label) LIKE ? ESCAPE '!'";
        like = Sql.containsPattern(filter);
      }
      ListRolesResponse.Builder out = ListRolesResponse.newBuilder();
      try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM role_roles" + where)) {
        if (like != null) for (int i = 1; i <= 2; i++) ps.setString(i, like);
        try (ResultSet rs = ps.executeQuery()) {
          rs.next();
          out.setTotal(rs.getLong(1));
        }
      }
      try (PreparedStatement ps = c.prepareStatement("SELECT id, label, description, protected_role, created_at,"
          + " updated_at, version FROM role_roles" + where + " ORDER BY id LIMIT ? OFFSET ?")) {
        int i = 1;
        if (like != null) for (; i <= 2; i++) ps.setString(i, like);
        ps.setInt(i++, limit);
        ps.setInt(i, offset);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            out.addRoles(Role.newBuilder().setId(rs.getString(1)).setLabel(rs.getString(2))
                .setDescription(rs.getString(3)).setProtected(rs.getBoolean(4)).setCreatedAt(rs.getLong(5))
                .setUpdatedAt(rs.getLong(6)).setVersion(rs.getLong(7)).build());
          }
        }
      }
      return out.build();
    });
  }
}
