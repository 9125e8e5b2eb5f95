package arca.deploy;

import akka.util.Version;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class AppVersionTest {
  @Test
  void composesTheBuildVersionFromProjectVersionAndCommit() {
    assertEquals("0.1.0+412-8cd17da1f2", AppVersion.compose("0.1.0-SNAPSHOT", "412", "8cd17da1f2", "false"));
    assertEquals("0.1.0+412-8cd17da1f2-dirty", AppVersion.compose("0.1.0-SNAPSHOT", "412", "8cd17da1f2", "true"));
    assertEquals("1.2.3+7-abc", AppVersion.compose("1.2.3", "7", "abc", ""));
    // a build outside a git checkout: the properties stay unresolved
    assertEquals("0.1.0", AppVersion.compose("0.1.0-SNAPSHOT", "${arca.git.commit-count}", "${arca.git.commit}", "${arca.git.dirty}"));
    assertThrows(IllegalStateException.class, () -> AppVersion.compose("snapshot", "1", "abc", "false"));
  }

  @Test
  void laterCommitsCompareGreaterInAkka() {
    // what shard allocation compares (akka.util.Version): the commit count is numeric, not text
    assertTrue(Version.apply("0.1.0+10-aaaaaaaaaa").compareTo(Version.apply("0.1.0+9-ffffffffff")) > 0);
    assertTrue(Version.apply("0.1.0+100-0000000000").compareTo(Version.apply("0.1.0+99-ffffffffff")) > 0);
    assertTrue(Version.apply("0.1.0+1-aaaaaaaaaa-dirty").compareTo(Version.apply("0.1.0")) > 0);
    assertTrue(Version.apply("0.2.0+1-aaaaaaaaaa").compareTo(Version.apply("0.1.0+500-bbbbbbbbbb")) > 0);
    // a build without the version (before it existed, or an explicit 0.0.0) is older than every build
    assertTrue(Version.apply("0.1.0+1-aaaaaaaaaa").compareTo(Version.apply("0.0.0")) > 0);
  }

  @Test
  void theBuildCarriesItsVersion() {
    String v = AppVersion.build();
    assertTrue(v.matches("\\d+\\.\\d+\\.\\d+(\\+\\d+-[0-9a-f]+(-dirty)?)?"), v);
    assertEquals(v, AppVersion.of(ConfigFactory.parseString("arca.app-version = \"\"")));
  }

  @Test
  void aConfiguredVersionWinsAndMustBeComparable() {
    assertEquals("2.0.0+5-abc", AppVersion.of(ConfigFactory.parseString("arca.app-version = \"2.0.0+5-abc\"")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> AppVersion.of(ConfigFactory.parseString("arca.app-version = \"1.2.3.4\"")));
    assertTrue(e.getMessage().contains("ARCA_APP_VERSION"), e.getMessage());
  }
}
