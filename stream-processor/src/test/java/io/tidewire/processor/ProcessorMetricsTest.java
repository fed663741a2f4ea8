package io.tidewire.processor;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.testing.DocumentedMeters;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProcessorMetricsTest {

  @Test
  void everyDocumentedMeterIsScrapedAtZeroBeforeTheFirstRecord() {
    final Set<String> documented = DocumentedMeters.in(Path.of("README.md"), "## Metrics", "tidewire.processor.");
    assertThat(documented).contains("tidewire.processor.dead.letters", "tidewire.processor.duplicates",
        "tidewire.processor.credits.unmatched", "tidewire.processor.notifications.dropped");
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    new ProcessorApp(ProcessorConfig.fromEnv(Map.of("TIDEWIRE_KAFKA_BOOTSTRAP", "127.0.0.1:9")), registry);
    // the app is unreachable from here: a gauge that held its state weakly would now read NaN
    // (CI saw tidewire.processor.lag so once)
    System.gc();

    assertThat(DocumentedMeters.notAtZero(registry.scrape(), documented)).isEmpty();
  }
}
