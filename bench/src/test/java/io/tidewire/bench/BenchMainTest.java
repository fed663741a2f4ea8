package io.tidewire.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchMainTest {

  @Test
  void scenariosRunInPipelineOrderWhateverTheOrderGiven() {
    assertThat(BenchMain.select(List.of("capture", "latency")).stream().map(Scenario::name))
        .containsExactly("latency", "capture");
  }

  @Test
  void noNameMeansEveryScenario() {
    assertThat(BenchMain.select(List.of()).stream().map(Scenario::name))
        .containsExactly("latency", "throughput", "fanout", "connections", "ceiling", "catchup", "capture", "presence");
  }

  @Test
  void anUnknownScenarioIsAClearError() {
    assertThatThrownBy(() -> BenchMain.select(List.of("latncy")))
        .hasMessageContaining("unknown scenario 'latncy'").hasMessageContaining("fanout");
  }
}
