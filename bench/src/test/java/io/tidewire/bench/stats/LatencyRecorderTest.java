package io.tidewire.bench.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

  private static final long MS = 1_000_000;

  @Test
  void correctedLatencyCountsFromTheScheduleRawFromCompletion() {
    final LatencyRecorder r = new LatencyRecorder();
    // scheduled at 0, committed 40 ms late, received 10 ms after the commit
    r.record(0, 40 * MS, 50 * MS);
    assertThat(r.corrected().p50()).isCloseTo(50, within(0.1));
    assertThat(r.raw().p50()).isCloseTo(10, within(0.1));
    assertThat(r.count()).isEqualTo(1);
  }

  @Test
  void percentilesOfAUniformDistribution() {
    final LatencyRecorder r = new LatencyRecorder();
    for (int i = 1; i <= 1000; i++) {
      r.record(0, 0, i * MS);
    }
    final LatencySummary s = r.corrected();
    assertThat(s.count()).isEqualTo(1000);
    assertThat(s.p50()).isCloseTo(500, within(1.0));
    assertThat(s.p95()).isCloseTo(950, within(1.0));
    assertThat(s.p99()).isCloseTo(990, within(1.0));
    assertThat(s.p999()).isCloseTo(999, within(1.0));
    assertThat(s.max()).isCloseTo(1000, within(1.0));
    assertThat(s.mean()).isCloseTo(500.5, within(0.5));
  }

  @Test
  void negativeAndHugeValuesAreClampedNotThrown() {
    final LatencyRecorder r = new LatencyRecorder();
    r.record(10 * MS, 10 * MS, 0);
    r.record(0, 0, 10L * 3600 * 1000 * MS);
    assertThat(r.count()).isEqualTo(2);
    assertThat(r.corrected().max()).isCloseTo(3_600_000, within(3_600.0));
  }

  @Test
  void resetForgetsTheWarmUp() {
    final LatencyRecorder r = new LatencyRecorder();
    r.record(0, 0, 900 * MS);
    r.reset();
    r.record(0, 0, MS);
    assertThat(r.corrected().max()).isCloseTo(1, within(0.01));
  }

  @Test
  void anEmptyHistogramSummarizesToZeros() {
    assertThat(LatencySummary.ofMicros(new Histogram(3)))
        .isEqualTo(new LatencySummary(0, 0, 0, 0, 0, 0, 0));
  }
}
