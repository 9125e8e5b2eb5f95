package arca.deploy.it;

import arca.client.ApiClient;
import arca.client.ApiException;
import arca.client.api.AclsApi;
import arca.client.api.AuthApi;
import arca.client.api.NodesApi;
import arca.client.api.UsersApi;
import arca.client.model.AclEntry;
import arca.client.model.Node;
import arca.client.model.User;
import arca.client.model.UserCreate;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API as a client generated from its OpenAPI description sees it: the build generates a Java client from
 * {@code openapi.json} with openapi-generator (deploy/pom.xml), and this test signs in and calls users, nodes (with
 * {@code children=true} and {@code false}) and ACLs on the shared node through it, as an integrator would.
 */
class GeneratedClientIT {
  private static ApiClient client(String token) throws Exception {
    ApiClient client = new ApiClient();
    client.updateBaseUri(SharedNode.get().url());
    if (token != null) client.setRequestInterceptor(b -> b.header("Authorization", "Bearer " + token));
    return client;
  }

  interface Check {
    boolean holds() throws Exception;
  }

  /** Whether the check holds within 10 s. */
  private static boolean eventually(Check check) throws Exception {
    for (int i = 0; i < 100; i++) {
      if (check.holds()) return true;
      Thread.sleep(100);
    }
    return check.holds();
  }

  @Test
  void aGeneratedClientSignsInAndCallsUsersNodesAndAcls() throws Exception {
    String admin = new AuthApi(client(null)).token("password", "admin", SharedNode.ADMIN_PASSWORD, null).getAccessToken();
    UsersApi users = new UsersApi(client(admin));
    String login = SharedNode.newLogin("gen");
    User created = users.createUser(new UserCreate().login(login).password("generated-client-password").displayName("Gen"), null);
    assertEquals(login, created.getLogin());
    // lists come from read models, a moment behind writes
    assertTrue(eventually(() -> users.listUsers(0, 10, login).getItems().stream().map(User::getLogin).toList().equals(List.of(login))));
    assertEquals("Gen", users.getUser(login).getDisplayName());

    String token = new AuthApi(client(null)).token("password", login, "generated-client-password", null).getAccessToken();
    NodesApi nodes = new NodesApi(client(token));
    nodes.createFolderOrCopy("personal", "reports/2026", null, null);
    nodes.createFolderOrCopy("personal", "reports/2025", null, null);
    Node listing = nodes.getNode("personal", "reports", true, 10, null, null, "name", "asc", null, null);
    assertEquals(List.of("2025", "2026"), listing.getChildren().stream().map(Node::getName).toList());
    assertEquals(2, listing.getTotal());
    Node stat = nodes.getNode("personal", "reports", false, null, null, null, null, null, null, null);
    assertEquals(Node.TypeEnum.FOLDER, stat.getType());
    assertTrue(stat.getChildren() == null || stat.getChildren().isEmpty(), "children=false is a stat");
    assertNull(stat.getTotal(), "children=false is a stat");
    ApiException refused = assertThrows(ApiException.class, () -> new UsersApi(client(token)).listUsers(0, 10, null));
    assertEquals(403, refused.getCode());

    AclsApi acls = new AclsApi(client(admin));
    acls.grantAcl(new AclEntry().workspace("common").path("gen-" + login).role("user:" + login).action(AclEntry.ActionEnum.READ));
    assertTrue(eventually(() -> acls.listAcls("common", "user:" + login, 0, 100).getItems().stream()
        .anyMatch(a -> a.getPath().equals("gen-" + login) && a.getAction().getValue().equals("read"))));
    acls.revokeAcl("common", "gen-" + login, "user:" + login, "read");
    assertTrue(eventually(() -> acls.listAcls("common", "user:" + login, 0, 100).getItems().isEmpty()));
  }
}
