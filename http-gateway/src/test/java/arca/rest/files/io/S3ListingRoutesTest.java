package arca.rest.files.io;

import arca.rest.files.io.IoGateway.Resp;
import arca.proto.workspace.Scope;
import arca.proto.workspace.Workspace;
import arca.rest.testsupport.FakeWorkspaceService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ListBuckets, ListObjectsV2 and V1 on /io: workspaces at the top, folders as common prefixes, paging. */
class S3ListingRoutesTest {
  static IoGateway gw;
  static String alice;
  static String admin;

  @BeforeAll
  static void start() {
    gw = new IoGateway("s3-listing", true);
    alice = gw.token("alice");
    admin = gw.token("root", "admin");
    gw.workspaces.put(Workspace.newBuilder().setSlug("projects").setScope(Scope.SCOPE_ADMIN)
        .setRoot(FakeWorkspaceService.root("default", "projects")).build());
    for (String key : List.of("common/list/a.txt", "common/list/b.txt", "common/list/c.txt", "common/list/d.txt",
        "common/list/e.txt", "common/list/sub/x.txt", "common/list/sub/deeper/y.txt", "common/list/zz/z.txt",
        "common/list/b-prefix.txt", "personal/mine.txt", "projects/plan.txt")) {
      String token = key.startsWith("projects") ? admin : alice;
      assertEquals(200, gw.bearer(token, "PUT", "/io/" + key, key.getBytes(StandardCharsets.UTF_8)).status(), key);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    gw.close();
  }

  static String q(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

  static Resp list(String token, String query) {
    Resp r = gw.bearer(token, "GET", "/io?" + query, new byte[0]);
    assertEquals(200, r.status(), r::toString);
    return r;
  }

  @Test
  void bucketLevelCalls() {
    // /io is the bucket: a plain GET lists it (ListObjects V1)
    Resp bucket = gw.bearer(alice, "GET", "/io", new byte[0]);
    assertEquals(200, bucket.status(), bucket::toString);
    assertEquals(List.of("io"), bucket.all("Name"));
    assertEquals(200, gw.bearer(alice, "HEAD", "/io", new byte[0]).status());
    Resp location = gw.bearer(alice, "GET", "/io?location", new byte[0]);
    assertTrue(location.text().contains("LocationConstraint"), location::toString);
    assertEquals("NotImplemented", gw.bearer(alice, "GET", "/io?acl", new byte[0]).code());
    Resp versioning = gw.bearer(alice, "GET", "/io?versioning", new byte[0]);
    assertEquals(200, versioning.status(), versioning::toString);
    assertTrue(versioning.text().contains("<VersioningConfiguration"), versioning::toString);
  }

  @Test
  void topLevelListsTheWorkspacesTheCallerMayUse() {
    assertEquals(List.of("common/", "personal/"), list(alice, "list-type=2&delimiter=/").all("Prefix").subList(1, 3));
    Resp forAdmin = list(admin, "list-type=2&delimiter=%2F");
    assertEquals(List.of("", "common/", "personal/", "projects/"), forAdmin.all("Prefix"));
    assertEquals("3", forAdmin.first("KeyCount"));
    assertEquals(List.of("pro", "projects/"), list(admin, "list-type=2&delimiter=/&prefix=pro").all("Prefix"));
    assertEquals("0", list(alice, "list-type=2&delimiter=/&prefix=projects/").first("KeyCount"),
        "another workspace lists as empty: its existence does not leak");
  }

  @Test
  void delimiterListsOneFolder() {
    Resp r = list(alice, "list-type=2&delimiter=/&prefix=" + q("common/list/"));
    assertEquals(List.of("common/list/a.txt", "common/list/b-prefix.txt", "common/list/b.txt", "common/list/c.txt",
        "common/list/d.txt", "common/list/e.txt"), r.all("Key"));
    assertEquals(List.of("common/list/", "common/list/sub/", "common/list/zz/"), r.all("Prefix"));
    assertEquals("false", r.first("IsTruncated"));
    Resp b = list(alice, "list-type=2&delimiter=/&prefix=" + q("common/list/b"));
    assertEquals(List.of("common/list/b-prefix.txt", "common/list/b.txt"), b.all("Key"));
    Resp missing = list(alice, "list-type=2&delimiter=/&prefix=" + q("common/nothing/here/"));
    assertEquals("0", missing.first("KeyCount"));
  }

  @Test
  void continuationOverSeveralPages() {
    List<String> seen = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      Resp r = list(alice, "list-type=2&delimiter=/&max-keys=2&prefix=" + q("common/list/")
          + (token == null ? "" : "&continuation-token=" + q(token)));
      seen.addAll(r.all("Key"));
      seen.addAll(r.all("Prefix").subList(1, r.all("Prefix").size()));
      token = r.first("IsTruncated").equals("true") ? r.first("NextContinuationToken") : null;
      pages++;
    } while (token != null);
    assertEquals(4, pages);
    assertEquals(8, seen.size(), seen::toString);
    assertTrue(seen.containsAll(List.of("common/list/sub/", "common/list/zz/", "common/list/e.txt")), seen::toString);
    assertEquals("InvalidArgument", gw.bearer(alice, "GET", "/io?list-type=2&continuation-token=%25%25", new byte[0]).code());
  }

  @Test
  void withoutDelimiterEveryKeyDepthFirst() {
    List<String> seen = new ArrayList<>();
    String token = null;
    do {
      Resp r = list(alice, "list-type=2&max-keys=3&prefix=common/list" + (token == null ? "" : "&continuation-token=" + q(token)));
      seen.addAll(r.all("Key"));
      token = r.first("IsTruncated").equals("true") ? r.first("NextContinuationToken") : null;
    } while (token != null);
    assertEquals(List.of("common/list/a.txt", "common/list/b-prefix.txt", "common/list/b.txt", "common/list/c.txt",
        "common/list/d.txt", "common/list/e.txt", "common/list/sub/deeper/y.txt", "common/list/sub/x.txt",
        "common/list/zz/z.txt"), seen);
    assertEquals(List.of("personal/mine.txt"), list(alice, "list-type=2&prefix=personal/").all("Key"));
    Resp after = list(alice, "list-type=2&prefix=common/&start-after=" + q("common/list/sub/deeper/y.txt"));
    assertEquals(List.of("common/list/sub/x.txt", "common/list/zz/z.txt"), after.all("Key"));
  }

  @Test
  void listObjectsVersion1WithMarkers() {
    Resp r = list(alice, "prefix=" + q("common/list/") + "&delimiter=/&max-keys=4");
    assertEquals(List.of("common/list/a.txt", "common/list/b-prefix.txt", "common/list/b.txt", "common/list/c.txt"), r.all("Key"));
    assertEquals("true", r.first("IsTruncated"));
    assertEquals("common/list/c.txt", r.first("NextMarker"));
    Resp next = list(alice, "prefix=" + q("common/list/") + "&delimiter=/&marker=" + q(r.first("NextMarker")));
    assertEquals(List.of("common/list/d.txt", "common/list/e.txt"), next.all("Key"));
    assertEquals(List.of("common/list/", "common/list/sub/", "common/list/zz/"), next.all("Prefix"));
  }

  @Test
  void urlEncodingAndUploadsFolderHidden() {
    assertEquals(200, gw.bearer(alice, "PUT", "/io/common/enc/a%20b%26c.txt", new byte[] {1}).status());
    Resp r = list(alice, "list-type=2&prefix=common/enc/&encoding-type=url");
    assertEquals(List.of("common/enc/a+b%26c.txt"), r.all("Key"));
    gw.workspaces.put(Workspace.newBuilder().setSlug("whole").setScope(Scope.SCOPE_ADMIN)
        .setRoot(FakeWorkspaceService.root("default", "")).build());
    assertEquals(200, gw.bearer(admin, "POST", "/io/whole/big.bin?uploads", new byte[0]).status());
    Resp root = list(admin, "list-type=2&delimiter=/&prefix=whole/");
    assertTrue(root.all("Prefix").contains("whole/common/"), root::toString);
    assertTrue(root.text().indexOf(".uploads") < 0, root::toString);
    assertEquals("InvalidObjectName", gw.bearer(admin, "GET", "/io/whole/.uploads/x", new byte[0]).code());
  }
}
