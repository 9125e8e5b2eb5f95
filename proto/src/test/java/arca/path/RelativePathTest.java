package arca.path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The path rules and the wording of each face. */
class RelativePathTest {
  private static final String DECOMPOSED = "a\u0308";
  private static final String COMPOSED = "\u00e4";

  private static String refusal(Runnable r) {
    return assertThrows(InvalidPathException.class, r::run).getMessage();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "a", "a/b/c", "Projets 2024/Budget (v2)", "données/日本", "a..b/.hidden", "😀"})
  void validPaths(String path) {
    assertEquals(path, RelativePath.normalized(path));
    assertEquals(path, RelativePath.join(RelativePath.segments(path)));
    assertEquals(path, RelativePath.join(RelativePath.treeSegments(path)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/a", "a/", "a//b", "..", "a/../b", ".", "a\u0000b", "a\nb", "a\u007fb", "\ud800"})
  void invalidPaths(String path) {
    assertThrows(InvalidPathException.class, () -> RelativePath.segments(path));
    assertThrows(InvalidPathException.class, () -> RelativePath.normalized(path));
  }

  @Test
  void theTreeToleratesOneLeadingOrTrailingSlash() {
    assertEquals(List.of("a", "b"), RelativePath.treeSegments("/a/b/"));
    assertEquals(List.of(), RelativePath.treeSegments("/"));
    assertEquals("invalid path '//a': a name must not be empty", refusal(() -> RelativePath.treeSegments("//a")));
  }

  @Test
  void limits() {
    assertEquals(List.of("x".repeat(255)), RelativePath.segments("x".repeat(255)));
    assertEquals("invalid path '" + "x".repeat(200) + "': a name is longer than 255 bytes",
        refusal(() -> RelativePath.segments("x".repeat(256))));
    String deep = String.join("/", Collections.nCopies(64, "d"));
    assertEquals(64, RelativePath.segments(deep).size());
    assertEquals(64, RelativePath.treeSegments(deep).size());
    assertEquals("invalid path '" + deep + "/d': deeper than 64 levels",
        refusal(() -> RelativePath.segments(deep + "/d")));
    assertEquals("path deeper than 64 levels", refusal(() -> RelativePath.treeSegments(deep + "/d")));
    String wide = String.join("/", Collections.nCopies(20, "y".repeat(250)));
    assertEquals("invalid path '" + "y".repeat(200) + "': longer than 4096 characters",
        refusal(() -> RelativePath.normalized(wide)));
    assertEquals("path longer than 4096 characters", refusal(() -> RelativePath.treeSegments(wide)));
  }

  @Test
  void eachFaceWordsTheSameFlawItsOwnWay() {
    assertEquals("empty segment (leading, trailing or double '/')", RelativePath.problem(""));
    assertEquals("a name must not be empty", RelativePath.nameProblem(""));
    assertEquals("'..' segments are not allowed", RelativePath.problem(".."));
    assertEquals("'..' is not a valid name", RelativePath.nameProblem(".."));
    assertEquals("a name must not contain '/'", RelativePath.problem("a/b"));
    assertEquals("a name must not contain '/'", RelativePath.nameProblem("a/b"));
    assertEquals("name longer than 255 bytes", RelativePath.nameProblem("é".repeat(128)));
    assertEquals("control character U+0001", RelativePath.problem("a\u0001"));
    assertEquals("a name must not contain control characters (found U+007F)", RelativePath.nameProblem("\u007f"));
    assertEquals("not valid Unicode", RelativePath.problem("\udc00x"));
    assertEquals("a name must be valid Unicode", RelativePath.nameProblem("x\ud800"));
    assertNull(RelativePath.problem("😀"));
    assertEquals("invalid path 'a/\\u000ab': control character U+000A", refusal(() -> RelativePath.segments("a/\nb")));
    assertEquals("invalid path 'a/\\u000ab': a name must not contain control characters (found U+000A)",
        refusal(() -> RelativePath.treeSegments("a/\nb")));
  }

  @Test
  void namesComeOutInNfcWhereTheFaceSaysSo() {
    assertEquals(List.of("d", COMPOSED), RelativePath.segments("d/" + DECOMPOSED));
    assertEquals("d/" + COMPOSED, RelativePath.normalized("d/" + DECOMPOSED));
    assertEquals(List.of("d", DECOMPOSED), RelativePath.treeSegments("d/" + DECOMPOSED));
    assertEquals(COMPOSED, RelativePath.nfc(DECOMPOSED));
  }

  @Test
  void printableEscapesControlCharactersAndCuts() {
    assertEquals("a\\u0000b\\u007f", RelativePath.printable("a\u0000b\u007f"));
    assertEquals(200, RelativePath.printable("z".repeat(300)).length());
  }
}
