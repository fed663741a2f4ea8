package io.tidewire.bench.stats;

import org.HdrHistogram.AbstractHistogram;

/**
 * The percentiles of one latency distribution, in milliseconds (from microsecond histograms).
 *
 * @param count recorded values
 * @param p50 median
 * @param p95 95th percentile
 * @param p99 99th percentile
 * @param p999 99.9th percentile
 * @param max largest value
 * @param mean arithmetic mean
 */
public record LatencySummary(long count, double p50, double p95, double p99, double p999,
    double max, double mean) {

  /** The summary of a histogram of microseconds; all zero when it is empty. */
  public static LatencySummary ofMicros(final AbstractHistogram micros) {
    if (micros.getTotalCount() == 0) {
      return new LatencySummary(0, 0, 0, 0, 0, 0, 0);
    }
    return new LatencySummary(micros.getTotalCount(),
        ms(micros.getValueAtPercentile(50)), ms(micros.getValueAtPercentile(95)),
        ms(micros.getValueAtPercentile(99)), ms(micros.getValueAtPercentile(99.9)),
        ms(micros.getMaxValue()), Math.round(micros.getMean()) / 1000.0);
  }

  private static double ms(final long micros) {
    return micros / 1000.0;
  }
}
