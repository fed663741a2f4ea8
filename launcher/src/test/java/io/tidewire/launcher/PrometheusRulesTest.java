package io.tidewire.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.capture.CaptureConfig;
import io.tidewire.capture.CaptureService;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.processor.ProcessorApp;
import io.tidewire.processor.ProcessorConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/prometheus: valid for promtool, and every metric its rules name is in the parts' scrapes. */
class PrometheusRulesTest {

  private static final Path DIR = Path.of("..", "docs", "prometheus");
  private static final Map<String, String> ENV = Map.of("TIDEWIRE_KAFKA_BOOTSTRAP", "127.0.0.1:9",
      "TIDEWIRE_JWT_SECRET", "0123456789abcdef0123456789abcdef");

  @Test
  void everyMetricTheAlertRulesNameIsInAScrapeOfTheParts() throws IOException {
    final Set<String> named = new TreeSet<>();
    final Matcher m = Pattern.compile("\\btidewire_[a-z0-9_]+").matcher(Files.readString(DIR.resolve("alerts.yml")));
    while (m.find()) {
      named.add(m.group());
    }
    assertThat(named).contains("tidewire_capture_slot_lag_bytes", "tidewire_processor_lag_records",
        "tidewire_gateway_connections");

    final PrometheusMeterRegistry registry = MetricsRegistry.create(ENV);
    try (CaptureService capture = new CaptureService(CaptureConfig.fromEnv(ENV, TidewireSettings.ALL), registry);
         Gateway gateway = new Gateway(GatewayConfig.fromEnv(ENV, TidewireSettings.ALL), registry)) {
      new ProcessorApp(ProcessorConfig.fromEnv(ENV, TidewireSettings.ALL), registry);
      final Set<String> scraped = new TreeSet<>();
      registry.scrape().lines().filter(line -> !line.startsWith("#"))
          .map(line -> line.split("[{ ]", 2)[0]).forEach(scraped::add);

      assertThat(scraped).containsAll(named);
    }
  }

  @Test
  void promtoolAcceptsTheRulesAndTheScrapeConfig() throws IOException, InterruptedException {
    final Optional<Path> promtool = ExternalTool.find("promtool");
    assumeTrue(promtool.isPresent(), "promtool not found (apt-get install prometheus; CI installs it): "
        + "docs/prometheus not checked");
    ExternalTool.check(List.of(promtool.get().toString(), "check", "rules", DIR.resolve("alerts.yml").toString()));
    ExternalTool.check(List.of(promtool.get().toString(), "check", "config", DIR.resolve("prometheus.yml").toString()));
  }
}
