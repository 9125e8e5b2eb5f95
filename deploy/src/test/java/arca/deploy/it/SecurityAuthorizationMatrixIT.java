package arca.deploy.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;

import static arca.deploy.it.IdentityEndToEnd.assertStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The authorization matrix, on the shared node: every operation of the OpenAPI description ({@code /a/openapi.json},
 * read from the node) has one row saying who may call it, and each row is called with no token, a user's token
 * (on the user's own things, and where it applies on somebody else's) and an admin's. A route added to the description
 * without a row, or a row whose route left it, fails the test; so does any answer that breaks the row's rule, and
 * any 5xx. The matrix is printed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SecurityAuthorizationMatrixIT {
  /** Who may call an operation. */
  enum Access {
    /** anyone, without a token */
    PUBLIC,
    /** any signed-in user */
    USER,
    /** a user on their own account or things (another user's answer 403 or 404); admins on anyone's */
    SELF,
    /** the managers of a workspace: admins everywhere, a user in their own personal workspace */
    MANAGER,
    /** admins only */
    ADMIN
  }

  /** The caller of one request; OTHER is a signed-in user acting on somebody else's things. */
  enum Caller { NONE, USER, OTHER, ADMIN }

  record Call(String path, String contentType, String body) {
    static Call of(String path) {
      return new Call(path, null, null);
    }

    static Call json(String path, Object body) throws Exception {
      return new Call(path, "application/json", Api.JSON.writeValueAsString(body));
    }
  }

  @FunctionalInterface
  interface Target {
    Call call(Caller caller) throws Exception;
  }

  record Row(String method, String template, Access access, Target target) {
    String key() {
      return method + " " + template;
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  Api api;
  String admin;
  String user;
  String userLogin;
  String otherLogin;
  String userKeyId;
  String otherKeyId;

  @BeforeAll
  void setUp() throws Exception {
    api = SharedNode.api();
    admin = api.token("admin", SharedNode.ADMIN_PASSWORD);
    userLogin = newUser("matrix");
    otherLogin = newUser("other");
    user = api.token(userLogin, userLogin + "-password");
    String other = api.token(otherLogin, otherLogin + "-password");
    userKeyId = api.send("POST", "/a/access-keys", user, Map.of()).text("accessKeyId");
    otherKeyId = api.send("POST", "/a/access-keys", other, Map.of()).text("accessKeyId");
  }

  private String newUser(String prefix) throws Exception {
    String login = SharedNode.newLogin(prefix);
    assertStatus(201, api.send("POST", "/a/users", admin, Map.of("login", login, "password", login + "-password")));
    return login;
  }

  private static String fresh(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private String newRole() throws Exception {
    String id = fresh("mrole");
    assertStatus(201, api.send("POST", "/a/roles", admin, Map.of("id", id, "label", id)));
    return id;
  }

  private String newWorkspace() throws Exception {
    String slug = fresh("mws");
    assertStatus(201, api.send("POST", "/a/workspaces", admin, Map.of("slug", slug, "root", Map.of("datasource", "default", "path", slug))));
    return slug;
  }

  private String newPolicyGroup() throws Exception {
    String id = fresh("mpol");
    assertStatus(201, api.send("POST", "/a/policies", admin, Map.of("id", id, "policies", List.of(policy()))));
    return id;
  }

  /** A harmless policy: it allows nobody anything new (a subject no caller has). */
  private static Map<String, Object> policy() {
    return Map.of("subjects", List.of("user:nobody-" + UUID.randomUUID().toString().substring(0, 6)),
        "resources", List.of("rest:/a/nothing"), "actions", List.of("GET"), "effect", "allow");
  }

  /** The folder a caller's node operations act on: the user's own personal space, or a workspace they cannot see. */
  private String node(Caller c, String name) throws Exception {
    if (c == Caller.OTHER) return "/a/nodes/" + hiddenWorkspace + "/" + name;
    String token = c == Caller.ADMIN ? admin : user;
    if (token != null && c != Caller.NONE) api.send("POST", "/a/nodes/personal/" + name, token, null);
    return "/a/nodes/personal/" + name;
  }

  private String hiddenWorkspace;

  private List<Row> rows() throws Exception {
    hiddenWorkspace = newWorkspace();
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("GET", "/healthz", Access.PUBLIC, c -> Call.of("/healthz")));
    rows.add(new Row("GET", "/readyz", Access.PUBLIC, c -> Call.of("/readyz")));
    rows.add(new Row("POST", "/oidc/oauth2/token", Access.PUBLIC, c -> new Call("/oidc/oauth2/token",
        "application/x-www-form-urlencoded", "grant_type=password&username=" + userLogin + "&password=" + userLogin + "-password")));
    rows.add(new Row("POST", "/oidc/oauth2/revoke", Access.PUBLIC, c -> new Call("/oidc/oauth2/revoke",
        "application/x-www-form-urlencoded", "token=not-a-token")));
    rows.add(new Row("GET", "/oidc/.well-known/openid-configuration", Access.PUBLIC, c -> Call.of("/oidc/.well-known/openid-configuration")));
    rows.add(new Row("GET", "/oidc/jwks", Access.PUBLIC, c -> Call.of("/oidc/jwks")));
    rows.add(new Row("GET", "/a/openapi.json", Access.PUBLIC, c -> Call.of("/a/openapi.json")));
    rows.add(new Row("GET", "/a/docs", Access.PUBLIC, c -> Call.of("/a/docs")));

    rows.add(new Row("GET", "/a/users", Access.ADMIN, c -> Call.of("/a/users")));
    rows.add(new Row("POST", "/a/users", Access.ADMIN, c -> Call.json("/a/users", Map.of("login", fresh("mu"), "password", "a-long-password"))));
    rows.add(new Row("GET", "/a/users/{login}", Access.SELF, c -> Call.of("/a/users/" + (c == Caller.OTHER ? otherLogin : userLogin))));
    rows.add(new Row("PATCH", "/a/users/{login}", Access.SELF, c -> Call.json("/a/users/" + (c == Caller.OTHER ? otherLogin : userLogin),
        Map.of("displayName", "Changed by " + c))));
    rows.add(new Row("DELETE", "/a/users/{login}", Access.ADMIN, c -> Call.of("/a/users/" + newUser("doomed"))));

    rows.add(new Row("GET", "/a/roles", Access.ADMIN, c -> Call.of("/a/roles")));
    rows.add(new Row("POST", "/a/roles", Access.ADMIN, c -> Call.json("/a/roles", Map.of("id", fresh("mr"), "label", "x"))));
    rows.add(new Row("GET", "/a/roles/{id}", Access.ADMIN, c -> Call.of("/a/roles/" + newRole())));
    rows.add(new Row("PATCH", "/a/roles/{id}", Access.ADMIN, c -> Call.json("/a/roles/" + newRole(), Map.of("label", "y"))));
    rows.add(new Row("DELETE", "/a/roles/{id}", Access.ADMIN, c -> Call.of("/a/roles/" + newRole())));

    rows.add(new Row("GET", "/a/access-keys", Access.USER, c -> Call.of("/a/access-keys")));
    rows.add(new Row("POST", "/a/access-keys", Access.USER, c -> Call.json("/a/access-keys", Map.of("label", "matrix"))));
    rows.add(new Row("DELETE", "/a/access-keys/{id}", Access.SELF, c -> Call.of("/a/access-keys/" + switch (c) {
      case OTHER -> otherKeyId;
      case ADMIN -> otherKeyId + "?login=" + otherLogin;
      default -> userKeyId;
    })));

    rows.add(new Row("GET", "/a/workspaces", Access.USER, c -> Call.of("/a/workspaces")));
    rows.add(new Row("POST", "/a/workspaces", Access.ADMIN, c -> {
      String slug = fresh("mw");
      return Call.json("/a/workspaces", Map.of("slug", slug, "root", Map.of("datasource", "default", "path", slug)));
    }));
    rows.add(new Row("GET", "/a/workspaces/{slug}", Access.SELF, c -> Call.of("/a/workspaces/" + (c == Caller.OTHER ? hiddenWorkspace : "common"))));
    rows.add(new Row("PATCH", "/a/workspaces/{slug}", Access.ADMIN, c -> Call.json("/a/workspaces/" + newWorkspace(), Map.of("label", "z"))));
    rows.add(new Row("DELETE", "/a/workspaces/{slug}", Access.ADMIN, c -> Call.of("/a/workspaces/" + newWorkspace())));

    rows.add(new Row("GET", "/a/nodes", Access.USER, c -> Call.of("/a/nodes")));
    rows.add(new Row("GET", "/a/nodes/{ws}", Access.SELF,
        c -> Call.of((c == Caller.OTHER ? "/a/nodes/" + hiddenWorkspace : "/a/nodes/personal") + "?children")));
    rows.add(new Row("GET", "/a/nodes/{ws}/{path}", Access.SELF, c -> Call.of(node(c, "m-stat") + "?children")));
    rows.add(new Row("POST", "/a/nodes/{ws}/{path}", Access.SELF, c -> Call.of(node(Caller.OTHER == c ? c : Caller.NONE, fresh("m-new")))));
    rows.add(new Row("PATCH", "/a/nodes/{ws}/{path}", Access.SELF, c -> Call.json(node(c, fresh("m-mv")), Map.of("to", fresh("m-moved")))));
    rows.add(new Row("DELETE", "/a/nodes/{ws}/{path}", Access.SELF, c -> Call.of(node(c, fresh("m-del")))));
    rows.add(new Row("GET", "/a/trash/{ws}", Access.SELF, c -> Call.of("/a/trash/" + (c == Caller.OTHER ? hiddenWorkspace : "personal"))));
    rows.add(new Row("POST", "/a/trash/{ws}/{uuid}", Access.SELF, c -> trashed(c, true)));
    rows.add(new Row("DELETE", "/a/trash/{ws}/{uuid}", Access.SELF, c -> trashed(c, false)));
    rows.add(new Row("GET", "/a/copy-jobs/{id}", Access.SELF, c -> Call.of("/a/copy-jobs/" + copyJob(c))));

    rows.add(new Row("GET", "/a/policies", Access.ADMIN, c -> Call.of("/a/policies")));
    rows.add(new Row("POST", "/a/policies", Access.ADMIN, c -> Call.json("/a/policies", Map.of("id", fresh("mp"), "policies", List.of(policy())))));
    rows.add(new Row("GET", "/a/policies/{id}", Access.ADMIN, c -> Call.of("/a/policies/" + newPolicyGroup())));
    rows.add(new Row("PUT", "/a/policies/{id}", Access.ADMIN, c -> Call.json("/a/policies/" + newPolicyGroup(), Map.of("policies", List.of(policy())))));
    rows.add(new Row("PATCH", "/a/policies/{id}", Access.ADMIN, c -> Call.json("/a/policies/" + newPolicyGroup(), Map.of("label", "p"))));
    rows.add(new Row("DELETE", "/a/policies/{id}", Access.ADMIN, c -> Call.of("/a/policies/" + newPolicyGroup())));

    rows.add(new Row("GET", "/a/acls", Access.ADMIN, c -> Call.of("/a/acls?workspace=common")));
    rows.add(new Row("POST", "/a/acls", Access.ADMIN, c -> Call.json("/a/acls",
        Map.of("workspace", hiddenWorkspace, "path", "x", "role", "user:" + otherLogin, "action", "read"))));
    rows.add(new Row("DELETE", "/a/acls", Access.ADMIN, c -> Call.of("/a/acls?workspace=" + hiddenWorkspace
        + "&path=x&role=user:" + otherLogin + "&action=read")));

    rows.add(new Row("GET", "/a/locks/{ws}", Access.MANAGER, c -> Call.of("/a/locks/" + (c == Caller.OTHER ? "common" : "personal"))));
    rows.add(new Row("DELETE", "/a/locks/{ws}", Access.MANAGER, c -> Call.of("/a/locks/" + (c == Caller.OTHER ? "common" : "personal"))));
    rows.add(new Row("GET", "/a/locks/{ws}/{path}", Access.MANAGER, c -> Call.of("/a/locks/" + (c == Caller.OTHER ? "common" : "personal") + "/")));
    rows.add(new Row("DELETE", "/a/locks/{ws}/{path}", Access.MANAGER, c -> Call.of("/a/locks/" + (c == Caller.OTHER ? "common" : "personal") + "/")));
    return rows;
  }

  /** A bin entry of the caller's own (restored or purged by the row), or a made-up one in a workspace they cannot see. */
  private Call trashed(Caller c, boolean restore) throws Exception {
    String suffix = restore ? "?action=restore" : "";
    if (c == Caller.OTHER) return Call.of("/a/trash/" + hiddenWorkspace + "/" + UUID.randomUUID() + suffix);
    String token = c == Caller.ADMIN ? admin : user;
    String name = fresh("m-bin");
    api.send("POST", "/a/nodes/personal/" + name, token, null);
    String uuid = api.send("DELETE", "/a/nodes/personal/" + name, token, null).text("uuid");
    return Call.of("/a/trash/personal/" + uuid + suffix);
  }

  /** A folder copy's job: the user's own, or (OTHER) one the admin started. */
  private String copyJob(Caller c) throws Exception {
    String token = c == Caller.OTHER ? admin : user;
    String name = fresh("m-copy");
    assertStatus(201, api.send("POST", "/a/nodes/personal/" + name + "/sub", token, null));
    Api.Reply r = api.send("POST", "/a/nodes/personal/" + name + "?action=copy", token, Map.of("to", name + "-2"));
    assertStatus(202, r);
    return r.text("jobId");
  }

  @Test
  void everyOperationOfTheDescriptionHasARowAndKeepsIt() throws Exception {
    List<Row> rows = rows();
    Map<String, Row> byKey = new LinkedHashMap<>();
    rows.forEach(r -> assertEquals(null, byKey.put(r.key(), r), "two rows for " + r.key()));
    JsonNode paths = api.get("/a/openapi.json", null).json().get("paths");
    TreeSet<String> described = new TreeSet<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = paths.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      e.getValue().fieldNames().forEachRemaining(m -> {
        if (!m.equals("parameters")) described.add(m.toUpperCase() + " " + e.getKey());
      });
    }
    TreeSet<String> missing = new TreeSet<>(described);
    missing.removeAll(byKey.keySet());
    assertTrue(missing.isEmpty(), "operations of /a/openapi.json without a row in the authorization matrix: " + missing);
    TreeSet<String> gone = new TreeSet<>(byKey.keySet());
    gone.removeAll(described);
    assertTrue(gone.isEmpty(), "rows for operations /a/openapi.json does not describe: " + gone);

    List<String> failures = new ArrayList<>();
    StringBuilder table = new StringBuilder(String.format("%-44s %-8s %-6s %-6s %-6s %-6s%n", "operation", "access", "none", "user", "other", "admin"));
    for (Row row : rows) {
      table.append(String.format("%-44s %-8s", row.key(), row.access()));
      for (Caller caller : Caller.values()) {
        if (caller == Caller.OTHER && row.access() != Access.SELF && row.access() != Access.MANAGER) {
          table.append(String.format(" %-6s", "-"));
          continue;
        }
        int status = send(row, caller);
        table.append(String.format(" %-6d", status));
        String problem = problem(row.access(), caller, status);
        if (problem != null) failures.add(row.key() + " as " + caller + ": " + status + ", " + problem);
      }
      table.append('\n');
    }
    System.out.println(table);
    assertTrue(failures.isEmpty(), "the authorization matrix does not hold:\n" + String.join("\n", failures) + "\n" + table);
  }

  private int send(Row row, Caller caller) throws Exception {
    Call call = row.target().call(caller);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api.base() + call.path())).timeout(Duration.ofSeconds(30))
        .method(row.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(call.body()));
    if (call.contentType() != null) b.header("Content-Type", call.contentType());
    String token = switch (caller) {
      case NONE -> null;
      case USER, OTHER -> user;
      case ADMIN -> admin;
    };
    if (token != null) b.header("Authorization", "Bearer " + token);
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** What is wrong with an answer, or null. */
  static String problem(Access access, Caller caller, int status) {
    if (status >= 500) return "a server error";
    boolean refused = status == 401 || status == 403;
    return switch (caller) {
      case NONE -> access == Access.PUBLIC ? (refused ? "refused, but it is public" : null)
          : status == 401 ? null : "expected 401 without a token";
      case USER -> access == Access.ADMIN ? (status == 403 ? null : "expected 403 for a user")
          : refused ? "refused, but a user may" : null;
      case OTHER -> status == 403 || status == 404 ? null : "expected 403 or 404 on somebody else's";
      case ADMIN -> refused ? "refused, but an admin may" : null;
    };
  }
}
