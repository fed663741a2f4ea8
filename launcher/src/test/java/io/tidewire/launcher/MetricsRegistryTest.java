package io.tidewire.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.infra.SharedInfra;
import io.tidewire.processor.ProcessorApp;
import io.tidewire.processor.ProcessorConfig;
import io.tidewire.settings.KafkaSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class MetricsRegistryTest {

  private static final Logger LOG = LoggerFactory.getLogger(MetricsRegistryTest.class);

  @Test
  void kafkaDetailIsOffByDefaultAndOnWhenAsked() {
    final PrometheusMeterRegistry trimmed = MetricsRegistry.create(Map.of());
    final PrometheusMeterRegistry detailed = MetricsRegistry.create(Map.of("TIDEWIRE_METRICS_KAFKA_DETAIL", "true"));
    for (final PrometheusMeterRegistry registry : new PrometheusMeterRegistry[] {trimmed, detailed}) {
      registry.gauge("kafka.consumer.fetch.manager.records.lag", Tags.of(
          "client.id", "c", "topic", "t", "partition", "0"), 5);
      registry.gauge("kafka.consumer.fetch.manager.records.lag.max", Tags.of(
          "client.id", "c"), 5);
    }

    assertThat(trimmed.scrape()).doesNotContain("partition=").contains("kafka_consumer_fetch_manager_records_lag_max");
    assertThat(detailed.scrape()).contains("partition=\"0\"");
  }

  @Test
  void aRunningProcessorsScrapeKeepsClientTotalsAndItsOwnLagWithoutKafkasDetail() throws IOException {
    final PrometheusMeterRegistry trimmed = MetricsRegistry.create(false);
    final PrometheusMeterRegistry detailed = MetricsRegistry.create(true);
    final CompositeMeterRegistry both = new CompositeMeterRegistry();
    both.add(trimmed);
    both.add(detailed);
    final Map<String, String> env = new HashMap<>(Map.of(
        "TIDEWIRE_KAFKA_BOOTSTRAP", SharedInfra.get().kafka().bootstrapServers(),
        "TIDEWIRE_PROCESSOR_APP_ID", "metrics-registry-test",
        "TIDEWIRE_PROCESSOR_STATE_DIR", Path.of(System.getProperty("java.io.tmpdir"), "streams-metrics-registry-test")
            .toString(),
        "TIDEWIRE_PROCESSOR_SHUTDOWN_TIMEOUT_MS", "20000"));
    env.putAll(KafkaSettings.singleBroker());
    final ProcessorConfig config = ProcessorConfig.fromEnv(env);
    try (ProcessorApp app = new ProcessorApp(config, both)) {
      app.start();
      assertThat(app.awaitRunning(Duration.ofSeconds(90))).isTrue();
      await().atMost(Duration.ofSeconds(60))
          .until(() -> {
            final String scrape = detailed.scrape();
            // per-partition and per-task series register as partitions and tasks are assigned
            return scrape.contains("kafka_consumer_fetch_manager_records_lag{") && scrape.contains("partition=\"")
                && scrape.contains("task_id=\"");
          });

      final String small = trimmed.scrape();
      final String large = detailed.scrape();
      LOG.info("processor scrape: {} bytes, {} lines with Kafka's detail; {} bytes, {} lines without",
          large.length(), large.lines().count(), small.length(), small.lines().count());
      Files.writeString(Path.of("target", "scrape-trimmed.txt"), small);
      Files.writeString(Path.of("target", "scrape-detailed.txt"), large);
      System.out.printf("SCRAPE-SIZE detailed=%d bytes/%d lines trimmed=%d bytes/%d lines%n",
          large.length(), large.lines().count(), small.length(), small.lines().count());

      // what is dropped, not by how much: the detailed scrape's size depends on how many partition
      // and task series exist at the moment of the scrape (printed above for the docs' figures)
      assertThat(large).contains("partition=\"", "task_id=\"");
      assertThat(small).doesNotContain("partition=\"").doesNotContain("task_id=\"")
          .contains("tidewire_processor_lag_records", "tidewire_processor_dead_letters_total",
              "kafka_stream_thread_", "kafka_consumer_coordinator_");
    }
  }
}
