package io.tidewire.settings;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The README configuration tables, rendered from the specs. A README holds a table between
 * {@code <!-- settings:ID -->} and {@code <!-- /settings:ID -->}; each part's tests compare it
 * with {@link #table}, and running them with {@code -Dsettings.regenerate=true} rewrites it
 * instead, so the tables cannot drift from the code.
 */
public final class SettingsDoc {

  /** The system property that makes {@link #current} rewrite the section. */
  public static final String REGENERATE = "settings.regenerate";

  private SettingsDoc() {}

  /** The Markdown table of a group: one row per setting, then one per pass-through family. */
  public static String table(final SettingGroup group) {
    final StringBuilder b = new StringBuilder("| variable | default | meaning |\n|---|---|---|\n");
    for (final Setting<?> s : group.settings()) {
      row(b, "`" + s.name() + "`", s.shownDefault(), s.doc());
    }
    for (final PassThrough p : group.passThroughs()) {
      row(b, "`" + p.shownName() + "`", "", p.doc());
    }
    return b.toString();
  }

  private static void row(final StringBuilder b, final String name, final String shownDefault, final String doc) {
    b.append("| ").append(name).append(" | ").append(escape(shownDefault)).append(" | ").append(escape(doc))
        .append(" |\n");
  }

  /** A {@code |} inside a cell would end it. */
  private static String escape(final String cell) {
    return cell.replace("\\|", "|").replace("|", "\\|");
  }

  /**
   * The text of a README's section; with {@code -Dsettings.regenerate=true}, first replaces it
   * with {@code expected}.
   *
   * @param readme the Markdown file
   * @param id the section's id
   * @param expected what the section should hold
   * @return the section's text (between the marker lines)
   * @throws IllegalStateException if the README has no such section
   */
  public static String current(final Path readme, final String id, final String expected) {
    try {
      final String text = Files.readString(readme, StandardCharsets.UTF_8);
      final String begin = "<!-- settings:" + id + " -->\n";
      final String end = "<!-- /settings:" + id + " -->";
      final int from = text.indexOf(begin);
      final int to = text.indexOf(end);
      if (from < 0 || to < from) {
        throw new IllegalStateException(readme + " has no section " + begin.trim() + " … " + end);
      }
      final int start = from + begin.length();
      if (Boolean.getBoolean(REGENERATE)) {
        Files.writeString(readme, text.substring(0, start) + expected + text.substring(to), StandardCharsets.UTF_8);
        return expected;
      }
      return text.substring(start, to);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
