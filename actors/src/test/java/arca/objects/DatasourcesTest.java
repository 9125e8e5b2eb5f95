package arca.objects;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.stream.Materializer;
import arca.cluster.ArcaConfig;
import arca.service.Entities;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which datasources a node serves, from the real node configuration and from overlays. */
class DatasourcesTest {
  private static ActorTestKit testKit;

  @TempDir Path dataDir;

  @BeforeAll
  static void startSystem() {
    testKit = ActorTestKit.create();
  }

  @AfterAll
  static void stopSystem() {
    testKit.shutdownTestKit();
  }

  private Config node(String overlay) {
    return ArcaConfig.load(ConfigFactory.parseString(overlay)
        .withValue("arca.data-dir", ConfigValueFactory.fromAnyRef(dataDir.toString())));
  }

  @Test
  void theDefaultDatasourceLivesInTheDataDirectory() {
    Config config = node("");

    assertEquals(List.of(new Datasources.Definition("default", dataDir.resolve("datasources/default"), true)),
        Datasources.configured(config));
    assertEquals(List.of("default"), ObjectsModule.hostedDatasources(config));
    assertTrue(Files.isDirectory(dataDir.resolve("datasources/default")));
    assertEquals("ds-default", ObjectsModule.datasourceRole("default"));
  }

  @Test
  void aDatasourceTurnedOffHereIsServedElsewhere() {
    Config config = node("arca.datasources.default.serve = false");
    assertEquals(List.of(), ObjectsModule.hostedDatasources(config));
  }

  @Test
  void aDatasourceWhoseFolderIsNotWritableHereIsServedElsewhere() throws IOException {
    Path notAFolder = Files.write(dataDir.resolve("a-file"), new byte[] {1});
    Config config = node("arca.datasources.elsewhere { type = local, path = \"" + notAFolder.resolve("sub") + "\" }");

    assertEquals(List.of("default"), ObjectsModule.hostedDatasources(config));
    Datasources datasources = Datasources.open(config, Materializer.matFromSystem(testKit.system()),
        Entities.blocking(testKit.system()));
    assertEquals(List.of("elsewhere"), datasources.notServed());
    assertEquals(BlobException.Reason.NOT_HOSTED,
        assertThrows(BlobException.class, () -> datasources.store("elsewhere")).reason());
    assertEquals(BlobException.Reason.NOT_FOUND,
        assertThrows(BlobException.class, () -> datasources.store("nope")).reason());
    assertEquals(BlobException.Reason.NOT_FOUND,
        assertThrows(BlobException.class, () -> datasources.store("../default")).reason());
    assertTrue(Files.isDirectory(dataDir.resolve("datasources/default/blobs")));
  }

  @Test
  void badConfigurationFailsTheStart() {
    assertThrows(IllegalArgumentException.class,
        () -> Datasources.configured(node("arca.datasources.Bad_Name { type = local, path = x }")));
    assertThrows(IllegalArgumentException.class,
        () -> Datasources.configured(node("arca.datasources.ftp { type = ftp, path = x }")));
    assertThrows(IllegalArgumentException.class,
        () -> Datasources.configured(node("arca.datasources.s3 { type = s3, path = x }")), "an s3 datasource needs a bucket");
  }

  @Test
  void anS3DatasourceIsServedByEveryNodeUnlessTurnedOff() {
    String s3 = "arca.datasources.bucket { type = s3, endpoint = \"http://127.0.0.1:9\", bucket = b, prefix = arca,"
        + " access-key = k, secret-key = s, path-style = true }";
    Config config = node(s3);

    assertEquals(List.of(new Datasources.Definition("bucket", "s3", null,
            new S3BlobStore.Settings("http://127.0.0.1:9", "us-east-1", "b", "arca/", "k", "s", true), true),
        new Datasources.Definition("default", dataDir.resolve("datasources/default"), true)),
        Datasources.configured(config));
    assertEquals(List.of("bucket", "default"), ObjectsModule.hostedDatasources(config));
    Datasources datasources = Datasources.open(config, Materializer.matFromSystem(testKit.system()),
        Entities.blocking(testKit.system()));
    assertTrue(datasources.store("bucket") instanceof S3BlobStore);
    assertEquals(List.of("default"), ObjectsModule.hostedDatasources(node(s3 + "\narca.datasources.bucket.serve = false")));
  }
}
