package io.tidewire.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The code tables of docs/PROTOCOL.md and the code objects of clients/js/src/codes.js are
 * {@link ProtocolCodes}, rendered by {@link CodeTables} between markers. With
 * {@code -Dprotocol.regenerate=true} this test rewrites those sections instead of comparing them.
 */
class GeneratedSectionsTest {

  private static final String REGENERATE = "protocol.regenerate";
  private static final String COMMAND = "./mvnw -B -o -pl protocol test -D" + REGENERATE + "=true";

  @Test
  void protocolDocumentShowsTheCodesOfProtocolCodes() throws IOException {
    check("docs/PROTOCOL.md", "<!-- generated from io.tidewire.protocol.ProtocolCodes",
        "<!-- end of generated section -->", CodeTables.markdown());
  }

  @Test
  void javaScriptClientHasTheCodesOfProtocolCodes() throws IOException {
    check("clients/js/src/codes.js", "// <generated from io.tidewire.protocol.ProtocolCodes",
        "// </generated>", CodeTables.javascript());
  }

  private static void check(final String relative, final String begin, final String end,
      final String expected) throws IOException {
    final Path file = repositoryRoot().resolve(relative);
    final String text = Files.readString(file, StandardCharsets.UTF_8);
    final int beginLine = lineStartingWith(text, begin, 0, relative);
    final int bodyStart = text.indexOf('\n', beginLine) + 1;
    final int bodyEnd = lineStartingWith(text, end, bodyStart, relative);
    final String actual = text.substring(bodyStart, bodyEnd);
    if (Boolean.getBoolean(REGENERATE)) {
      if (!actual.equals(expected)) {
        Files.writeString(file, text.substring(0, bodyStart) + expected + text.substring(bodyEnd),
            StandardCharsets.UTF_8);
        System.out.println("rewrote the generated section of " + file);
      }
      return;
    }
    assertThat(actual)
        .as("%s does not show io.tidewire.protocol.ProtocolCodes between its generated markers:"
            + " edit the enums, not the file, and run `%s` to rewrite it", relative, COMMAND)
        .isEqualTo(expected);
  }

  private static int lineStartingWith(final String text, final String marker, final int from,
      final String relative) {
    int at = from;
    while (at < text.length()) {
      if (text.startsWith(marker, at)) {
        return at;
      }
      final int next = text.indexOf('\n', at);
      if (next < 0) {
        break;
      }
      at = next + 1;
    }
    return fail("%s has no line starting with `%s` (after offset %d); put the generated section's"
        + " markers back and run `%s`", relative, marker, from, COMMAND);
  }

  /** The repository: the parent of this module's base directory (Maven's {@code basedir}). */
  private static Path repositoryRoot() {
    final Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath().normalize();
    final Path root = module.getParent();
    if (root == null || !Files.isRegularFile(root.resolve("protocol/pom.xml"))) {
      return fail("cannot find the repository from basedir %s", module);
    }
    return root;
  }
}
