package arca.user;

import akka.actor.typed.ActorSystem;
import akka.persistence.query.EventEnvelope;
import arca.persistence.ServiceStorage;
import arca.persistence.Sql;
import arca.persistence.Sql.Where;
import arca.persistence.TaggedProjection;
import arca.proto.user.ListUsersResponse;
import arca.proto.user.PasswordChanged;
import arca.proto.user.User;
import arca.proto.user.UserCreated;
import arca.proto.user.UserDeleted;
import arca.proto.user.UserUpdated;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The user list (table user_users), projected from the user journal; answers list/search. */
final class UserReadModel {
  private UserReadModel() {}

  static void init(ActorSystem<?> system, ServiceStorage storage) {
    TaggedProjection.init(system, storage, "users", UserEntity.TAGS, UserModule.NAME, UserReadModel::apply);
  }

  static void apply(Connection c, EventEnvelope env) throws SQLException {
    String login = env.persistenceId().substring(env.persistenceId().indexOf('|') + 1);
    Object event = env.event();
    if (event instanceof UserCreated e) {
      Sql.exec(c, "DELETE FROM user_users WHERE login = ?", login);
      Sql.exec(c, "INSERT INTO user_users (login, display_name, email, roles, group_path, created_at, updated_at, version,"
          + " account_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", login, e.getDisplayName(), e.getEmail(),
          String.join(",", e.getRolesList()), e.getGroupPath(), e.getAt(), e.getAt(), env.sequenceNr(), e.getId());
    } else if (event instanceof UserUpdated e) {
      Sql.exec(c, "UPDATE user_users SET display_name = COALESCE(?, display_name), email = COALESCE(?, email),"
              + " roles = COALESCE(?, roles), group_path = COALESCE(?, group_path), updated_at = ?, version = ? WHERE login = ?",
          e.hasDisplayName() ? e.getDisplayName() : null, e.hasEmail() ? e.getEmail() : null,
          e.getReplaceRoles() ? String.join(",", e.getRolesList()) : null, e.hasGroupPath() ? e.getGroupPath() : null,
          e.getAt(), env.sequenceNr(), login);
    } else if (event instanceof PasswordChanged e) {
      Sql.exec(c, "UPDATE user_users SET updated_at = ?, version = ? WHERE login = ?", e.getAt(), env.sequenceNr(), login);
    } else if (event instanceof UserDeleted) {
      Sql.exec(c, "DELETE FROM user_users WHERE login = ?", login);
    }
  }

  static CompletionStage<ListUsersResponse> list(ActorSystem<?> system, ServiceStorage storage, int offset, int limit,
                                                 String filter) {
    return TaggedProjection.query(system, storage, c -> {
      ListUsersResponse.Builder out = ListUsersResponse.newBuilder();
      out.setTotal(Sql.page(c, "login, display_name, email, roles, group_path, created_at, updated_at, version,"
          + " account_id", "user_users", Where.containing(filter, "login", "display_name", "email"), "login", offset,
          limit, rs -> {
            String roles = rs.getString(4);
            String id = rs.getString(9);
            out.addUsers(User.newBuilder().setLogin(rs.getString(1)).setDisplayName(rs.getString(2))
                .setEmail(rs.getString(3)).addAllRoles(roles.isEmpty() ? List.of() : Arrays.asList(roles.split(",")))
                .setGroupPath(rs.getString(5)).setCreatedAt(rs.getLong(6)).setUpdatedAt(rs.getLong(7))
                .setVersion(rs.getLong(8))
                .setId(id.isEmpty() ? UserEntity.State.legacyId(rs.getString(1), rs.getLong(6)) : id)
                .setHome(id.isEmpty() ? rs.getString(1) : id));
          }));
      return out.build();
    });
  }
}
