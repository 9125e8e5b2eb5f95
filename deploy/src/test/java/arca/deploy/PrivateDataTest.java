package arca.deploy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The start-time checks of the data directory and key files (SecurityDataFilesIT runs them on a real node). */
class PrivateDataTest {
  @TempDir
  Path work;

  private Config config(Path dataDir, Path keyFile) {
    return ConfigFactory.parseMap(Map.of("arca.data-dir", dataDir.toString(),
        "arca.master-key-file", keyFile == null ? "" : keyFile.toString()));
  }

  @Test
  void aMissingDataDirIsCreatedPrivateWithAGeneratedMasterKey() throws Exception {
    Path dataDir = work.resolve("a/data");
    assertNotNull(PrivateData.prepare(config(dataDir, null), true));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir)));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("master.key"))));
    assertNull(PrivateData.prepare(config(dataDir, null), false), "no master key without the token service");
  }

  @Test
  void everyGroupOrOtherBitOfTheDataDirIsRefused() throws Exception {
    Path dataDir = Files.createDirectory(work.resolve("data"));
    for (String mode : new String[] {"rwxr-x---", "rwx---r--", "rwx-----x", "rwx-w----"}) {
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString(mode));
      PrivateData.Refused e = assertThrows(PrivateData.Refused.class, () -> PrivateData.prepare(config(dataDir, null), false), mode);
      assertTrue(e.getMessage().contains(dataDir + " is " + mode) && e.getMessage().contains("chmod -R go= " + dataDir), e.getMessage());
    }
  }

  /** Others never; the group may read only when it is the node's own (a Secret volume with the pod's fsGroup). */
  @Test
  void keyFilesMayBeReadByTheNodesOwnGroupOnly() throws Exception {
    Path dataDir = Files.createDirectory(work.resolve("data"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path keyFile = work.resolve("cluster.key");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    Files.writeString(keyFile, Base64.getEncoder().encodeToString(key));
    for (String mode : new String[] {"rw-r--r--", "rw-rw----", "rw----r--", "r--r-x---"}) {
      Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString(mode));
      PrivateData.Refused e = assertThrows(PrivateData.Refused.class, () -> PrivateData.prepare(config(dataDir, keyFile), true), mode);
      assertTrue(e.getMessage().contains("master key file " + keyFile + " is " + mode), e.getMessage());
    }
    // this test's files belong to its own group: group-read alone is the Kubernetes case
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("r--r-----"));
    assertNotNull(PrivateData.prepare(config(dataDir, keyFile), true));
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    assertNotNull(PrivateData.prepare(config(dataDir, keyFile), true));

    Path password = Files.writeString(dataDir.resolve("admin-password"), "secret\n");
    Files.setPosixFilePermissions(password, PosixFilePermissions.fromString("rw----r--"));
    PrivateData.Refused e = assertThrows(PrivateData.Refused.class, () -> PrivateData.prepare(config(dataDir, keyFile), false));
    assertTrue(e.getMessage().contains("admin password file " + password), e.getMessage());
  }
}
