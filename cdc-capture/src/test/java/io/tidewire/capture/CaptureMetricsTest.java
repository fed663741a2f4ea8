package io.tidewire.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.testing.DocumentedMeters;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CaptureMetricsTest {

  @Test
  void everyDocumentedMeterIsScrapedAtZeroBeforeStart() {
    final Set<String> documented = DocumentedMeters.in(Path.of("README.md"), "## Metrics", "tidewire.capture.");
    assertThat(documented).contains("tidewire.capture.slot.lag", "tidewire.capture.dead.letters",
        "tidewire.capture.records", "tidewire.capture.errors");
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    try (CaptureService service = new CaptureService(
        CaptureConfig.fromEnv(Map.of("TIDEWIRE_KAFKA_BOOTSTRAP", "127.0.0.1:9")), registry)) {
      final String scrape = registry.scrape();

      assertThat(DocumentedMeters.notAtZero(scrape, documented)).isEmpty();
      assertThat(scrape).contains("tidewire_capture_records_total{op=\"c\",table=\"public.users\"} 0.0");
    }
  }
}
