package io.tidewire.bench.stats;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class JfrProfileTest {

  @Test
  void areasAreTheFirstThreePackageSegments() {
    assertThat(JfrProfile.packagePrefix("org.apache.kafka.clients.NetworkClient", 3))
        .isEqualTo("org.apache.kafka");
    assertThat(JfrProfile.packagePrefix("io.tidewire.Foo", 3)).isEqualTo("io.tidewire");
    assertThat(JfrProfile.packagePrefix("Plain", 3)).isEqualTo("Plain");
  }

  @Test
  void sharesAreTheLargestFirstAsPercentages() {
    final Map<String, Double> top = JfrProfile.topShares(
        Map.of("a", 1L, "b", 6L, "c", 3L), 10, 2);
    assertThat(top.keySet()).containsExactly("b", "c");
    assertThat(top).containsEntry("b", 60.0).containsEntry("c", 30.0);
  }
}
