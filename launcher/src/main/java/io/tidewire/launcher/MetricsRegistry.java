package io.tidewire.launcher;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.settings.SettingsReader;
import java.util.Map;
import java.util.Set;

/**
 * The one place where the parts' registries are made: Prometheus, with Kafka's detailed series
 * denied unless {@link TidewireSettings#METRICS_KAFKA_DETAIL} is on. Micrometer's Kafka binders
 * export a series per broker node, topic, partition, task, processor node and state store (a
 * processor's scrape was about 1 MB); the client- and thread-level totals (and Tidewire's own
 * meters, lag included) are what an operator watches, so only those stay by default.
 */
final class MetricsRegistry {

  /** Tags (Micrometer spells Kafka's {@code node-id} as {@code node.id}) that mark a detailed series. */
  static final Set<String> DETAIL_TAGS = Set.of("node.id", "topic", "partition", "task.id",
      "processor.node.id", "record.cache.id");

  private MetricsRegistry() {
  }

  /** A registry for a part run with this environment. */
  static PrometheusMeterRegistry create(final Map<String, String> env) {
    return create(SettingsReader.of(env, TidewireSettings.ALL).get(TidewireSettings.METRICS_KAFKA_DETAIL));
  }

  /** A registry that keeps Kafka's detailed series only if {@code kafkaDetail}. */
  static PrometheusMeterRegistry create(final boolean kafkaDetail) {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    if (!kafkaDetail) {
      registry.config().meterFilter(MeterFilter.deny(MetricsRegistry::isKafkaDetail));
    }
    return registry;
  }

  /** A Kafka meter below the client or stream thread: per node, topic, partition, task or store. */
  static boolean isKafkaDetail(final Meter.Id id) {
    if (!id.getName().startsWith("kafka.")) {
      return false;
    }
    for (final Tag tag : id.getTags()) {
      if (DETAIL_TAGS.contains(tag.getKey()) || tag.getKey().endsWith(".state.id")) {
        return true;
      }
    }
    return false;
  }
}
