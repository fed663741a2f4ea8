package io.tidewire.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

/**
 * docs/CONSUMERS.md's fingerprint table lists the first ten bytes of every schema a record on a
 * topic may have been written with: every released schema, and today's when it is not released
 * yet. Computed here, so the page cannot drift from the schemas.
 */
class ConsumersDocTest {

  private static final Path DOC = Path.of("..", "docs", "CONSUMERS.md");
  private static final Pattern ROW = Pattern.compile(
      "^\\| `(\\w+)` \\| `[^`]+` \\| (v\\d+|unreleased) \\| `(c3 01(?: [0-9a-f]{2}){8})` \\|$",
      Pattern.MULTILINE);
  private static final HexFormat HEX = HexFormat.ofDelimiter(" ");

  @Test
  void theFingerprintTableListsEveryReleasedAndUnreleasedSchema() throws IOException {
    final Set<String> documented = new LinkedHashSet<>();
    final Matcher row = ROW.matcher(Files.readString(DOC));
    while (row.find()) {
      documented.add(row.group(1) + " " + row.group(2) + " " + row.group(3));
    }

    final Set<String> expected = new LinkedHashSet<>();
    for (final Class<? extends SpecificRecordBase> type : ReleasedSchemas.PUBLIC_TYPES) {
      final Schema current = SpecificData.get().getSchema(type);
      boolean released = false;
      for (final String version : ReleasedSchemas.VERSIONS) {
        final Schema schema = ReleasedSchemas.in(version, type.getSimpleName()).orElse(null);
        if (schema != null) {
          expected.add(type.getSimpleName() + " " + version + " " + header(schema));
          released |= header(schema).equals(header(current));
        }
      }
      if (!released) {
        expected.add(type.getSimpleName() + " unreleased " + header(current));
      }
    }

    assertThat(documented).as("rows 'record release first-ten-bytes' of the table in %s", DOC)
        .containsExactlyInAnyOrderElementsOf(expected);
  }

  private static String header(final Schema schema) {
    return "c3 01 " + HEX.formatHex(ReleasedSchemas.fingerprint(schema));
  }
}
