package io.tidewire.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.kafka.common.metrics.Measurable;
import org.apache.kafka.common.metrics.Metrics;
import org.junit.jupiter.api.Test;

class ConsumerLagTest {

  @Test
  void sumsThePerPartitionRecordsLagOfTheAcceptedClientsOnly() {
    try (Metrics metrics = new Metrics()) {
      lag(metrics, "main", "0", 5);
      lag(metrics, "main", "1", 7);
      lag(metrics, "main-restore-consumer", "0", 100);
      lag(metrics, "main", "2", Double.NaN);
      metrics.addMetric(metrics.metricName("records-lag-max", "consumer-fetch-manager-metrics",
          Map.of("client-id", "main")), (Measurable) (config, now) -> 1000);

      assertThat(ConsumerLag.sum(metrics.metrics(), client -> !client.endsWith("-restore-consumer")))
          .isEqualTo(12);
    }
  }

  @Test
  void isZeroBeforeTheFirstFetch() {
    try (Metrics metrics = new Metrics()) {
      assertThat(ConsumerLag.sum(metrics.metrics(), client -> true)).isZero();
    }
  }

  private static void lag(final Metrics metrics, final String client, final String partition, final double value) {
    metrics.addMetric(metrics.metricName("records-lag", "consumer-fetch-manager-metrics",
        Map.of("client-id", client, "topic", "t", "partition", partition)), (Measurable) (config, now) -> value);
  }
}
