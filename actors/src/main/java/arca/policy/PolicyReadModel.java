package arca.policy;

import akka.actor.typed.ActorSystem;
import akka.persistence.query.EventEnvelope;
import arca.persistence.ServiceStorage;
import arca.persistence.Sql;
import arca.persistence.Sql.Where;
import arca.persistence.TaggedProjection;
import arca.proto.policy.ListPolicyGroupsResponse;
import arca.proto.policy.PolicyGroup;
import arca.proto.policy.PolicyGroupCreated;
import arca.proto.policy.PolicyGroupDeleted;
import arca.proto.policy.PolicyGroupUpdated;
import arca.proto.policy.PolicyList;
import com.google.protobuf.InvalidProtocolBufferException;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.CompletionStage;

/**
 * The group list (table policy_groups), projected from the policy journal; a group's policies are one column, the
 * serialized {@link PolicyList} of its last event that set them (they are always replaced as a whole).
 */
final class PolicyReadModel {
  private PolicyReadModel() {}

  static void init(ActorSystem<?> system, ServiceStorage storage) {
    TaggedProjection.init(system, storage, "groups", PolicyEntity.TAGS, PolicyModule.NAME, PolicyReadModel::apply);
  }

  static void apply(Connection c, EventEnvelope env) throws SQLException {
    String id = env.persistenceId().substring(env.persistenceId().indexOf('|') + 1);
    Object event = env.event();
    if (event instanceof PolicyGroupCreated e) {
      Sql.exec(c, "DELETE FROM policy_groups WHERE id = ?", id);
      Sql.exec(c, "INSERT INTO policy_groups (id, label, description, protected_group, policies, created_at, updated_at,"
              + " version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", id, e.getLabel(), e.getDescription(), e.getProtected(),
          PolicyList.newBuilder().addAllPolicies(e.getPoliciesList()).build().toByteArray(), e.getAt(), e.getAt(),
          env.sequenceNr());
    } else if (event instanceof PolicyGroupUpdated e) {
      Sql.exec(c, "UPDATE policy_groups SET label = COALESCE(?, label), description = COALESCE(?, description),"
              + " updated_at = ?, version = ? WHERE id = ?", e.hasLabel() ? e.getLabel() : null,
          e.hasDescription() ? e.getDescription() : null, e.getAt(), env.sequenceNr(), id);
      if (e.hasPolicies()) {
        Sql.exec(c, "UPDATE policy_groups SET policies = ? WHERE id = ?", e.getPolicies().toByteArray(), id);
      }
    } else if (event instanceof PolicyGroupDeleted) {
      Sql.exec(c, "DELETE FROM policy_groups WHERE id = ?", id);
    }
  }

  static CompletionStage<ListPolicyGroupsResponse> list(ActorSystem<?> system, ServiceStorage storage, int offset,
                                                        int limit) {
    return TaggedProjection.query(system, storage, c -> {
      ListPolicyGroupsResponse.Builder out = ListPolicyGroupsResponse.newBuilder();
      out.setTotal(Sql.page(c, "id, label, description, protected_group, policies, created_at, updated_at, version",
          "policy_groups", Where.ALL, "id", offset, limit,
          rs -> out.addGroups(PolicyGroup.newBuilder().setId(rs.getString(1)).setLabel(rs.getString(2))
              .setDescription(rs.getString(3)).setProtected(rs.getBoolean(4))
              .addAllPolicies(policies(rs.getBytes(5)).getPoliciesList()).setCreatedAt(rs.getLong(6))
              .setUpdatedAt(rs.getLong(7)).setVersion(rs.getLong(8)))));
      return out.build();
    });
  }

  private static PolicyList policies(byte[] bytes) throws SQLException {
    try {
      return PolicyList.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new SQLException("unreadable policies in policy_groups", e);
    }
  }
}
