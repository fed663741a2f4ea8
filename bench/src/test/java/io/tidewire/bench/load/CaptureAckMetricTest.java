package io.tidewire.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CaptureAckMetricTest {

  private static final String M = "tidewire_capture_commit_to_ack_seconds";

  private static String scrape(final double le5ms, final double le10ms, final double le50ms,
      final double inf, final double sum) {
    return "# TYPE " + M + " histogram\n"
        + M + "_bucket{le=\"0.005\"} " + le5ms + "\n"
        + M + "_bucket{le=\"0.01\"} " + le10ms + "\n"
        + M + "_bucket{le=\"0.05\"} " + le50ms + "\n"
        + M + "_bucket{le=\"+Inf\"} " + inf + "\n"
        + M + "_count " + inf + "\n"
        + M + "_sum " + sum + "\n"
        + "tidewire_capture_records_total{op=\"u\"} 12.0\n";
  }

  @Test
  void aWindowIsTheDifferenceOfTwoScrapes() {
    final CaptureAckMetric.Reading before = CaptureAckMetric.parse(scrape(10, 10, 10, 10, 0.02));
    // 100 more: 40 under 5 ms, 50 more under 10 ms, 10 under 50 ms; 0.6 s in total
    final CaptureAckMetric.Reading after = CaptureAckMetric.parse(scrape(50, 100, 110, 110, 0.62));

    final CaptureAckMetric.Window w = CaptureAckMetric.between(before, after).orElseThrow();

    assertThat(w.count()).isEqualTo(100);
    assertThat(w.meanMs()).isEqualTo(6.0);
    assertThat(w.p50Ms()).isEqualTo(10.0);
    assertThat(w.p99Ms()).isEqualTo(50.0);
  }

  @Test
  void noNewAcksGiveNoWindow() {
    final CaptureAckMetric.Reading r = CaptureAckMetric.parse(scrape(1, 1, 1, 1, 0.001));
    assertThat(CaptureAckMetric.between(r, r)).isEmpty();
  }

  @Test
  void otherMetricsAreIgnored() {
    final CaptureAckMetric.Reading r = CaptureAckMetric.parse("tidewire_other_seconds_count 5\n");
    assertThat(r.count()).isZero();
    assertThat(r.buckets()).isEmpty();
  }
}
