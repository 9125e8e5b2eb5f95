package arca.policy;

import arca.proto.policy.CreatePolicyGroupRequest;
import arca.proto.policy.DeletePolicyGroupRequest;
import arca.proto.policy.Effect;
import arca.proto.policy.GetPolicyGroupRequest;
import arca.proto.policy.ListPolicyGroupsRequest;
import arca.proto.policy.ListPolicyGroupsResponse;
import arca.proto.policy.Policy;
import arca.proto.policy.PolicyGroup;
import arca.proto.policy.PolicyList;
import arca.proto.policy.UpdatePolicyGroupRequest;
import arca.testkit.NodeContract;
import arca.testkit.TestNode;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import static arca.testkit.Calls.assertStatus;
import static arca.testkit.Calls.await;
import static arca.testkit.Calls.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The policy service on real storage, through its generated gRPC client only. The same body runs on every storage
 * backend (one subclass each); the restart test replaces the node with a new one on the same database.
 */
abstract class PolicyServiceContract extends NodeContract {
  private static final Duration READ_MODEL_LAG = Duration.ofSeconds(10);

  static Policy policy(String id, Effect effect, List<String> subjects, List<String> resources, List<String> actions) {
    return Policy.newBuilder().setId(id).addAllSubjects(subjects).addAllResources(resources).addAllActions(actions)
        .setEffect(effect).build();
  }

  static final Policy READ_NODES = policy("", Effect.EFFECT_ALLOW, List.of("role:staff"),
      List.of("rest:/a/nodes<(/.*)?>"), List.of("GET", "HEAD"));
  static final Policy DENY_BOB = policy("no-bob", Effect.EFFECT_DENY, List.of("user:bob"),
      List.of("rest:/a/nodes/common/<.*>"), List.of("DELETE"));

  private PolicyGroup create(String id, boolean protectedGroup, Policy... policies) {
    return await(node.policies.createPolicyGroup(CreatePolicyGroupRequest.newBuilder().setId(id).setLabel("Group " + id)
        .setProtected(protectedGroup).addAllPolicies(List.of(policies)).build()));
  }

  private PolicyGroup get(String id) {
    return await(node.policies.getPolicyGroup(GetPolicyGroupRequest.newBuilder().setId(id).build()));
  }

  private ListPolicyGroupsResponse list(int offset, int limit) {
    return await(node.policies.listPolicyGroups(ListPolicyGroupsRequest.newBuilder().setOffset(offset).setLimit(limit).build()));
  }

  private List<PolicyGroup> listed(String prefix) {
    return list(0, 50).getGroupsList().stream().filter(g -> g.getId().startsWith(prefix)).toList();
  }

  @Test
  void createReadUpdateDelete() {
    PolicyGroup created = create("crud", false, READ_NODES, DENY_BOB, READ_NODES.toBuilder().setDescription("x").build());
    assertEquals(List.of("p1", "no-bob", "p2"), created.getPoliciesList().stream().map(Policy::getId).toList(),
        "policies without an id get p1, p2, ...");
    assertEquals(READ_NODES.toBuilder().setId("p1").build(), created.getPolicies(0));
    assertEquals(DENY_BOB, created.getPolicies(1));
    assertEquals(1, created.getVersion());
    assertEquals(created, get("crud"));

    PolicyGroup relabelled = await(node.policies.updatePolicyGroup(UpdatePolicyGroupRequest.newBuilder().setId("crud")
        .setDescription("only the description").build()));
    assertEquals("only the description", relabelled.getDescription());
    assertEquals(created.getPoliciesList(), relabelled.getPoliciesList(), "policies not given stay");

    PolicyGroup replaced = await(node.policies.updatePolicyGroup(UpdatePolicyGroupRequest.newBuilder().setId("crud")
        .setPolicies(PolicyList.newBuilder().addPolicies(DENY_BOB)).build()));
    assertEquals(List.of(DENY_BOB), replaced.getPoliciesList());
    assertEquals(3, replaced.getVersion());
    assertEquals("Group crud", replaced.getLabel());

    await(node.policies.deletePolicyGroup(DeletePolicyGroupRequest.newBuilder().setId("crud").build()));
    assertStatus(Status.Code.NOT_FOUND, node.policies.getPolicyGroup(GetPolicyGroupRequest.newBuilder().setId("crud").build()));
    assertStatus(Status.Code.NOT_FOUND, node.policies.deletePolicyGroup(DeletePolicyGroupRequest.newBuilder().setId("crud").build()));
    create("dup", false);
    assertStatus(Status.Code.ALREADY_EXISTS, node.policies.createPolicyGroup(
        CreatePolicyGroupRequest.newBuilder().setId("dup").addPolicies(DENY_BOB).build()));
    assertEquals(List.of(), get("dup").getPoliciesList());
  }

  @Test
  void ensureCreatesOnceAndNeverBringsADeletedGroupBack() {
    CreatePolicyGroupRequest req = CreatePolicyGroupRequest.newBuilder().setId("ensured").addPolicies(READ_NODES).build();
    PolicyGroup first = await(node.policies.ensurePolicyGroup(req));
    PolicyGroup second = await(node.policies.ensurePolicyGroup(req.toBuilder().clearPolicies().setLabel("other").build()));
    assertEquals(first, second);
    await(node.policies.deletePolicyGroup(DeletePolicyGroupRequest.newBuilder().setId("ensured").build()));
    assertStatus(Status.Code.FAILED_PRECONDITION, node.policies.ensurePolicyGroup(req));
  }

  @Test
  void protectedGroupsCannotBeChangedOrDeleted() {
    create("builtin", true, READ_NODES);
    assertStatus(Status.Code.FAILED_PRECONDITION, node.policies.updatePolicyGroup(UpdatePolicyGroupRequest.newBuilder()
        .setId("builtin").setPolicies(PolicyList.getDefaultInstance()).build()));
    assertStatus(Status.Code.FAILED_PRECONDITION, node.policies.updatePolicyGroup(UpdatePolicyGroupRequest.newBuilder()
        .setId("builtin").setLabel("renamed").build()));
    assertStatus(Status.Code.FAILED_PRECONDITION, node.policies.deletePolicyGroup(DeletePolicyGroupRequest.newBuilder()
        .setId("builtin").build()));
    assertEquals(1, get("builtin").getVersion());
    assertTrue(get("builtin").getProtected());
  }

  @Test
  void invalidRequestsAreRefusedAndNothingIsStored() {
    CreatePolicyGroupRequest valid = CreatePolicyGroupRequest.newBuilder().setId("bad").addPolicies(READ_NODES).build();
    List<Policy> tooMany = Collections.nCopies(51, READ_NODES);
    String big = "rest:/a/" + "x".repeat(1000);
    List<CreatePolicyGroupRequest> bad = new ArrayList<>(List.of(
        valid.toBuilder().setId("").build(),
        valid.toBuilder().setId("Bad Id").build(),
        valid.toBuilder().setLabel("x".repeat(257)).build(),
        valid.toBuilder().addAllPolicies(tooMany).build(),
        valid.toBuilder().addPolicies(DENY_BOB).addPolicies(DENY_BOB).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().setId("Not Valid")).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().setEffect(Effect.EFFECT_UNSPECIFIED)).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().setEffectValue(7)).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().clearSubjects()).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().clearResources()).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().clearActions()).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().addSubjects("group:staff")).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().addSubjects("")).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().addResources("/a/nodes")).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().addResources("rest:/a/<[unclosed>")).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().addResources("rest:/a/<.*")).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().addResources("rest:/a/>")).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().addResources("rest:/a/\u0000")).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().addResources("rest:/" + "x".repeat(1024))).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().addActions("FETCH")).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().addActions("get")).build(),
        valid.toBuilder().addPolicies(DENY_BOB.toBuilder().addActions("<(>")).build()));
    // 17 policies of 1000+ characters each: every pattern is fine, the group is too big
    CreatePolicyGroupRequest.Builder huge = valid.toBuilder();
    for (int i = 0; i < 17; i++) huge.addPolicies(policy("", Effect.EFFECT_ALLOW, List.of("role:x"), List.of(big), List.of("GET")));
    bad.add(huge.build());
    for (CreatePolicyGroupRequest req : bad) {
      assertStatus(Status.Code.INVALID_ARGUMENT, node.policies.createPolicyGroup(req));
    }
    assertStatus(Status.Code.NOT_FOUND, node.policies.getPolicyGroup(GetPolicyGroupRequest.newBuilder().setId("bad").build()));

    create("bad-upd", false, READ_NODES);
    assertStatus(Status.Code.INVALID_ARGUMENT, node.policies.updatePolicyGroup(UpdatePolicyGroupRequest.newBuilder()
        .setId("bad-upd").setPolicies(PolicyList.newBuilder().addPolicies(DENY_BOB.toBuilder().addActions("<*>"))).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.policies.updatePolicyGroup(UpdatePolicyGroupRequest.newBuilder()
        .setId("bad-upd").setLabel("").build()));
    assertEquals(1, get("bad-upd").getVersion(), "nothing refused was stored");
    assertStatus(Status.Code.INVALID_ARGUMENT, node.policies.getPolicyGroup(GetPolicyGroupRequest.newBuilder().setId("../x").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.policies.listPolicyGroups(ListPolicyGroupsRequest.newBuilder().setLimit(101).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.policies.listPolicyGroups(ListPolicyGroupsRequest.newBuilder().setOffset(-1).build()));
  }

  @Test
  void regexSegmentsMayNestAndAlternate() {
    PolicyGroup g = create("syntax", false, policy("", Effect.EFFECT_DENY, List.of("<.*>", "role:<(a|b)>", "profile:standard"),
        List.of("io:<.*>", "rest:/a/users/<(?<login>[^/]+)>", "<rest|io>:<.*>", "dav:common/<.*>"),
        List.of("<GET|HEAD>", "PATCH", "PROPFIND", "MOVE")));
    assertEquals(4, g.getPolicies(0).getResourcesCount(), "nested <> inside a regex (a named group) is fine");
  }

  @Test
  void listFromTheReadModelCarriesThePolicies() {
    create("list-b", false, DENY_BOB);
    create("list-a", false, READ_NODES, DENY_BOB);
    create("list-c", false);
    List<PolicyGroup> groups = eventually(READ_MODEL_LAG, () -> listed("list-"), l -> l.size() == 3, "3 groups listed");
    assertEquals(List.of("list-a", "list-b", "list-c"), groups.stream().map(PolicyGroup::getId).toList());
    assertEquals(get("list-a"), groups.get(0), "the listed group equals the entity's, policies included");
    assertEquals(List.of(), groups.get(2).getPoliciesList());
    ListPolicyGroupsResponse all = list(0, 50);
    ListPolicyGroupsResponse page = list(1, 1);
    assertEquals(all.getTotal(), page.getTotal());
    assertEquals(List.of(all.getGroups(1)), page.getGroupsList());

    await(node.policies.updatePolicyGroup(UpdatePolicyGroupRequest.newBuilder().setId("list-a").setLabel("A")
        .setPolicies(PolicyList.newBuilder().addPolicies(DENY_BOB)).build()));
    await(node.policies.updatePolicyGroup(UpdatePolicyGroupRequest.newBuilder().setId("list-b").setDescription("B").build()));
    await(node.policies.deletePolicyGroup(DeletePolicyGroupRequest.newBuilder().setId("list-c").build()));
    List<PolicyGroup> after = eventually(READ_MODEL_LAG, () -> listed("list-"),
        l -> l.size() == 2 && l.get(1).getVersion() == 2 && l.get(0).getVersion() == 2, "changes in the read model");
    assertEquals(get("list-a"), after.get(0));
    assertEquals(get("list-b"), after.get(1));
    assertEquals(List.of(DENY_BOB), after.get(1).getPoliciesList(), "policies untouched by a description change");
  }

  @Test
  void aGroupAtTheSizeLimitFitsTheReadModel() {
    // 16 policies of 1000 three-byte characters of description each: about 48 KB of UTF-8 in one row
    CreatePolicyGroupRequest.Builder req = CreatePolicyGroupRequest.newBuilder().setId("large");
    for (int i = 0; i < 16; i++) {
      req.addPolicies(policy("", Effect.EFFECT_ALLOW, List.of("role:r" + i), List.of("rest:/a/x"), List.of("GET"))
          .toBuilder().setDescription("\u20ac".repeat(1000)));
    }
    PolicyGroup created = await(node.policies.createPolicyGroup(req.build()));
    PolicyGroup listed = eventually(READ_MODEL_LAG, () -> listed("large"), l -> l.size() == 1, "large group listed").get(0);
    assertEquals(created, listed);
    req.setId("too-large").addPolicies(policy("", Effect.EFFECT_ALLOW, List.of("role:r"), List.of("rest:/a/" + "y".repeat(400)),
        List.of("GET")));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.policies.createPolicyGroup(req.build()));
  }

  @Test
  void theServiceHasItsOwnPrefixedTables() throws Exception {
    List<String> tables = new ArrayList<>();
    try (Connection c = node.storage("policy").dataSource().getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SHOW TABLES")) {
      while (rs.next()) tables.add(rs.getString(1).toLowerCase(Locale.ROOT));
    }
    for (String t : List.of("policy_event_journal", "policy_event_tag", "policy_snapshot", "policy_projection_offset",
        "policy_groups")) {
      assertTrue(tables.contains(t), t + " missing from " + tables);
    }
  }

  @Test
  void groupsSurviveARestartOnTheSameStorage() {
    PolicyGroup before = create("survivor", false, READ_NODES, DENY_BOB);

    node.close();
    node = TestNode.start(dataDir, database);

    assertEquals(before, get("survivor"));
    assertStatus(Status.Code.ALREADY_EXISTS, node.policies.createPolicyGroup(
        CreatePolicyGroupRequest.newBuilder().setId("survivor").build()));
    eventually(READ_MODEL_LAG, () -> listed("survivor"), l -> l.equals(List.of(before)), "read model after restart");
  }
}
