package arca.it;

import akka.stream.javadsl.Sink;
import arca.proto.role.CreateRoleRequest;
import arca.proto.role.DeleteRoleRequest;
import arca.proto.role.GetRoleRequest;
import arca.proto.role.ListRolesRequest;
import arca.proto.role.ListRolesResponse;
import arca.proto.role.Role;
import arca.proto.role.UpdateRoleRequest;
import arca.proto.token.AuthEvent;
import arca.proto.token.CheckPasswordRequest;
import arca.proto.token.CheckPasswordResponse;
import arca.proto.token.CreateAccessKeyRequest;
import arca.proto.token.CreatedAccessKey;
import arca.proto.token.EndSessionsRequest;
import arca.proto.token.EndSessionsResponse;
import arca.proto.token.ListAccessKeysRequest;
import arca.proto.token.ResolveAccessKeyRequest;
import arca.proto.token.GetJwksRequest;
import arca.proto.token.PasswordGrantRequest;
import arca.proto.token.RefreshGrantRequest;
import arca.proto.token.RevokeRequest;
import arca.proto.token.RevokeResponse;
import arca.proto.token.TokenResponse;
import arca.proto.token.WatchAuthEventsRequest;
import arca.proto.user.CreateUserRequest;
import arca.proto.user.DeleteUserRequest;
import arca.proto.user.GetUserRequest;
import arca.proto.user.ListUsersRequest;
import arca.proto.user.ListUsersResponse;
import arca.proto.user.UpdateUserRequest;
import arca.proto.user.User;
import arca.proto.user.VerifyPasswordRequest;
import arca.proto.user.VerifyPasswordResponse;
import arca.testkit.Calls;
import arca.testkit.NodeContract;
import arca.testkit.TestNode;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static arca.testkit.Calls.assertStatus;
import static arca.testkit.Calls.await;
import static arca.testkit.Calls.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The user, role and token services on real storage, through their generated gRPC clients only. The same test
 * body runs on every storage backend (one subclass each). One node per class; the restart test replaces it with
 * a new node on the same database and data directory.
 */
abstract class ServicesContract extends NodeContract {
  private static final Duration READ_MODEL_LAG = Duration.ofSeconds(10);
  private static final String PASSWORD = "correct horse battery";

  // ---------------------------------------------------------------- users

  private User createUser(String login, String displayName, String email, String... roles) {
    return await(node.users.createUser(CreateUserRequest.newBuilder().setLogin(login).setPassword(PASSWORD)
        .setDisplayName(displayName).setEmail(email).addAllRoles(List.of(roles)).build()));
  }

  private User getUser(String login) {
    return await(node.users.getUser(GetUserRequest.newBuilder().setLogin(login).build()));
  }

  @Test
  void createAndGetUser() {
    User created = createUser("alice", "Alice Liddell", "alice@example.org", "staff", "admin");

    assertEquals("alice", created.getLogin());
    assertEquals("Alice Liddell", created.getDisplayName());
    assertEquals("alice@example.org", created.getEmail());
    assertEquals(List.of("staff", "admin"), created.getRolesList(), "roles keep their order");
    assertEquals("/", created.getGroupPath(), "no group path means the root group");
    assertEquals(1, created.getVersion());
    assertTrue(created.getCreatedAt() > 0);
    assertEquals(created, getUser("alice"));
  }

  @Test
  void loginIsCaseInsensitive() {
    User carol = createUser("Carol", "Carol", "");
    assertEquals("carol", carol.getLogin());
    assertEquals(carol, getUser("carol"));
    assertEquals(carol, getUser("CAROL"));
    assertStatus(Status.Code.ALREADY_EXISTS, node.users.createUser(CreateUserRequest.newBuilder()
        .setLogin("cArOl").setPassword(PASSWORD).build()));
  }

  @Test
  void invalidUserFieldsAreRefused() {
    var valid = CreateUserRequest.newBuilder().setLogin("valid-login").setPassword(PASSWORD).build();
    assertStatus(Status.Code.INVALID_ARGUMENT, node.users.createUser(valid.toBuilder().setLogin("Bad Login!").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.users.createUser(valid.toBuilder().setLogin("").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.users.createUser(valid.toBuilder().setPassword("short").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.users.createUser(valid.toBuilder().setDisplayName("x".repeat(300)).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.users.createUser(valid.toBuilder().setEmail("not an email").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.users.createUser(valid.toBuilder().addRoles("Not A Role").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.users.createUser(valid.toBuilder().setGroupPath("relative/path").build()));
    assertStatus(Status.Code.NOT_FOUND, node.users.getUser(GetUserRequest.newBuilder().setLogin("valid-login").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.users.updateUser(UpdateUserRequest.newBuilder().setLogin("alice")
        .setPassword("short").build()));
  }

  @Test
  void duplicateUserIsRefused() {
    createUser("dave", "Dave", "");
    assertStatus(Status.Code.ALREADY_EXISTS, node.users.createUser(CreateUserRequest.newBuilder()
        .setLogin("dave").setPassword(PASSWORD).setDisplayName("Another Dave").build()));
    assertEquals("Dave", getUser("dave").getDisplayName());
  }

  @Test
  void missingUserIsNotFound() {
    assertStatus(Status.Code.NOT_FOUND, node.users.getUser(GetUserRequest.newBuilder().setLogin("nobody").build()));
    assertStatus(Status.Code.NOT_FOUND, node.users.updateUser(UpdateUserRequest.newBuilder().setLogin("nobody")
        .setDisplayName("X").build()));
    assertStatus(Status.Code.NOT_FOUND, node.users.deleteUser(DeleteUserRequest.newBuilder().setLogin("nobody").build()));
  }

  @Test
  void updateChangesOnlyTheGivenFields() {
    User before = createUser("erin", "Erin", "erin@example.org", "staff");

    User renamed = await(node.users.updateUser(UpdateUserRequest.newBuilder().setLogin("ERIN").setDisplayName("Erin E.")
        .build()));
    assertEquals("Erin E.", renamed.getDisplayName());
    assertEquals(before.getEmail(), renamed.getEmail());
    assertEquals(List.of("staff"), renamed.getRolesList(), "roles stay unless replace_roles is set");
    assertEquals(before.getVersion() + 1, renamed.getVersion());

    User reRoled = await(node.users.updateUser(UpdateUserRequest.newBuilder().setLogin("erin").setReplaceRoles(true)
        .addRoles("viewer").setGroupPath("/ops/").build()));
    assertEquals(List.of("viewer"), reRoled.getRolesList());
    assertEquals("/ops", reRoled.getGroupPath());
    assertEquals("Erin E.", reRoled.getDisplayName());
    assertEquals(reRoled, getUser("erin"));
  }

  @Test
  void passwordChangeTakesEffect() {
    createUser("frank", "Frank", "");
    await(node.users.updateUser(UpdateUserRequest.newBuilder().setLogin("frank").setPassword("a brand new password").build()));
    assertFalse(verify("frank", PASSWORD).getValid());
    assertTrue(verify("frank", "a brand new password").getValid());
  }

  @Test
  void deleteThenCreateAgain() {
    User before = createUser("gina", "Gina", "");
    assertTrue(before.getId().matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), before.getId());
    assertEquals(before.getId(), getUser("gina").getId(), "the id is kept");
    await(node.users.deleteUser(DeleteUserRequest.newBuilder().setLogin("gina").build()));
    assertStatus(Status.Code.NOT_FOUND, node.users.getUser(GetUserRequest.newBuilder().setLogin("gina").build()));
    assertFalse(verify("gina", PASSWORD).getValid(), "a deleted user cannot log in");

    String firstId = before.getId();
    User again = createUser("gina", "Gina Two", "");
    assertNotEquals(firstId, again.getId(), "a new account with a deleted user's login is another account");
    assertEquals(again.getId(), again.getHome(), "its personal folder is named by its id, not by the login");
    assertEquals("Gina Two", again.getDisplayName());
    assertEquals(List.of(), again.getRolesList());
    assertEquals("Gina Two", getUser("gina").getDisplayName());
  }

  private VerifyPasswordResponse verify(String login, String password) {
    return await(node.users.verifyPassword(VerifyPasswordRequest.newBuilder().setLogin(login).setPassword(password).build()));
  }

  @Test
  void verifyPasswordNeverRevealsAHash() {
    createUser("hank", "Hank", "hank@example.org");

    VerifyPasswordResponse ok = verify("HANK", PASSWORD);
    assertTrue(ok.getValid());
    assertEquals("hank", ok.getUser().getLogin());
    assertFalse(ok.toByteString().toStringUtf8().contains("argon2"), "the response must not carry the hash");
    assertFalse(getUser("hank").toByteString().toStringUtf8().contains("argon2"), "GetUser must not carry the hash");

    VerifyPasswordResponse wrong = verify("hank", "not the password");
    assertFalse(wrong.getValid());
    assertFalse(wrong.hasUser(), "nothing about the user on a failed check");

    VerifyPasswordResponse unknown = verify("nobody-at-all", PASSWORD);
    assertFalse(unknown.getValid());
    assertFalse(unknown.hasUser());
    assertFalse(verify("Bad Login!", PASSWORD).getValid(), "an invalid login is just not valid");
  }

  private ListUsersResponse listUsers(int offset, int limit, String filter) {
    return await(node.users.listUsers(ListUsersRequest.newBuilder().setOffset(offset).setLimit(limit).setFilter(filter).build()));
  }

  private static List<String> logins(ListUsersResponse r) {
    return r.getUsersList().stream().map(User::getLogin).toList();
  }

  @Test
  void listUsersFromTheReadModel() {
    for (String suffix : List.of("e", "c", "a", "d", "b")) {
      createUser("lst-" + suffix, "Listed Person " + suffix.toUpperCase(Locale.ROOT), suffix + "@list.example", "viewer");
    }
    await(node.users.updateUser(UpdateUserRequest.newBuilder().setLogin("lst-b").setDisplayName("Listed Person Zoë 😀 李")
        .build()));
    ListUsersResponse all = eventually(READ_MODEL_LAG, () -> listUsers(0, 100, "lst-"),
        r -> r.getTotal() == 5 && r.getUsers(1).getVersion() == 2, "5 listed users in the read model");
    assertEquals(List.of("lst-a", "lst-b", "lst-c", "lst-d", "lst-e"), logins(all), "ordered by login");
    User a = all.getUsers(0);
    assertEquals("Listed Person A", a.getDisplayName());
    assertEquals("a@list.example", a.getEmail());
    assertEquals(List.of("viewer"), a.getRolesList());
    assertEquals(getUser("lst-a"), a, "the read model row equals the entity's view");
    assertEquals(getUser("lst-b"), all.getUsers(1), "an updated row (non-ASCII name) equals the entity's view");

    ListUsersResponse page = listUsers(1, 2, "lst-");
    assertEquals(List.of("lst-b", "lst-c"), logins(page));
    assertEquals(5, page.getTotal(), "total counts all matches, not the page");

    assertEquals(5, listUsers(0, 100, "LISTED PERSON").getTotal(), "filter matches display names, case-insensitively");
    assertEquals(List.of("lst-b"), logins(listUsers(0, 100, "😀 李")), "filter matches non-ASCII text");
    assertEquals(List.of("lst-d"), logins(listUsers(0, 100, "d@list.EXAMPLE")), "filter matches emails");
    assertEquals(0, listUsers(0, 100, "%").getTotal(), "LIKE wildcards in the filter are literal");
    assertEquals(0, listUsers(0, 100, "lst_").getTotal(), "LIKE wildcards in the filter are literal");
    assertStatus(Status.Code.INVALID_ARGUMENT, node.users.listUsers(ListUsersRequest.newBuilder().setLimit(1001).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.users.listUsers(ListUsersRequest.newBuilder().setOffset(-1).build()));

    await(node.users.updateUser(UpdateUserRequest.newBuilder().setLogin("lst-c").setDisplayName("Renamed").build()));
    await(node.users.deleteUser(DeleteUserRequest.newBuilder().setLogin("lst-e").build()));
    ListUsersResponse after = eventually(READ_MODEL_LAG, () -> listUsers(0, 100, "lst-"),
        r -> r.getTotal() == 4 && r.getUsersList().stream().anyMatch(u -> u.getDisplayName().equals("Renamed")),
        "update and delete in the read model");
    assertEquals(List.of("lst-a", "lst-b", "lst-c", "lst-d"), logins(after));
    assertEquals(List.of("viewer"), after.getUsers(2).getRolesList(), "an update without roles keeps them");
  }

  // ---------------------------------------------------------------- roles

  private Role createRole(String id, String label, boolean protectedRole) {
    return await(node.roles.createRole(CreateRoleRequest.newBuilder().setId(id).setLabel(label)
        .setDescription(label + " role").setProtected(protectedRole).build()));
  }

  @Test
  void roleLifecycle() {
    Role editors = createRole("editors", "Editors", false);
    assertEquals("editors", editors.getId());
    assertEquals("Editors", editors.getLabel());
    assertEquals(editors, await(node.roles.getRole(GetRoleRequest.newBuilder().setId("editors").build())));

    assertStatus(Status.Code.ALREADY_EXISTS, node.roles.createRole(CreateRoleRequest.newBuilder().setId("editors").build()));
    Role ensured = await(node.roles.ensureRole(CreateRoleRequest.newBuilder().setId("editors").setLabel("Other").build()));
    assertEquals(editors, ensured, "EnsureRole returns the existing role unchanged");

    Role updated = await(node.roles.updateRole(UpdateRoleRequest.newBuilder().setId("editors").setLabel("Writers").build()));
    assertEquals("Writers", updated.getLabel());
    assertEquals(editors.getDescription(), updated.getDescription());
    assertEquals(2, updated.getVersion());

    await(node.roles.deleteRole(DeleteRoleRequest.newBuilder().setId("editors").build()));
    assertStatus(Status.Code.NOT_FOUND, node.roles.getRole(GetRoleRequest.newBuilder().setId("editors").build()));
    assertStatus(Status.Code.NOT_FOUND, node.roles.deleteRole(DeleteRoleRequest.newBuilder().setId("editors").build()));
  }

  @Test
  void ensureRoleCreatesAMissingRoleWithItsIdAsDefaultLabel() {
    Role r = await(node.roles.ensureRole(CreateRoleRequest.newBuilder().setId("auditors").build()));
    assertEquals("auditors", r.getLabel());
    assertEquals(r, await(node.roles.getRole(GetRoleRequest.newBuilder().setId("auditors").build())));
  }

  @Test
  void protectedRoleCannotBeDeleted() {
    createRole("superusers", "Super users", true);
    assertStatus(Status.Code.FAILED_PRECONDITION, node.roles.deleteRole(DeleteRoleRequest.newBuilder().setId("superusers").build()));
    assertTrue(await(node.roles.getRole(GetRoleRequest.newBuilder().setId("superusers").build())).getProtected());
  }

  @Test
  void invalidRolesAreRefused() {
    assertStatus(Status.Code.INVALID_ARGUMENT, node.roles.createRole(CreateRoleRequest.newBuilder().setId("Bad Id").build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.roles.createRole(CreateRoleRequest.newBuilder().setId("ok-id")
        .setLabel("x".repeat(300)).build()));
    assertStatus(Status.Code.INVALID_ARGUMENT, node.roles.updateRole(UpdateRoleRequest.newBuilder().setId("ok-id")
        .setLabel("  ").build()));
    assertStatus(Status.Code.NOT_FOUND, node.roles.getRole(GetRoleRequest.newBuilder().setId("ok-id").build()));
    assertStatus(Status.Code.NOT_FOUND, node.roles.updateRole(UpdateRoleRequest.newBuilder().setId("ok-id")
        .setDescription("d").build()));
  }

  @Test
  void listRolesFromTheReadModel() {
    createRole("lr-3", "Listed role three", false);
    createRole("lr-1", "Listed role one", false);
    createRole("lr-2", "Listed role two", true);
    ListRolesResponse all = eventually(READ_MODEL_LAG,
        () -> await(node.roles.listRoles(ListRolesRequest.newBuilder().setFilter("lr-").build())),
        r -> r.getTotal() == 3, "3 listed roles in the read model");
    assertEquals(List.of("lr-1", "lr-2", "lr-3"), all.getRolesList().stream().map(Role::getId).toList());
    assertTrue(all.getRoles(1).getProtected());
    assertEquals(await(node.roles.getRole(GetRoleRequest.newBuilder().setId("lr-1").build())), all.getRoles(0));

    ListRolesResponse page = await(node.roles.listRoles(ListRolesRequest.newBuilder().setFilter("LISTED ROLE")
        .setOffset(2).setLimit(5).build()));
    assertEquals(3, page.getTotal());
    assertEquals(List.of("lr-3"), page.getRolesList().stream().map(Role::getId).toList());

    await(node.roles.deleteRole(DeleteRoleRequest.newBuilder().setId("lr-3").build()));
    eventually(READ_MODEL_LAG, () -> await(node.roles.listRoles(ListRolesRequest.newBuilder().setFilter("lr-").build())),
        r -> r.getTotal() == 2, "deleted role gone from the read model");
  }

  // ---------------------------------------------------------------- tokens

  private TokenResponse grant(String login, String password) {
    return await(node.tokens.passwordGrant(PasswordGrantRequest.newBuilder().setLogin(login).setPassword(password)
        .setClientId("test").build()));
  }

  private TokenResponse refresh(String refreshToken) {
    return await(node.tokens.refreshGrant(RefreshGrantRequest.newBuilder().setRefreshToken(refreshToken).build()));
  }

  private Status.Code refreshFailure(String refreshToken) {
    return Calls.failureOf(node.tokens.refreshGrant(RefreshGrantRequest.newBuilder()
        .setRefreshToken(refreshToken).build()));
  }

  private RSAKey signingKey() throws Exception {
    JWKSet jwks = JWKSet.parse(await(node.tokens.getJwks(GetJwksRequest.getDefaultInstance())).getJson());
    assertEquals(1, jwks.getKeys().size());
    assertFalse(jwks.getKeys().get(0).isPrivate(), "the JWKS holds public keys only");
    return jwks.getKeys().get(0).toRSAKey();
  }

  @Test
  void passwordGrantIssuesASignedJwtAndARefreshToken() throws Exception {
    createUser("ivan", "Ivan", "", "staff");

    TokenResponse tokens = grant("Ivan", PASSWORD);

    assertEquals(3, tokens.getAccessToken().split("\\.").length, "a JWT has three dot-separated parts");
    assertEquals("Bearer", tokens.getTokenType());
    assertEquals("ivan", tokens.getSubject());
    assertTrue(tokens.getExpiresIn() > 0);
    assertTrue(tokens.getRefreshToken().matches("[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}"), tokens.getRefreshToken());

    SignedJWT jwt = SignedJWT.parse(tokens.getAccessToken());
    RSAKey key = signingKey();
    assertEquals(key.getKeyID(), jwt.getHeader().getKeyID());
    assertTrue(jwt.verify(new RSASSAVerifier(key)), "signed with the key GetJwks publishes");
    assertEquals("ivan", jwt.getJWTClaimsSet().getSubject());
    assertEquals("http://localhost:1/oidc", jwt.getJWTClaimsSet().getIssuer());
    assertEquals(List.of("arca"), jwt.getJWTClaimsSet().getAudience());
    assertEquals(List.of("staff"), jwt.getJWTClaimsSet().getStringListClaim("roles"));
    assertEquals(tokens.getRefreshToken().substring(0, 22), jwt.getJWTClaimsSet().getStringClaim("sid"));
  }

  @Test
  void wrongPasswordIsUnauthenticatedAndThrottledAfterMaxFailures() throws Exception {
    createUser("judy", "Judy", "");
    assertStatus(Status.Code.UNAUTHENTICATED, node.tokens.passwordGrant(PasswordGrantRequest.newBuilder()
        .setLogin("nobody-here").setPassword(PASSWORD).build()));
    for (int i = 0; i < 3; i++) {
      assertStatus(Status.Code.UNAUTHENTICATED, node.tokens.passwordGrant(PasswordGrantRequest.newBuilder()
          .setLogin("judy").setPassword("wrong password " + i).build()));
    }
    // max-failures = 3 (test overlay): locked now (lock = 30 s), even for the right password
    StatusRuntimeException locked = Calls.failure(node.tokens.passwordGrant(PasswordGrantRequest.newBuilder()
        .setLogin("judy").setPassword(PASSWORD).build()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, locked.getStatus().getCode());
    String retryAfter = locked.getTrailers().get(Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER));
    assertTrue(retryAfter != null && Long.parseLong(retryAfter) > 0 && Long.parseLong(retryAfter) <= 30,
        "retry-after seconds: " + retryAfter);
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, node.tokens.passwordGrant(PasswordGrantRequest.newBuilder()
        .setLogin("JUDY").setPassword(PASSWORD).build()));

    AuthEvent lock = node.tokens.watchAuthEvents(WatchAuthEventsRequest.newBuilder().setFromOffset(0).build())
        .filter(e -> e.hasThrottle() && e.getThrottle().getLogin().equals("judy") && e.getThrottle().getFailures() == 3)
        .take(1)
        .runWith(Sink.head(), node.system)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(lock.getThrottle().getLockedUntil() > System.currentTimeMillis(), "gateways learn about the lock");
  }

  @Test
  void parallelWrongPasswordsCannotPassTheLimit() throws Exception {
    createUser("judith", "Judith", "");
    List<CompletableFuture<TokenResponse>> guesses = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      guesses.add(node.tokens.passwordGrant(PasswordGrantRequest.newBuilder().setLogin("judith")
          .setPassword("wrong password " + i).build()).toCompletableFuture());
    }
    Map<Status.Code, Integer> codes = new TreeMap<>();
    for (var g : guesses) codes.merge(Calls.failureOf(g), 1, Integer::sum);
    // max-failures = 3 (test overlay): at most 3 guesses are checked, the others refused before any hashing
    assertTrue(codes.getOrDefault(Status.Code.UNAUTHENTICATED, 0) <= 3, codes.toString());
    assertEquals(12, codes.getOrDefault(Status.Code.UNAUTHENTICATED, 0) + codes.getOrDefault(Status.Code.RESOURCE_EXHAUSTED, 0),
        codes.toString());
    eventually(Duration.ofSeconds(10), () -> Calls.failureOf(node.tokens.passwordGrant(PasswordGrantRequest.newBuilder()
            .setLogin("judith").setPassword("wrong again").build())),
        c -> c == Status.Code.RESOURCE_EXHAUSTED, "the account is locked once the running guesses failed");
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, node.tokens.passwordGrant(PasswordGrantRequest.newBuilder()
        .setLogin("judith").setPassword(PASSWORD).build()));
  }

  @Test
  void appPasswordsAndKeyIdsAreCheckedUnderTheOwnersThrottle() {
    createUser("kim", "Kim", "", "staff");
    CreatedAccessKey key = await(node.tokens.createAccessKey(CreateAccessKeyRequest.newBuilder().setLogin("kim").build()));
    CheckPasswordResponse byKeyId = await(node.tokens.checkPassword(CheckPasswordRequest.newBuilder()
        .setUserName(key.getAccessKeyId()).setPassword(key.getSecretAccessKey()).setAllowAppPassword(true).build()));
    assertEquals("kim", byKeyId.getUser().getLogin());
    assertEquals(List.of("staff"), byKeyId.getUser().getRolesList());
    assertEquals(key.getAccessKeyId(), byKeyId.getAccessKeyId());
    CheckPasswordResponse byLogin = await(node.tokens.checkPassword(CheckPasswordRequest.newBuilder()
        .setUserName("KIM").setPassword(key.getSecretAccessKey()).setAllowAppPassword(true).build()));
    assertEquals(key.getAccessKeyId(), byLogin.getAccessKeyId());
    assertEquals("", await(node.tokens.checkPassword(CheckPasswordRequest.newBuilder().setUserName("kim")
        .setPassword(PASSWORD).setAllowAppPassword(true).build())).getAccessKeyId(), "the password itself");
    assertStatus(Status.Code.UNAUTHENTICATED, node.tokens.checkPassword(CheckPasswordRequest.newBuilder()
        .setUserName("kim").setPassword(key.getSecretAccessKey()).build()));   // app passwords not allowed here

    // failures through the key id count against kim's one throttle (with the one above: 3), the token endpoint is
    // locked too
    for (int i = 0; i < 2; i++) {
      assertStatus(Status.Code.UNAUTHENTICATED, node.tokens.checkPassword(CheckPasswordRequest.newBuilder()
          .setUserName(key.getAccessKeyId()).setPassword("wrong " + i).setAllowAppPassword(true).build()));
    }
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, node.tokens.passwordGrant(PasswordGrantRequest.newBuilder()
        .setLogin("kim").setPassword(PASSWORD).build()));
  }

  @Test
  void endSessionsEndsTheOtherSessionsAndIsStreamed() throws Exception {
    createUser("lena", "Lena", "", "admin");
    TokenResponse mine = grant("lena", PASSWORD);
    TokenResponse other = grant("lena", PASSWORD);
    String mySid = mine.getRefreshToken().substring(0, 22);

    EndSessionsResponse ended = await(node.tokens.endSessions(EndSessionsRequest.newBuilder().setLogin("lena")
        .setEndSessions(true).setKeepSession(mySid).setReason("password changed").build()));
    assertEquals(Status.Code.UNAUTHENTICATED, refreshFailure(other.getRefreshToken()), "another session has ended");
    TokenResponse renewed = refresh(mine.getRefreshToken());
    assertTrue(SignedJWT.parse(renewed.getAccessToken()).getJWTClaimsSet().getLongClaim("iat_ms") >= ended.getNotBefore());
    AuthEvent cutoff = node.tokens.watchAuthEvents(WatchAuthEventsRequest.newBuilder().setFromOffset(0).build())
        .filter(e -> e.hasCutoff() && e.getCutoff().getLogin().equals("lena"))
        .take(1)
        .runWith(Sink.head(), node.system)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(ended.getNotBefore(), cutoff.getCutoff().getNotBefore());
    assertEquals(mySid, cutoff.getCutoff().getKeepSession());

    // a role change: access tokens before it are void, the sessions live on and refresh with the new roles
    await(node.users.updateUser(UpdateUserRequest.newBuilder().setLogin("lena").setReplaceRoles(true).build()));
    EndSessionsResponse demoted = await(node.tokens.endSessions(EndSessionsRequest.newBuilder().setLogin("lena")
        .setReason("roles changed").build()));
    assertTrue(demoted.getNotBefore() > ended.getNotBefore());
    TokenResponse after = refresh(renewed.getRefreshToken());
    assertEquals(List.of(), SignedJWT.parse(after.getAccessToken()).getJWTClaimsSet().getStringListClaim("roles"));
    assertTrue(SignedJWT.parse(after.getAccessToken()).getJWTClaimsSet().getLongClaim("iat_ms") >= demoted.getNotBefore());
  }

  @Test
  void endSessionsOfADeletedUserDeletesTheirAccessKeys() {
    createUser("mila", "Mila", "");
    CreatedAccessKey key = await(node.tokens.createAccessKey(CreateAccessKeyRequest.newBuilder().setLogin("mila").build()));
    TokenResponse session = grant("mila", PASSWORD);
    await(node.users.deleteUser(DeleteUserRequest.newBuilder().setLogin("mila").build()));
    await(node.tokens.endSessions(EndSessionsRequest.newBuilder().setLogin("mila").setEndSessions(true)
        .setDeleteAccessKeys(true).setReason("user deleted").build()));
    createUser("mila", "Mila Two", "");
    assertStatus(Status.Code.NOT_FOUND, node.tokens.resolveAccessKey(ResolveAccessKeyRequest.newBuilder()
        .setAccessKeyId(key.getAccessKeyId()).build()));
    assertEquals(0, await(node.tokens.listAccessKeys(ListAccessKeysRequest.newBuilder().setLogin("mila").build())).getKeysCount());
    assertEquals(Status.Code.UNAUTHENTICATED, refreshFailure(session.getRefreshToken()),
        "the old account's session does not pass to the new one");
  }

  @Test
  void refreshGrantRotatesAndReuseRevokesTheSession() {
    createUser("kate", "Kate", "");
    TokenResponse first = grant("kate", PASSWORD);

    TokenResponse second = refresh(first.getRefreshToken());
    assertNotEquals(first.getRefreshToken(), second.getRefreshToken());
    assertEquals(first.getRefreshToken().substring(0, 22), second.getRefreshToken().substring(0, 22), "same session");
    assertEquals("kate", second.getSubject());
    assertEquals(3, second.getAccessToken().split("\\.").length);

    assertEquals(Status.Code.UNAUTHENTICATED, refreshFailure(first.getRefreshToken()), "the old refresh token fails");
    assertEquals(Status.Code.UNAUTHENTICATED, refreshFailure(second.getRefreshToken()),
        "reusing an old token revoked the whole session");
    assertEquals(Status.Code.UNAUTHENTICATED, refreshFailure("not-a-refresh-token"));
  }

  @Test
  void refreshForADeletedUserFails() {
    createUser("liam", "Liam", "");
    TokenResponse tokens = grant("liam", PASSWORD);
    await(node.users.deleteUser(DeleteUserRequest.newBuilder().setLogin("liam").build()));
    assertEquals(Status.Code.UNAUTHENTICATED, refreshFailure(tokens.getRefreshToken()));
  }

  @Test
  void revokedRefreshTokenIsStreamedToWatchers() throws Exception {
    createUser("mona", "Mona", "");
    TokenResponse tokens = grant("mona", PASSWORD);
    String sid = tokens.getRefreshToken().substring(0, 22);

    RevokeResponse revoked = await(node.tokens.revoke(RevokeRequest.newBuilder().setToken(tokens.getRefreshToken()).build()));
    assertEquals(List.of(sid), revoked.getRevokedIdsList());
    assertTrue(revoked.getExpiresAt() > System.currentTimeMillis());
    assertEquals(Status.Code.UNAUTHENTICATED, refreshFailure(tokens.getRefreshToken()));

    AuthEvent seen = node.tokens.watchAuthEvents(WatchAuthEventsRequest.newBuilder().setFromOffset(0).build())
        .filter(e -> e.hasRevoked() && e.getRevoked().getId().equals(sid))
        .take(1)
        .runWith(Sink.head(), node.system)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(revoked.getExpiresAt(), seen.getRevoked().getExpiresAt());
    assertTrue(seen.getOffset() > 0);
  }

  @Test
  void revokedAccessTokenIsStreamedToWatchers() throws Exception {
    createUser("nick", "Nick", "");
    TokenResponse tokens = grant("nick", PASSWORD);
    String jti = SignedJWT.parse(tokens.getAccessToken()).getJWTClaimsSet().getJWTID();

    RevokeResponse revoked = await(node.tokens.revoke(RevokeRequest.newBuilder().setToken(tokens.getAccessToken()).build()));
    assertEquals(List.of(jti), revoked.getRevokedIdsList());

    AuthEvent seen = node.tokens.watchAuthEvents(WatchAuthEventsRequest.newBuilder().setFromOffset(0).build())
        .filter(e -> e.hasRevoked() && e.getRevoked().getId().equals(jti))
        .take(1)
        .runWith(Sink.head(), node.system)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(revoked.getExpiresAt(), seen.getRevoked().getExpiresAt());
    assertTrue(refresh(tokens.getRefreshToken()).getAccessToken().length() > 0,
        "revoking an access token leaves its session usable");
  }

  @Test
  void watchAuthEventsResumesAfterTheGivenOffset() throws Exception {
    createUser("pat", "Pat", "");
    String first = grant("pat", PASSWORD).getRefreshToken();
    String second = grant("pat", PASSWORD).getRefreshToken();
    await(node.tokens.revoke(RevokeRequest.newBuilder().setToken(first).build()));
    await(node.tokens.revoke(RevokeRequest.newBuilder().setToken(second).build()));

    List<String> sids = List.of(first.substring(0, 22), second.substring(0, 22));
    List<AuthEvent> both = node.tokens.watchAuthEvents(WatchAuthEventsRequest.newBuilder().setFromOffset(0).build())
        .filter(e -> e.hasRevoked() && sids.contains(e.getRevoked().getId()))
        .take(2)
        .runWith(Sink.seq(), node.system)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertEquals(sids, both.stream().map(e -> e.getRevoked().getId()).toList(), "in journal order");
    long firstOffset = both.get(0).getOffset();
    assertTrue(both.get(1).getOffset() > firstOffset);

    AuthEvent next = node.tokens.watchAuthEvents(WatchAuthEventsRequest.newBuilder().setFromOffset(firstOffset).build())
        .take(1)
        .runWith(Sink.head(), node.system)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertTrue(next.getOffset() > firstOffset, "from_offset is exclusive: a watcher resumes after what it has seen");
  }

  @Test
  void unknownTokensRevokeNothing() {
    assertEquals(0, await(node.tokens.revoke(RevokeRequest.newBuilder().setToken("garbage").build())).getRevokedIdsCount());
    String unknownRefresh = "A".repeat(22) + "." + "B".repeat(43);
    assertEquals(0, await(node.tokens.revoke(RevokeRequest.newBuilder().setToken(unknownRefresh).build())).getRevokedIdsCount());
  }

  // ---------------------------------------------------------------- storage

  /** The tables of the node's (central) database, lower-cased. */
  private List<String> tables() throws Exception {
    List<String> names = new ArrayList<>();
    try (Connection c = node.storage("user").dataSource().getConnection(); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery("SHOW TABLES")) {
      while (rs.next()) names.add(rs.getString(1).toLowerCase(Locale.ROOT));
    }
    return names;
  }

  @Test
  void everyServiceHasItsOwnPrefixedTables() throws Exception {
    List<String> tables = tables();
    for (String t : List.of("user_event_journal", "role_event_journal", "token_event_journal", "user_users",
        "role_roles", "user_snapshot", "token_snapshot", "user_projection_offset", "role_projection_offset")) {
      assertTrue(tables.contains(t), t + " missing from " + tables);
    }
    for (String shared : List.of("event_journal", "event_tag", "snapshot", "durable_state")) {
      assertFalse(tables.contains(shared), "no shared, unprefixed table " + shared + ": " + tables);
    }
  }

  // ---------------------------------------------------------------- restart

  @Test
  void everythingSurvivesARestartOnTheSameStorage() throws Exception {
    User olga = createUser("olga", "Olga", "olga@example.org", "staff");
    Role role = createRole("survivors", "Survivors", true);
    TokenResponse session = grant("olga", PASSWORD);
    String kid = signingKey().getKeyID();

    node.close();
    node = TestNode.start(dataDir, database);

    assertEquals(olga, getUser("olga"));
    assertEquals(role, await(node.roles.getRole(GetRoleRequest.newBuilder().setId("survivors").build())));
    assertEquals(kid, signingKey().getKeyID(), "the same signing key after a restart");
    TokenResponse again = grant("olga", PASSWORD);
    assertEquals(kid, SignedJWT.parse(again.getAccessToken()).getHeader().getKeyID());
    assertEquals("olga", refresh(session.getRefreshToken()).getSubject(), "sessions survive too");
    eventually(READ_MODEL_LAG, () -> listUsers(0, 10, "olga@"), r -> r.getTotal() == 1, "read model after restart");
  }
}
