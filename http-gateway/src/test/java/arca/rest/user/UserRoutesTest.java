package arca.rest.user;

import arca.proto.user.CreateUserRequest;
import arca.proto.user.ListUsersRequest;
import arca.proto.user.UpdateUserRequest;
import arca.rest.testsupport.Resp;
import arca.rest.testsupport.TestGateway;
import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** /a/users as an admin sees it: JSON in and out, paging, and the mapping of service errors. */
class UserRoutesTest {
  static TestGateway gw;
  static String admin;

  @BeforeAll
  static void start() {
    gw = new TestGateway("users");
    admin = gw.adminToken(); // subject "root"
    gw.users.put("root", "rootpw", "admin");
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  @AfterEach
  void serviceBackUp() {
    gw.users.down = null;
    gw.roles.down = null;
  }

  static void assertError(Resp r, int status, String code, String messagePart) {
    assertEquals(status, r.status(), r::toString);
    assertTrue(r.contentType().startsWith("application/json"), () -> r.contentType() + " " + r);
    assertEquals(code, r.error(), r::toString);
    assertTrue(r.message().contains(messagePart), () -> "message should contain '" + messagePart + "': " + r);
  }

  static void assertNoSecrets(JsonNode user) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = user.fieldNames(); it.hasNext(); ) names.add(it.next());
    for (String n : names) {
      String l = n.toLowerCase();
      assertFalse(l.contains("password") || l.contains("hash") || l.contains("secret"), "field " + n + " in " + user);
    }
  }

  // ---- create ----

  @Test
  void createReturns201WithLocationAndNoPassword() {
    Resp r = gw.postJson("/a/users", admin, """
        {"login":"erin","password":"s3cret-pw","displayName":"Erin","email":"erin@example.org",
         "roles":["user"],"groupPath":"/staff"}""");
    assertEquals(201, r.status(), r::toString);
    assertEquals("/a/users/erin", r.header("Location").orElseThrow().replaceFirst("^http://[^/]+", ""));
    JsonNode u = r.json();
    assertEquals("erin", u.path("login").asText());
    assertEquals("Erin", u.path("displayName").asText());
    assertEquals("erin@example.org", u.path("email").asText());
    assertEquals("user", u.path("roles").path(0).asText());
    assertEquals("/staff", u.path("groupPath").asText());
    assertTrue(u.path("createdAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), u::toString);
    assertEquals(1, u.path("version").asLong());
    assertEquals(gw.users.stored("erin").getId(), u.path("id").asText(), "the account's id is shown");
    assertFalse(u.path("id").asText().isEmpty());
    assertNoSecrets(u);
    assertFalse(r.body().contains("s3cret-pw"));
    assertEquals("s3cret-pw", gw.users.password("erin"), "the password reaches the service");

    Resp read = gw.get("/a/users/erin", admin);
    assertEquals(200, read.status());
    assertNoSecrets(read.json());
  }

  @Test
  void createWithOnlyLoginAndPassword() {
    Resp r = gw.postJson("/a/users", admin, "{\"login\":\"frank\",\"password\":\"pw\"}");
    assertEquals(201, r.status(), r::toString);
    assertEquals(0, r.json().path("roles").size());
    CreateUserRequest sent = gw.users.requestsOf(CreateUserRequest.class).stream()
        .filter(c -> c.getLogin().equals("frank")).findFirst().orElseThrow();
    assertEquals("pw", sent.getPassword());
  }

  @Test
  void duplicateIs409() {
    assertEquals(201, gw.postJson("/a/users", admin, "{\"login\":\"gina\",\"password\":\"pw\"}").status());
    assertError(gw.postJson("/a/users", admin, "{\"login\":\"gina\",\"password\":\"other\"}"), 409, "conflict", "gina");
    assertEquals("pw", gw.users.password("gina"));
  }

  @Test
  void missingFieldsAre400NamingTheField() {
    assertError(gw.postJson("/a/users", admin, "{\"password\":\"pw\"}"), 400, "bad_request", "'login'");
    assertError(gw.postJson("/a/users", admin, "{\"login\":\"hank\"}"), 400, "bad_request", "'password'");
    assertError(gw.postJson("/a/users", admin, "{\"login\":null,\"password\":\"pw\"}"), 400, "bad_request", "'login'");
    assertError(gw.postJson("/a/users", admin, "{}"), 400, "bad_request", "'login'");
    assertNull(gw.users.stored("hank"));
  }

  @Test
  void unknownFieldIs400() {
    assertError(gw.postJson("/a/users", admin, "{\"login\":\"ivan\",\"password\":\"pw\",\"x\":1}"), 400, "bad_request",
        "unknown field 'x'");
    assertError(gw.postJson("/a/users", admin, "{\"login\":\"ivan\",\"password\":\"pw\",\"passwordHash\":\"$2a$...\"}"),
        400, "bad_request", "unknown field 'passwordHash'");
    assertNull(gw.users.stored("ivan"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"login\":\"ivan\",", "{login:\"ivan\"}", "{\"login\":\"ivan\",\"password\":\"pw\"} trailing",
      "{\"login\":\"ivan\",\"password\":\"pw\"}{}", "not json", "{'login':'ivan'}"})
  void malformedJsonIs400(String body) {
    Resp r = gw.postJson("/a/users", admin, body);
    assertEquals(400, r.status(), r::toString);
    assertEquals("bad_request", r.error());
    assertNull(gw.users.stored("ivan"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"login\": 5, \"password\": \"pw\"}                  | login",
      "{\"login\": 5.5, \"password\": \"pw\"}                | login",
      "{\"login\": true, \"password\": \"pw\"}               | login",
      "{\"login\": {\"a\":1}, \"password\": \"pw\"}          | login",
      "{\"login\": [\"ivan\"], \"password\": \"pw\"}         | login",
      "{\"login\": \"ivan\", \"password\": 1234}             | password",
      "{\"login\": \"ivan\", \"password\": \"pw\", \"roles\": \"admin\"} | roles",
      "{\"login\": \"ivan\", \"password\": \"pw\", \"roles\": [1]}       | roles"})
  void wrongTypeIs400NamingTheField(String body, String field) {
    int before = gw.users.requestsOf(CreateUserRequest.class).size();
    Resp r = gw.postJson("/a/users", admin, body);
    // Json.MAPPER is configured to refuse number/boolean -> String coercion; the body must not reach the service
    assertError(r, 400, "bad_request", "'" + field);
    assertEquals(before, gw.users.requestsOf(CreateUserRequest.class).size(), "nothing is created from a mistyped body");
  }

  @Test
  void nullRoleIs400() {
    assertError(gw.postJson("/a/users", admin, "{\"login\":\"ivan\",\"password\":\"pw\",\"roles\":[null]}"), 400,
        "bad_request", "roles");
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "[{\"login\":\"ivan\",\"password\":\"pw\"}]", "null", "\"ivan\"", "42", ""})
  void bodyThatIsNotAnObjectIs400(String body) {
    Resp r = gw.postJson("/a/users", admin, body);
    assertError(r, 400, "bad_request", "");
    assertNull(gw.users.stored("ivan"));
  }

  @Test
  void nonJsonContentTypeIs415() {
    String body = "{\"login\":\"jack\",\"password\":\"pw\"}";
    assertError(gw.send("POST", "/a/users", admin, "text/plain", body), 415, "unsupported_media_type", "application/json");
    assertError(gw.send("POST", "/a/users", admin, "application/x-www-form-urlencoded", "login=jack&password=pw"),
        415, "unsupported_media_type", "application/json");
    assertError(gw.send("POST", "/a/users", admin, null, body), 415, "unsupported_media_type", "application/json");
    assertEquals(201, gw.send("POST", "/a/users", admin, "application/json; charset=utf-8", body).status());
  }

  @Test
  void invalidLoginIs400FromTheService() {
    assertError(gw.postJson("/a/users", admin, "{\"login\":\"Not Valid!\",\"password\":\"pw\"}"), 400, "bad_request",
        "invalid login");
    assertError(gw.postJson("/a/users", admin, "{\"login\":\"\",\"password\":\"pw\"}"), 400, "bad_request", "login");
  }

  @Test
  void unknownRoleIs400AndNothingIsCreated() {
    int before = gw.users.requestsOf(CreateUserRequest.class).size();
    assertError(gw.postJson("/a/users", admin, "{\"login\":\"kim\",\"password\":\"pw\",\"roles\":[\"user\",\"nope\"]}"),
        400, "bad_request", "unknown role 'nope'");
    assertError(gw.postJson("/a/users", admin, "{\"login\":\"kim\",\"password\":\"pw\",\"roles\":[\"Bad Role\"]}"),
        400, "bad_request", "unknown role");
    assertNull(gw.users.stored("kim"));
    assertEquals(before, gw.users.requestsOf(CreateUserRequest.class).size(), "the user service is not asked");
  }

  // ---- list ----

  @Test
  void listPagesAndFilters() {
    for (String l : List.of("list-a", "list-b", "list-c", "list-d", "list-e")) gw.users.put(l, "pw", "user");
    Resp r = gw.get("/a/users?filter=list-&offset=1&limit=2", admin);
    assertEquals(200, r.status(), r::toString);
    JsonNode page = r.json();
    assertEquals(5, page.path("total").asLong());
    assertEquals(2, page.path("items").size());
    assertEquals("list-b", page.path("items").path(0).path("login").asText());
    assertEquals("list-c", page.path("items").path(1).path("login").asText());
    page.path("items").forEach(UserRoutesTest::assertNoSecrets);

    ListUsersRequest sent = gw.users.requestsOf(ListUsersRequest.class).get(gw.users.requestsOf(ListUsersRequest.class).size() - 1);
    assertEquals(1, sent.getOffset());
    assertEquals(2, sent.getLimit());
    assertEquals("list-", sent.getFilter());

    Resp last = gw.get("/a/users?filter=list-&offset=4&limit=1000", admin);
    assertEquals(1, last.json().path("items").size());
    assertEquals(5, last.json().path("total").asLong());
    Resp beyond = gw.get("/a/users?filter=list-&offset=50", admin);
    assertEquals(0, beyond.json().path("items").size());
    assertEquals(5, beyond.json().path("total").asLong());
  }

  @Test
  void listDefaultsToOffset0Limit100() {
    Resp r = gw.get("/a/users", admin);
    assertEquals(200, r.status());
    assertTrue(r.json().path("items").isArray());
    assertTrue(r.json().path("total").isNumber());
    ListUsersRequest sent = gw.users.requestsOf(ListUsersRequest.class).get(gw.users.requestsOf(ListUsersRequest.class).size() - 1);
    assertEquals(0, sent.getOffset());
    assertEquals(100, sent.getLimit());
    assertEquals("", sent.getFilter());
    assertEquals(200, gw.get("/a/users/", admin).status(), "trailing slash");
  }

  @ParameterizedTest
  @ValueSource(strings = {"limit=0", "limit=abc", "offset=-1", "limit=5000", "limit=1001", "offset=x", "limit=-5",
      "limit=1.5", "offset=99999999999"})
  void badPagingIs400(String query) {
    Resp r = gw.get("/a/users?" + query, admin);
    assertError(r, 400, "bad_request", query.substring(0, query.indexOf('=')));
  }

  // ---- read, update, delete ----

  @Test
  void getMissingIs404() {
    assertError(gw.get("/a/users/nobody", admin), 404, "not_found", "nobody");
  }

  @Test
  void getIsCaseInsensitive() {
    gw.users.put("lena", "pw", "user");
    Resp r = gw.get("/a/users/LENA", admin);
    assertEquals(200, r.status(), r::toString);
    assertEquals("lena", r.json().path("login").asText());
  }

  @Test
  void patchChangesFields() {
    gw.users.put("mona", "pw", "user");
    Resp r = gw.patchJson("/a/users/mona", admin,
        "{\"displayName\":\"Mona L.\",\"email\":\"mona@example.org\",\"roles\":[\"admin\",\"user\"],\"groupPath\":\"/ops\"}");
    assertEquals(200, r.status(), r::toString);
    JsonNode u = r.json();
    assertEquals("Mona L.", u.path("displayName").asText());
    assertEquals("mona@example.org", u.path("email").asText());
    assertEquals("admin", u.path("roles").path(0).asText());
    assertEquals("user", u.path("roles").path(1).asText());
    assertEquals("/ops", u.path("groupPath").asText());
    assertEquals(2, u.path("version").asLong());
    assertNoSecrets(u);

    // fields left out are left alone; an empty role list clears the roles
    Resp r2 = gw.patchJson("/a/users/mona", admin, "{\"roles\":[]}");
    assertEquals(200, r2.status(), r2::toString);
    assertEquals("Mona L.", r2.json().path("displayName").asText());
    assertEquals(0, r2.json().path("roles").size());
    UpdateUserRequest sent = gw.users.requestsOf(UpdateUserRequest.class).get(gw.users.requestsOf(UpdateUserRequest.class).size() - 1);
    assertTrue(sent.getReplaceRoles());
    assertFalse(sent.hasDisplayName());
    assertFalse(sent.hasPassword());

    Resp r3 = gw.patchJson("/a/users/mona", admin, "{\"displayName\":\"M\"}");
    assertFalse(gw.users.requestsOf(UpdateUserRequest.class).get(gw.users.requestsOf(UpdateUserRequest.class).size() - 1)
        .getReplaceRoles(), "roles left out are not replaced");
    assertEquals(200, r3.status());
  }

  /** The request id sent with a write: from Idempotency-Key, else from the proxy's X-Request-Id, both per caller. */
  @Test
  void writesCarryTheCallersRequestId() {
    gw.users.put("olga", "pw", "user");
    String other = gw.jwt.token("root2", "admin");
    String body = "{\"displayName\":\"Olga\"}";
    List<String> ids = new ArrayList<>();
    String[][] headers = {
        {"Idempotency-Key", "key-1"}, {"Idempotency-Key", "key-1"}, {"Idempotency-Key", "key-2"},
        {"X-Request-Id", "key-1"}, {"X-Request-Id", "key-1"}, {}, {}, {"X-Request-Id", "x".repeat(300)}};
    for (String[] h : headers) {
      assertEquals(200, gw.send("PATCH", "/a/users/olga", admin, "application/json", body, h).status());
      List<UpdateUserRequest> sent = gw.users.requestsOf(UpdateUserRequest.class);
      ids.add(sent.get(sent.size() - 1).getRequestId());
    }
    assertEquals(200, gw.send("PATCH", "/a/users/olga", other, "application/json", body, "Idempotency-Key", "key-1").status());
    List<UpdateUserRequest> sent = gw.users.requestsOf(UpdateUserRequest.class);
    String othersKey1 = sent.get(sent.size() - 1).getRequestId();

    assertEquals(ids.get(0), ids.get(1), "the same key, the same id");
    assertTrue(!ids.get(0).equals(ids.get(2)), "another key, another id");
    assertEquals(ids.get(3), ids.get(4), "nginx's X-Request-Id stands in for a key (its retry on another node)");
    assertTrue(!ids.get(3).equals(ids.get(0)), "a proxy id never meets a client's key");
    assertTrue(!ids.get(5).equals(ids.get(6)) && !ids.get(5).isEmpty(), "without either, a fresh id each time");
    assertEquals(7, ids.indexOf(ids.get(7)), "a malformed proxy id is ignored: a fresh id");
    assertTrue(!othersKey1.equals(ids.get(0)), "keys are scoped to the caller");
    assertError(gw.send("PATCH", "/a/users/olga", admin, "application/json", body, "Idempotency-Key", "k".repeat(300)),
        400, "bad_request", "Idempotency-Key");
  }

  @Test
  void patchErrors() {
    gw.users.put("nina", "pw", "user");
    assertError(gw.patchJson("/a/users/ghost", admin, "{\"displayName\":\"x\"}"), 404, "not_found", "ghost");
    assertError(gw.patchJson("/a/users/nina", admin, "{\"roles\":[\"nope\"]}"), 400, "bad_request", "unknown role 'nope'");
    assertError(gw.patchJson("/a/users/nina", admin, "{\"login\":\"other\"}"), 400, "bad_request", "unknown field 'login'");
    assertError(gw.patchJson("/a/users/nina", admin, "[]"), 400, "bad_request", "");
    assertError(gw.send("PATCH", "/a/users/nina", admin, "text/plain", "{}"), 415, "unsupported_media_type", "");
    assertEquals(List.of("user"), gw.users.stored("nina").getRolesList());
    assertEquals("nina", gw.users.stored("nina").getDisplayName());
  }

  @Test
  void patchWithWrongTypeIs400() {
    gw.users.put("nils", "pw", "user");
    assertError(gw.patchJson("/a/users/nils", admin, "{\"displayName\":7}"), 400, "bad_request", "displayName");
    assertError(gw.patchJson("/a/users/nils", admin, "{\"roles\":\"admin\"}"), 400, "bad_request", "roles");
    assertEquals("nils", gw.users.stored("nils").getDisplayName());
    assertEquals(List.of("user"), gw.users.stored("nils").getRolesList());
  }

  @Test
  void deleteThen404() {
    gw.users.put("otto", "pw", "user");
    Resp r = gw.delete("/a/users/otto", admin);
    assertEquals(204, r.status(), r::toString);
    assertEquals("", r.body());
    assertNull(gw.users.stored("otto"));
    assertError(gw.get("/a/users/otto", admin), 404, "not_found", "otto");
    assertError(gw.delete("/a/users/otto", admin), 404, "not_found", "otto");
  }

  @Test
  void adminCannotDeleteThemself() {
    assertError(gw.delete("/a/users/root", admin), 409, "conflict", "own account");
    assertError(gw.delete("/a/users/ROOT", admin), 409, "conflict", "own account");
    assertTrue(gw.users.stored("root") != null, "the admin still exists");
  }

  // ---- service failures ----

  @ParameterizedTest
  @ValueSource(strings = {"UNAVAILABLE", "DEADLINE_EXCEEDED"})
  void serviceDownIs503Json(String code) {
    gw.users.put("pia", "pw", "user");
    gw.users.down = Status.fromCode(Status.Code.valueOf(code)).withDescription("connection refused: 10.0.0.7:8101");
    for (Resp r : List.of(gw.get("/a/users", admin), gw.get("/a/users/pia", admin),
        gw.postJson("/a/users", admin, "{\"login\":\"quinn\",\"password\":\"pw\"}"),
        gw.patchJson("/a/users/pia", admin, "{\"displayName\":\"P\"}"),
        gw.delete("/a/users/pia", admin))) {
      assertError(r, 503, "unavailable", "");
      assertFalse(r.body().contains("10.0.0.7"), "no internal addresses in errors: " + r);
    }
  }

  @Test
  void roleServiceDownWhileCheckingRolesIs503() {
    gw.roles.down = Status.UNAVAILABLE;
    assertError(gw.postJson("/a/users", admin, "{\"login\":\"rita\",\"password\":\"pw\",\"roles\":[\"user\"]}"), 503,
        "unavailable", "");
    assertNull(gw.users.stored("rita"));
  }

  @Test
  void unexpectedServiceErrorIs500JsonWithoutDetails() {
    gw.users.down = Status.INTERNAL.withDescription("NullPointerException at UserEntity.java:42");
    Resp r = gw.get("/a/users/root", admin);
    assertError(r, 500, "internal", "");
    assertFalse(r.body().contains("UserEntity"));
  }
}
