package io.tidewire.bench;

/**
 * Reads values out of the Prometheus text format (what a part's /metrics serves). Stateless.
 */
final class PrometheusText {

  private PrometheusText() {
  }

  /**
   * The sum of the samples of {@code metric} whose labels contain {@code labelFilter} (e.g.
   * {@code area="heap"}; empty matches all); 0 when there is none.
   */
  static long sum(final String text, final String metric, final String labelFilter) {
    double sum = 0;
    for (final String line : text.split("\n")) {
      if (line.startsWith("#") || !line.startsWith(metric)) {
        continue;
      }
      final int brace = line.indexOf('{');
      final int space = line.lastIndexOf(' ');
      final String name = brace >= 0 ? line.substring(0, brace) : line.substring(0, space);
      if (!name.equals(metric) || space < 0) {
        continue;
      }
      final String labels = brace >= 0 ? line.substring(brace, line.indexOf('}') + 1) : "";
      if (labels.contains(labelFilter)) {
        sum += Double.parseDouble(line.substring(space + 1).trim());
      }
    }
    return Math.round(sum);
  }
}
