package io.tidewire.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PrometheusTextTest {

  private static final String TEXT = """
      # HELP jvm_memory_used_bytes The amount of used memory
      # TYPE jvm_memory_used_bytes gauge
      jvm_memory_used_bytes{area="heap",id="G1 Eden Space"} 1000.0
      jvm_memory_used_bytes{area="heap",id="G1 Old Gen"} 2.5E3
      jvm_memory_used_bytes{area="nonheap",id="Metaspace"} 7000.0
      jvm_memory_used_bytes_other{area="heap"} 5.0
      """;

  @Test
  void sumsTheSamplesThatMatchTheLabels() {
    assertThat(PrometheusText.sum(TEXT, "jvm_memory_used_bytes", "area=\"heap\"")).isEqualTo(3500);
    assertThat(PrometheusText.sum(TEXT, "jvm_memory_used_bytes", "")).isEqualTo(10500);
    assertThat(PrometheusText.sum(TEXT, "missing", "")).isZero();
  }
}
