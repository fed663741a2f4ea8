package io.tidewire.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The meters a document names, and whether a Prometheus scrape shows each of them at zero: the
 * check that keeps a part's metrics list and its registrations from drifting apart. Stateless.
 */
public final class DocumentedMeters {

  private static final Pattern QUOTED = Pattern.compile("`(tidewire(?:\\.[a-z0-9]+)+)(?:\\{[^`]*})?`");

  private DocumentedMeters() {
  }

  /**
   * The Micrometer names in backquotes starting with {@code prefix} in the section of this
   * Markdown file whose heading starts with {@code heading} (e.g. {@code "## Metrics"}), up to
   * the next heading of that level.
   */
  public static Set<String> in(final Path markdown, final String heading, final String prefix) {
    final String text = section(markdown, heading);
    final Set<String> names = new TreeSet<>();
    final Matcher m = QUOTED.matcher(text);
    while (m.find()) {
      if (m.group(1).startsWith(prefix)) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  private static String section(final Path markdown, final String heading) {
    final List<String> lines;
    try {
      lines = Files.readAllLines(markdown);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    final String level = heading.substring(0, heading.indexOf(' ') + 1);
    final StringBuilder text = new StringBuilder();
    boolean inside = false;
    for (final String line : lines) {
      if (line.startsWith(level)) {
        inside = line.startsWith(heading);
      } else if (inside) {
        text.append(line).append('\n');
      }
    }
    if (text.isEmpty()) {
      throw new IllegalArgumentException(markdown + " has no section '" + heading + "'");
    }
    return text.toString();
  }

  /**
   * The names among {@code names} that have no sample with value 0 in this Prometheus scrape
   * (counters as {@code _total}, timers and summaries as their {@code _count}, after a unit).
   */
  public static List<String> notAtZero(final String scrape, final Set<String> names) {
    return names.stream().filter(name -> !atZero(scrape, name)).toList();
  }

  private static boolean atZero(final String scrape, final String name) {
    final Pattern sample = Pattern.compile("(?m)^" + Pattern.quote(name.replace('.', '_'))
        + "(?:_seconds|_bytes|_records)?(?:_total|_count)?(?:\\{[^}]*})? 0(?:\\.0)?$");
    return sample.matcher(scrape).find();
  }
}
