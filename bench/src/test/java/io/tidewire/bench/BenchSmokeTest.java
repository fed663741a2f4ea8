package io.tidewire.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every scenario, end to end against the real embedded stack, at smoke sizes: keeps the
 * benchmarks working. It checks that each produced a full table, never what the numbers are.
 */
class BenchSmokeTest {

  @Test
  void everyScenarioRunsAgainstTheRealStackAndWritesItsResult() throws Exception {
    final Path out = Paths.get("target", "bench-smoke");
    final Path doc = out.resolve("BENCHMARKS.md");
    final int code = new CommandLine(new BenchMain()).execute("--smoke", "--out", out.toString(),
        "--docs", doc.toString(), "--part-heap", "384m");
    assertThat(code).isZero();
    final ObjectMapper json = new ObjectMapper();
    for (final Scenario scenario : BenchMain.SCENARIOS) {
      final Path file = out.resolve(scenario.name() + ".json");
      assertThat(file).exists();
      final JsonNode result = json.readTree(file.toFile());
      assertThat(result.get("rows").size()).as(scenario.name() + " rows").isPositive();
      assertThat(result.get("columns").size()).isPositive();
    }
    final String markdown = Files.readString(doc);
    assertThat(markdown).contains("<!-- bench:machine:start -->")
        .contains("Smoke sizes: these figures mean nothing");
    for (final Scenario scenario : BenchMain.SCENARIOS) {
      assertThat(markdown).contains("<!-- bench:" + scenario.name() + ":start -->");
    }
  }
}
