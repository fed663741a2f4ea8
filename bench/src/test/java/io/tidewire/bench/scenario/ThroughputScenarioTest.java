package io.tidewire.bench.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThroughputScenarioTest {

  @Test
  void inFlightIsAveragedOverTheLastQuarterOfTheRun() {
    final List<Map<String, Long>> samples = List.of(
        Map.of("ms", 1_000L, "inFlight", 9_999L),
        Map.of("ms", 7_000L, "inFlight", 9_999L),
        Map.of("ms", 7_500L, "inFlight", 100L),
        Map.of("ms", 9_000L, "inFlight", 300L));
    assertThat(ThroughputScenario.lastQuarterMean(samples, Duration.ofSeconds(10))).isEqualTo(200);
    assertThat(ThroughputScenario.lastQuarterMean(List.of(), Duration.ofSeconds(10))).isZero();
  }

  @Test
  void growthIsTheSlopeOfTheInFlightCountOverTheSecondHalf() {
    final List<Map<String, Long>> growing = List.of(
        Map.of("ms", 1_000L, "inFlight", 0L),
        Map.of("ms", 6_000L, "inFlight", 100L),
        Map.of("ms", 7_000L, "inFlight", 1_100L),
        Map.of("ms", 8_000L, "inFlight", 2_100L));
    assertThat(ThroughputScenario.secondHalfGrowth(growing, Duration.ofSeconds(10)))
        .isCloseTo(1_000.0, org.assertj.core.api.Assertions.within(0.001));
    final List<Map<String, Long>> flat = List.of(
        Map.of("ms", 6_000L, "inFlight", 300L),
        Map.of("ms", 7_000L, "inFlight", 200L),
        Map.of("ms", 8_000L, "inFlight", 300L));
    assertThat(ThroughputScenario.secondHalfGrowth(flat, Duration.ofSeconds(10))).isZero();
    assertThat(ThroughputScenario.secondHalfGrowth(flat.subList(0, 1), Duration.ofSeconds(10)))
        .isZero();
  }
}
