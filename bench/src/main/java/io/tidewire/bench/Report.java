package io.tidewire.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Writes results: a plain-text table for the terminal, one JSON file per scenario, and the
 * scenario's section of docs/BENCHMARKS.md. The document is edited in place between
 * {@code <!-- bench:NAME:start -->} and {@code <!-- bench:NAME:end -->} markers, so text written
 * by hand around the generated sections survives every run, and a run of one scenario replaces
 * only that scenario's section. Stateless apart from its JSON mapper; thread-safe.
 */
public final class Report {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Report() {
  }

  /** The result as an aligned text table with its notes. */
  public static String text(final ScenarioResult result) {
    final List<String> header = result.columns();
    final List<List<String>> cells = new ArrayList<>();
    for (final List<Object> row : result.rows()) {
      cells.add(row.stream().map(Report::format).toList());
    }
    final int[] width = new int[header.size()];
    for (int c = 0; c < header.size(); c++) {
      width[c] = header.get(c).length();
      for (final List<String> row : cells) {
        width[c] = Math.max(width[c], row.get(c).length());
      }
    }
    final StringBuilder out = new StringBuilder();
    out.append("== ").append(result.scenario()).append(": ").append(result.title())
        .append(" (").append(format(result.seconds())).append(" s)\n");
    appendTextRow(out, header, width);
    final StringBuilder rule = new StringBuilder();
    for (final int w : width) {
      rule.append("-".repeat(w)).append("  ");
    }
    out.append(rule.toString().stripTrailing()).append('\n');
    for (final List<String> row : cells) {
      appendTextRow(out, row, width);
    }
    for (final String note : result.notes()) {
      out.append("  * ").append(note).append('\n');
    }
    return out.toString();
  }

  private static void appendTextRow(final StringBuilder out, final List<String> row,
      final int[] width) {
    final StringBuilder line = new StringBuilder();
    for (int c = 0; c < row.size(); c++) {
      line.append(String.format(Locale.ROOT, "%-" + width[c] + "s  ", row.get(c)));
    }
    out.append(line.toString().stripTrailing()).append('\n');
  }

  /** The scenario's Markdown section (without markers). */
  public static String markdown(final ScenarioResult result) {
    final StringBuilder md = new StringBuilder();
    md.append("### ").append(result.scenario()).append(": ").append(result.title()).append("\n\n");
    if (!result.method().isBlank()) {
      md.append(result.method()).append("\n\n");
    }
    if (!result.settings().isEmpty()) {
      md.append("Settings: ");
      md.append(String.join(", ", result.settings().entrySet().stream()
          .map(e -> "`" + e.getKey() + "` = " + format(e.getValue())).toList()));
      md.append(".\n\n");
    }
    md.append('|');
    result.columns().forEach(c -> md.append(' ').append(c).append(" |"));
    md.append("\n|");
    result.columns().forEach(c -> md.append("---|"));
    md.append('\n');
    for (final List<Object> row : result.rows()) {
      md.append('|');
      row.forEach(v -> md.append(' ').append(format(v)).append(" |"));
      md.append('\n');
    }
    if (!result.notes().isEmpty()) {
      md.append('\n');
      result.notes().forEach(n -> md.append("- ").append(n).append('\n'));
    }
    md.append("\nRaw data: `target/bench/").append(result.scenario()).append(".json`; ran ")
        .append(format(result.seconds())).append(" s.\n");
    return md.toString();
  }

  /** Writes {@code dir/<scenario>.json}. */
  public static Path writeJson(final Path dir, final ScenarioResult result) {
    try {
      Files.createDirectories(dir);
      final Path file = dir.resolve(result.scenario() + ".json");
      JSON.writeValue(file.toFile(), result);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the result of " + result.scenario(), e);
    }
  }

  /** Writes any value as JSON to {@code file}. */
  public static void writeJson(final Path file, final Object value) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      JSON.writeValue(file.toFile(), value);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /**
   * Replaces the section {@code name} of {@code document} with {@code body}; a section that is
   * not there yet is appended at the end.
   */
  public static String replaceSection(final String document, final String name,
      final String body) {
    final String start = "<!-- bench:" + name + ":start -->";
    final String end = "<!-- bench:" + name + ":end -->";
    final String block = start + "\n" + body.stripTrailing() + "\n" + end;
    final Matcher m = Pattern.compile(Pattern.quote(start) + ".*?" + Pattern.quote(end),
        Pattern.DOTALL).matcher(document);
    if (m.find()) {
      return document.substring(0, m.start()) + block + document.substring(m.end());
    }
    return document.stripTrailing() + "\n\n" + block + "\n";
  }

  /** Rewrites the given sections of the Markdown file (created if missing). */
  public static void updateDocument(final Path file, final Map<String, String> sections) {
    try {
      String doc = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n";
      for (final Map.Entry<String, String> section : sections.entrySet()) {
        doc = replaceSection(doc, section.getKey(), section.getValue());
      }
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, doc.endsWith("\n") ? doc : doc + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot update " + file, e);
    }
  }

  /** A value as a table cell: numbers rounded sensibly, with thousands separators. */
  public static String format(final Object value) {
    if (value instanceof Double d || value instanceof Float) {
      final double v = ((Number) value).doubleValue();
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        return "n/a";
      }
      final double abs = Math.abs(v);
      if (abs >= 1000) {
        return String.format(Locale.ROOT, "%,.0f", v);
      }
      if (abs >= 100) {
        return String.format(Locale.ROOT, "%.0f", v);
      }
      if (abs >= 10) {
        return String.format(Locale.ROOT, "%.1f", v);
      }
      return String.format(Locale.ROOT, "%.2f", v);
    }
    if (value instanceof Long || value instanceof Integer) {
      return String.format(Locale.ROOT, "%,d", ((Number) value).longValue());
    }
    return String.valueOf(value);
  }
}
