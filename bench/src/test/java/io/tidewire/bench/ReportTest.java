package io.tidewire.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

  private static ScenarioResult sample() {
    return ScenarioResult.builder("latency", "a title").method("How.")
        .setting("users", 10).columns("path", "p50 ms").row("Tidewire", 12.345)
        .row("floor", 0.5).note("a note").build();
  }

  @Test
  void aSectionIsReplacedInPlaceAndTextAroundItSurvives() {
    final String doc = "# B\nintro\n<!-- bench:latency:start -->\nold\n<!-- bench:latency:end -->\n"
        + "hand-written analysis\n";
    final String updated = Report.replaceSection(doc, "latency", "new");
    assertThat(updated).isEqualTo("# B\nintro\n<!-- bench:latency:start -->\nnew\n"
        + "<!-- bench:latency:end -->\nhand-written analysis\n");
  }

  @Test
  void aMissingSectionIsAppended() {
    assertThat(Report.replaceSection("# B\n", "fanout", "body"))
        .isEqualTo("# B\n\n<!-- bench:fanout:start -->\nbody\n<!-- bench:fanout:end -->\n");
  }

  @Test
  void updatingTheDocumentTouchesOnlyTheGivenSections(@TempDir final Path dir) throws Exception {
    final Path file = dir.resolve("BENCHMARKS.md");
    Report.updateDocument(file, Map.of("latency", "one", "fanout", "two"));
    Report.updateDocument(file, Map.of("latency", "three"));
    assertThat(Files.readString(file)).contains("three").contains("two").doesNotContain("one");
  }

  @Test
  void markdownHasTheTableSettingsAndNotes() {
    final String md = Report.markdown(sample());
    assertThat(md).contains("### latency: a title").contains("How.")
        .contains("`users` = 10").contains("| path | p50 ms |").contains("| Tidewire | 12.3 |")
        .contains("- a note").contains("target/bench/latency.json");
  }

  @Test
  void textTableAlignsColumns() {
    final String text = Report.text(sample());
    assertThat(text).contains("path      p50 ms").contains("Tidewire  12.3").contains("* a note");
  }

  @Test
  void numbersAreRoundedForReading() {
    assertThat(Report.format(123_456.7)).isEqualTo("123,457");
    assertThat(Report.format(456.7)).isEqualTo("457");
    assertThat(Report.format(45.67)).isEqualTo("45.7");
    assertThat(Report.format(4.567)).isEqualTo("4.57");
    assertThat(Report.format(Double.NaN)).isEqualTo("n/a");
    assertThat(Report.format(12_345L)).isEqualTo("12,345");
  }

  @Test
  void aRowMustFillEveryColumn() {
    assertThatThrownBy(() -> ScenarioResult.builder("x", "y").columns("a", "b").row(1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void resultsAreWrittenAsJson(@TempDir final Path dir) throws Exception {
    final Path file = Report.writeJson(dir, sample());
    assertThat(Files.readString(file)).contains("\"scenario\" : \"latency\"")
        .contains("\"Tidewire\"");
  }
}
