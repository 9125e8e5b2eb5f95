package arca.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ArcaConfigTest {
  @TempDir Path dir;

  @Test
  void theSiteFileAddsAndOverridesKeysUnderTheOverlay() throws Exception {
    Path file = Files.writeString(dir.resolve("arca.conf"), String.join("\n",
        "arca.data-dir = /srv/arca",
        "arca.services = \"user,role\"",
        "arca.datasources.bucket { type = s3, bucket = files, path = ${arca.data-dir}/unused }", ""));

    Config config = ArcaConfig.load(ConfigFactory.parseString("arca.services = all"), ArcaConfig.siteFile(file.toString()));

    assertEquals("/srv/arca", config.getString("arca.data-dir"));
    assertEquals("/srv/arca/datasources/default", config.getString("arca.datasources.default.path"), "built-in keys see the file's values");
    assertEquals("s3", config.getString("arca.datasources.bucket.type"));
    assertEquals("/srv/arca/unused", config.getString("arca.datasources.bucket.path"));
    assertEquals("all", config.getString("arca.services"), "the overlay wins over the file");
  }

  @Test
  void noFileIsNothingAndABadFileIsARefusalWithTheReason() throws Exception {
    assertTrue(ArcaConfig.siteFile(null).isEmpty());
    assertTrue(ArcaConfig.siteFile(" ").isEmpty());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
        () -> ArcaConfig.siteFile(dir.resolve("nope.conf").toString()));
    assertTrue(missing.getMessage().contains("nope.conf"), missing.getMessage());
    Path broken = Files.writeString(dir.resolve("broken.conf"), "arca { data-dir = \n");
    assertThrows(ConfigException.class, () -> ArcaConfig.siteFile(broken.toString()));
  }
}
