package arca.role;

import akka.actor.typed.ActorSystem;
import akka.persistence.query.EventEnvelope;
import arca.persistence.ServiceStorage;
import arca.persistence.Sql;
import arca.persistence.Sql.Where;
import arca.persistence.TaggedProjection;
import arca.proto.role.ListRolesResponse;
import arca.proto.role.Role;
import arca.proto.role.RoleCreated;
import arca.proto.role.RoleDeleted;
import arca.proto.role.RoleUpdated;

import java.sql.Connection;
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
      ListRolesResponse.Builder out = ListRolesResponse.newBuilder();
      out.setTotal(Sql.page(c, "id, label, description, protected_role, created_at, updated_at, version", "role_roles",
          Where.containing(filter, "id", "label"), "id", offset, limit,
          rs -> out.addRoles(Role.newBuilder().setId(rs.getString(1)).setLabel(rs.getString(2))
              .setDescription(rs.getString(3)).setProtected(rs.getBoolean(4)).setCreatedAt(rs.getLong(5))
              .setUpdatedAt(rs.getLong(6)).setVersion(rs.getLong(7)))));
      return out.build();
    });
  }
}
