package io.tidewire.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.testing.DocumentedMeters;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GatewayMetricsTest {

  @Test
  void everyDocumentedMeterIsScrapedAtZeroBeforeStart() {
    final Set<String> documented = DocumentedMeters.in(Path.of("README.md"), "## Metrics", "tidewire.gateway.");
    assertThat(documented).contains("tidewire.gateway.connections", "tidewire.gateway.tail.lag",
        "tidewire.gateway.upgrade.rejections", "tidewire.gateway.token.rejections",
        "tidewire.gateway.records.skipped", "tidewire.gateway.replays.pending", "tidewire.gateway.user.states");
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    try (Gateway gateway = new Gateway(GatewayConfig.fromEnv(Map.of("TIDEWIRE_KAFKA_BOOTSTRAP", "127.0.0.1:9",
        "TIDEWIRE_JWT_SECRET", "0123456789abcdef0123456789abcdef")), registry)) {
      final String scrape = registry.scrape();

      assertThat(DocumentedMeters.notAtZero(scrape, documented)).isEmpty();
      assertThat(scrape).contains(
          "tidewire_gateway_tail_lag_records{topic=\"realtime.user-events\"} 0.0",
          "tidewire_gateway_tail_lag_records{topic=\"realtime.feed-events\"} 0.0",
          "tidewire_gateway_records_skipped_total{topic=\"realtime.user-state\"} 0.0",
          "tidewire_gateway_upgrade_rejections_total{reason=\"expired\"} 0.0");
    }
  }
}
