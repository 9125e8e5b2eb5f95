package arca.workspace;

import akka.actor.typed.ActorSystem;
import akka.persistence.query.EventEnvelope;
import arca.persistence.ServiceStorage;
import arca.persistence.Sql;
import arca.persistence.Sql.Where;
import arca.persistence.TaggedProjection;
import arca.proto.workspace.ListWorkspacesResponse;
import arca.proto.workspace.Scope;
import arca.proto.workspace.Workspace;
import arca.proto.workspace.WorkspaceCreated;
import arca.proto.workspace.WorkspaceDeleted;
import arca.proto.workspace.WorkspaceRoot;
import arca.proto.workspace.WorkspaceUpdated;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The workspace list (table workspace_workspaces), projected from the workspace journal; answers list/search. */
final class WorkspaceReadModel {
  private WorkspaceReadModel() {}

  static void init(ActorSystem<?> system, ServiceStorage storage) {
    TaggedProjection.init(system, storage, "workspaces", WorkspaceEntity.TAGS, WorkspaceModule.NAME,
        WorkspaceReadModel::apply);
  }

  static void apply(Connection c, EventEnvelope env) throws SQLException {
    String slug = env.persistenceId().substring(env.persistenceId().indexOf('|') + 1);
    Object event = env.event();
    if (event instanceof WorkspaceCreated e) {
      Sql.exec(c, "DELETE FROM workspace_workspaces WHERE slug = ?", slug);
      Sql.exec(c, "INSERT INTO workspace_workspaces (slug, label, description, scope, root_datasource, root_path,"
              + " built_in, created_at, updated_at, version, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", slug,
          e.getLabel(), e.getDescription(), e.getScope().name(), e.getRoot().getDatasource(), e.getRoot().getPath(),
          e.getBuiltIn(), e.getAt(), e.getAt(), env.sequenceNr(), e.getCreatedBy());
    } else if (event instanceof WorkspaceUpdated e) {
      Sql.exec(c, "UPDATE workspace_workspaces SET label = COALESCE(?, label), description = COALESCE(?, description),"
              + " root_datasource = COALESCE(?, root_datasource), root_path = COALESCE(?, root_path), updated_at = ?,"
              + " version = ?, updated_by = ? WHERE slug = ?", e.hasLabel() ? e.getLabel() : null,
          e.hasDescription() ? e.getDescription() : null, e.hasRoot() ? e.getRoot().getDatasource() : null,
          e.hasRoot() ? e.getRoot().getPath() : null, e.getAt(), env.sequenceNr(), e.getUpdatedBy(), slug);
    } else if (event instanceof WorkspaceDeleted) {
      Sql.exec(c, "DELETE FROM workspace_workspaces WHERE slug = ?", slug);
    }
  }

  /**
   * One page ordered by slug, and the number of all matches. {@code filter}: substring of slug or label (case
   * insensitive, "" for any); {@code scope}: SCOPE_UNSPECIFIED for any; {@code only}: null for any, else only these
   * slugs (an empty list matches none).
   */
  static CompletionStage<ListWorkspacesResponse> list(ActorSystem<?> system, ServiceStorage storage, int offset,
                                                      int limit, String filter, Scope scope, List<String> only) {
    List<String> conditions = new ArrayList<>();
    List<Object> args = new ArrayList<>();
    if (!filter.isEmpty()) {
      conditions.add("(LOWER(slug) LIKE ? ESCAPE '!' OR LOWER(label) LIKE ? ESCAPE '!')");
      String like = Sql.containsPattern(filter);
      args.add(like);
      args.add(like);
    }
    if (scope != Scope.SCOPE_UNSPECIFIED) {
      conditions.add("scope = ?");
      args.add(scope.name());
    }
    if (only != null && only.isEmpty()) {
      conditions.add("1 = 0");
    } else if (only != null) {
      conditions.add("slug IN (" + String.join(", ", Collections.nCopies(only.size(), "?")) + ")");
      args.addAll(only);
    }
    Where where = Where.allOf(conditions, args);
    return TaggedProjection.query(system, storage, c -> {
      ListWorkspacesResponse.Builder out = ListWorkspacesResponse.newBuilder();
      out.setTotal(Sql.page(c, "slug, label, description, scope, root_datasource, root_path, built_in, created_at,"
          + " updated_at, version, created_by, updated_by", "workspace_workspaces", where, "slug", offset, limit,
          rs -> out.addWorkspaces(Workspace.newBuilder().setSlug(rs.getString(1)).setLabel(rs.getString(2))
              .setDescription(rs.getString(3)).setScope(Scope.valueOf(rs.getString(4)))
              .setRoot(WorkspaceRoot.newBuilder().setDatasource(rs.getString(5)).setPath(rs.getString(6)))
              .setBuiltIn(rs.getBoolean(7)).setCreatedAt(rs.getLong(8)).setUpdatedAt(rs.getLong(9))
              .setVersion(rs.getLong(10)).setCreatedBy(rs.getString(11)).setUpdatedBy(rs.getString(12)))));
      return out.build();
    });
  }
}
