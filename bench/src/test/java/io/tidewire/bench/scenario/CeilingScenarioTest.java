package io.tidewire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.tidewire.bench.scenario.CeilingScenario.Measured;
import io.tidewire.bench.scenario.CeilingScenario.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

class CeilingScenarioTest {

  private static final List<Sample> STEADY = List.of(new Sample(200, 20_000, 40_000),
      new Sample(400, 40_000, 80_000), new Sample(600, 60_000, 100_000),
      new Sample(800, 80_000, 100_000), new Sample(1_000, 100_000, 100_000),
      new Sample(1_200, 100_000, 100_000));

  @Test
  void theTimeTheLastRecordWasReadIsInterpolatedBetweenSamples() {
    assertThat(CeilingScenario.millisWhenRead(STEADY, 90_000)).isCloseTo(900, within(1e-9));
    assertThat(CeilingScenario.millisWhenRead(STEADY, 100_000)).isCloseTo(1_000, within(1e-9));
    assertThat(CeilingScenario.millisWhenRead(STEADY, 10_000)).isCloseTo(100, within(1e-9));
  }

  @Test
  void recordsReadAtATimeAreInterpolatedBetweenSamples() {
    assertThat(CeilingScenario.readAt(STEADY, 500)).isCloseTo(50_000, within(1e-9));
    assertThat(CeilingScenario.readAt(STEADY, 5_000)).isEqualTo(100_000);
  }

  @Test
  void thePeakIsTheBestWindowOfAtLeastOneSecond() {
    final List<Sample> burst = List.of(new Sample(0, 0, 0), new Sample(500, 10_000, 0),
        new Sample(1_000, 20_000, 0), new Sample(1_500, 150_000, 0),
        new Sample(2_000, 160_000, 0), new Sample(2_500, 170_000, 0));
    assertThat(CeilingScenario.peak(burst)).isCloseTo(140_000, within(1e-9));
    assertThat(CeilingScenario.peak(burst.subList(0, 2))).isZero();
  }

  @Test
  void aHoldIsSustainedOnlyWithSmallLagAtItsEndAndAQuickDrain() {
    assertThat(CeilingScenario.sustained(hold(STEADY, 100_000, 1_000, 0), 100_000)).isTrue();
    final List<Sample> growing = List.of(new Sample(250, 10_000, 25_000),
        new Sample(500, 20_000, 50_000), new Sample(750, 30_000, 75_000),
        new Sample(1_000, 40_000, 100_000), new Sample(2_000, 100_000, 100_000));
    assertThat(CeilingScenario.sustained(hold(growing, 100_000, 1_000, 1_000), 50_000)).isFalse();
    assertThat(CeilingScenario.sustained(hold(STEADY, 100_000, 1_000, 1_500), 100_000)).isFalse();
  }

  private static Measured hold(final List<Sample> samples, final long records,
      final double producedMillis, final double drainMillis) {
    return new Measured(records, samples.get(samples.size() - 1).read(), 0, 0, 0, 0, 0,
        drainMillis, producedMillis, 0, 0, 0, 0, 0, List.of(), samples);
  }
}
