package io.tidewire.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityResult;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;

/**
 * The build check of docs/CONSUMERS.md's evolution rules: every released schema in
 * {@code src/released/} and today's schema of the same record read each other's records (backward
 * and forward compatible), no released record disappears, and the jar ships every release.
 */
class SchemaEvolutionTest {

  private static final Path RELEASED = Path.of("src/released");
  /**
   * Public record types new since the last release: released with the next one (a release holds
   * every public type). Until then they must be in no release, and docs/CONSUMERS.md lists them
   * as "unreleased" (ConsumersDocTest).
   */
  private static final Set<String> ADDED_SINCE_LAST_RELEASE = Set.of("PublicRowEvent", "ContentAccess");

  @Test
  void versionsNameEveryReleaseDirectoryInOrder() throws IOException {
    try (Stream<Path> dirs = Files.list(RELEASED)) {
      assertThat(dirs.map(d -> d.getFileName().toString()))
          .containsExactlyInAnyOrderElementsOf(ReleasedSchemas.VERSIONS);
    }
    assertThat(ReleasedSchemas.VERSIONS).allMatch(v -> v.matches("v[1-9][0-9]*"));
    assertThat(ReleasedSchemas.VERSIONS).isSortedAccordingTo(
        (a, b) -> Integer.compare(Integer.parseInt(a.substring(1)), Integer.parseInt(b.substring(1))));
  }

  @Test
  void everyReleasedSchemaIsBackwardAndForwardCompatibleWithTheCurrentOne() throws IOException {
    final List<String> problems = new ArrayList<>();
    for (final Path file : releasedFiles()) {
      final Schema released = new Schema.Parser().parse(file.toFile());
      final Schema current = currentOf(released).orElse(null);
      if (current == null) {
        problems.add(file + ": " + released.getFullName() + " is no public record any more; "
            + "a released record type must stay");
        continue;
      }
      // backward: today's readers read records written with the release
      check(problems, file + " -> current (backward)", current, released);
      // forward: readers of the release read records written today
      check(problems, "current -> " + file + " (forward)", released, current);
    }
    assertThat(problems).as("schema changes that break consumers (see docs/CONSUMERS.md, "
        + "'Schema evolution')").isEmpty();
  }

  @Test
  void theJarShipsEveryReleasedSchema() throws IOException {
    for (final Path file : releasedFiles()) {
      final String version = file.getParent().getFileName().toString();
      final String name = file.getFileName().toString().replace(".avsc", "");
      assertThat(ReleasedSchemas.in(version, name))
          .contains(new Schema.Parser().parse(file.toFile()));
    }
    for (final Schema record : publicRecords()) {
      if (ADDED_SINCE_LAST_RELEASE.contains(record.getName())) {
        assertThat(ReleasedSchemas.of(record)).as("%s is in a release: take it off "
            + "ADDED_SINCE_LAST_RELEASE", record.getName()).isEmpty();
      } else {
        assertThat(ReleasedSchemas.of(record)).as(record.getName()).isNotEmpty();
      }
    }
  }

  @Test
  void theCheckRefusesARemovedFieldWithoutDefaultAndANewUnionBranch() {
    final Schema v1 = new Schema.Parser().parse("""
        {"type":"record","name":"R","fields":[{"name":"a","type":"string"},
          {"name":"u","type":["int","string"]}]}""");
    final Schema addedOptional = new Schema.Parser().parse("""
        {"type":"record","name":"R","fields":[{"name":"a","type":"string"},
          {"name":"u","type":["int","string"]},{"name":"b","type":["null","long"],"default":null}]}""");
    final Schema addedRequired = new Schema.Parser().parse("""
        {"type":"record","name":"R","fields":[{"name":"a","type":"string"},
          {"name":"u","type":["int","string"]},{"name":"b","type":"long"}]}""");
    final Schema newBranch = new Schema.Parser().parse("""
        {"type":"record","name":"R","fields":[{"name":"a","type":"string"},
          {"name":"u","type":["int","string","boolean"]}]}""");

    assertThat(problems(v1, addedOptional)).isEmpty();
    assertThat(problems(v1, addedRequired)).singleElement().asString().contains("backward");
    assertThat(problems(v1, newBranch)).singleElement().asString().contains("forward");
  }

  private static List<String> problems(final Schema released, final Schema current) {
    final List<String> problems = new ArrayList<>();
    check(problems, "backward", current, released);
    check(problems, "forward", released, current);
    return problems;
  }

  private static void check(final List<String> problems, final String what, final Schema reader,
      final Schema writer) {
    final SchemaCompatibilityResult result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer).getResult();
    if (result.getCompatibility() != SchemaCompatibilityType.COMPATIBLE) {
      problems.add(what + ": " + result.getIncompatibilities());
    }
  }

  private static Optional<Schema> currentOf(final Schema released) {
    return publicRecords().stream()
        .filter(s -> s.getFullName().equals(released.getFullName())).findFirst();
  }

  private static List<Schema> publicRecords() {
    return ReleasedSchemas.PUBLIC_TYPES.stream().map(t -> SpecificData.get().getSchema(t)).toList();
  }

  private static List<Path> releasedFiles() throws IOException {
    try (Stream<Path> files = Files.walk(RELEASED)) {
      return files.filter(f -> f.toString().endsWith(".avsc")).sorted().toList();
    }
  }
}
