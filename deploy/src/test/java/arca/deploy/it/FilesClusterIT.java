package arca.deploy.it;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same files suite as {@link FilesNodeIT}, through the nginx address of a 3-node cluster ({@code local-cluster}
 * on MariaDB): every request may land on any node.
 */
class FilesClusterIT extends FilesNodeIT {
  LocalCluster cluster;

  @Override
  void startServer() throws Exception {
    cluster = new LocalCluster("files-cluster", 12000 + (int) (ProcessHandle.current().pid() % 50) * 10, PASSWORD);
    cluster.run("up", "3");
    baseUrl = cluster.url();
  }

  /**
   * Fewer than on one node: every entry is an event of the one folder entity, written in turn, and three nodes on two
   * cores with MariaDB create them at about 60/s (20,000 take minutes). Paging across nodes is what this checks.
   */
  @Override
  int bigFolderEntries() {
    return 1_000;
  }

  /**
   * WebDAV through nginx: litmus passes every check with its requests spread over the three nodes, and a lock taken
   * through one request binds the writes every node serves (the lock service is cluster-wide).
   */
  @org.junit.jupiter.api.Test
  void webdavThroughTheClusterAddress() throws Exception {
    Path work = Files.createTempDirectory("arca-dav-cluster");
    String ensure = Path.of(System.getProperty("arca.repo", ".."), "deploy", "bin", "ensure-dav-clients")
        .toAbsolutePath().toString();
    assertEquals(0, DavClientsIT.run(work, Duration.ofSeconds(300), Map.of(), ensure).exit());
    DavClientsIT.Run litmus = DavClientsIT.run(work, Duration.ofSeconds(300), Map.of(), "litmus", "-k",
        baseUrl + "/dav/personal/", "alice", "alice-password");
    System.out.println(litmus.output());
    for (String suite : List.of("basic", "copymove", "props", "locks", "http")) {
      assertTrue(litmus.output().matches("(?s).*<- summary for `" + suite + "': of \\d+ tests run: \\d+ passed, 0 failed.*"),
          "litmus " + suite + " through nginx:\n" + litmus.output());
    }

    HttpClient http = HttpClient.newHttpClient();
    String auth = DavClientsIT.basic("alice", "alice-password");
    BiFunction<String, Map<String, String>, HttpResponse<String>> send = (line, headers) -> {
      String[] parts = line.split(" ", 3);
      var b = HttpRequest.newBuilder(URI.create(baseUrl + parts[1])).header("Authorization", auth)
          .method(parts[0], parts.length > 2 ? HttpRequest.BodyPublishers.ofString(parts[2])
              : HttpRequest.BodyPublishers.noBody());
      headers.forEach(b::header);
      try {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    assertEquals(201, send.apply("PUT /dav/personal/locked.txt v1", Map.of()).statusCode());
    var lock = send.apply("LOCK /dav/personal/locked.txt <?xml version=\"1.0\"?><lockinfo xmlns=\"DAV:\"><lockscope><exclusive/>"
        + "</lockscope><locktype><write/></locktype><owner>cluster test</owner></lockinfo>", Map.of("Timeout", "Second-600"));
    assertEquals(200, lock.statusCode(), lock.body());
    String token = lock.headers().firstValue("Lock-Token").orElseThrow();
    for (int i = 0; i < 6; i++) {   // nginx spreads these over the three nodes
      assertEquals(423, send.apply("PUT /dav/personal/locked.txt v2", Map.of()).statusCode(), "a write without the token, try " + i);
    }
    assertEquals(204, send.apply("PUT /dav/personal/locked.txt v3", Map.of("If", "(" + token + ")")).statusCode());
    assertEquals(204, send.apply("UNLOCK /dav/personal/locked.txt", Map.of("Lock-Token", token)).statusCode());
    for (int i = 0; i < 3; i++) assertEquals(204, send.apply("PUT /dav/personal/locked.txt v4", Map.of()).statusCode());
  }

  @Override
  void stopServer() throws Exception {
    if (cluster != null) cluster.close();
  }
}
