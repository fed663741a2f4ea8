package io.tidewire.schemas;

import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Records a consumer has yet to read, from the Kafka client's own per-partition {@code records-lag}
 * metrics (the end offset minus the position, as of the last fetch): the one lag figure of the
 * processor and the gateway, shared here so that both read it the same way. Stateless.
 */
public final class ConsumerLag {

  private ConsumerLag() {
  }

  /**
   * The sum of {@code records-lag} over the partitions of the clients whose {@code client-id}
   * {@code client} accepts; 0 before the first fetch (the metric exists only from then on).
   *
   * @param metrics a consumer's (or a Kafka Streams client's) {@code metrics()}; read from any
   *     thread, as Kafka's metrics are
   */
  public static double sum(final Map<MetricName, ? extends Metric> metrics, final Predicate<String> client) {
    double lag = 0;
    for (final Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      final MetricName name = e.getKey();
      if (name.name().equals("records-lag") && name.group().equals("consumer-fetch-manager-metrics")
          && name.tags().containsKey("partition") && client.test(name.tags().getOrDefault("client-id", ""))
          && e.getValue().metricValue() instanceof Double value && !value.isNaN()) {
        lag += value;
      }
    }
    return lag;
  }
}
