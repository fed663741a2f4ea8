package io.tidewire.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one scenario measured: a table (the same in the terminal, the JSON file and
 * docs/BENCHMARKS.md), the settings it ran with, and notes that explain what a figure means or
 * what limited it. Built with {@link #builder}; immutable once built.
 *
 * @param scenario scenario name ({@code latency}, {@code throughput}, …)
 * @param title one-line heading
 * @param method how it was measured, a paragraph
 * @param settings the knobs it ran with
 * @param columns table columns
 * @param rows table rows, each with a value per column
 * @param notes remarks under the table
 * @param details more data for the JSON file only (per-second series, profiles)
 * @param seconds wall time of the scenario
 */
public record ScenarioResult(String scenario, String title, String method,
    Map<String, Object> settings, List<String> columns, List<List<Object>> rows,
    List<String> notes, Map<String, Object> details, double seconds) {

  public ScenarioResult {
    settings = Map.copyOf(settings);
    columns = List.copyOf(columns);
    rows = rows.stream().map(r -> List.copyOf(r)).toList();
    notes = List.copyOf(notes);
    details = Map.copyOf(details);
  }

  /** Starts a result of {@code scenario}. */
  public static Builder builder(final String scenario, final String title) {
    return new Builder(scenario, title);
  }

  /** Collects a result; not thread-safe. */
  public static final class Builder {
    private final String scenario;
    private final String title;
    private final long started = System.nanoTime();
    private String method = "";
    private final Map<String, Object> settings = new LinkedHashMap<>();
    private final List<String> columns = new ArrayList<>();
    private final List<List<Object>> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private final Map<String, Object> details = new LinkedHashMap<>();

    private Builder(final String scenario, final String title) {
      this.scenario = Objects.requireNonNull(scenario);
      this.title = Objects.requireNonNull(title);
    }

    public Builder method(final String text) {
      this.method = text;
      return this;
    }

    public Builder setting(final String name, final Object value) {
      settings.put(name, value);
      return this;
    }

    public Builder columns(final String... names) {
      columns.clear();
      columns.addAll(List.of(names));
      return this;
    }

    /** Adds a row; it must have one value per column. */
    public Builder row(final Object... values) {
      if (values.length != columns.size()) {
        throw new IllegalArgumentException("row of " + values.length + " values for "
            + columns.size() + " columns");
      }
      rows.add(List.of(values));
      return this;
    }

    public Builder note(final String text) {
      notes.add(text);
      return this;
    }

    public Builder detail(final String name, final Object value) {
      details.put(name, value);
      return this;
    }

    public ScenarioResult build() {
      return new ScenarioResult(scenario, title, method, settings, columns, rows, notes, details,
          Math.round((System.nanoTime() - started) / 1e7) / 100.0);
    }
  }
}
