package io.tidewire.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OpsHttpServerTest {

  @Test
  void healthSaysDownWithThePartsStateWhileItRetries() throws Exception {
    try (OpsHttpServer server = new OpsHttpServer("127.0.0.1", 0, "capture",
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), () -> false, () -> false,
        () -> Map.of("state", "retrying"))) {
      final HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.body()).isEqualTo("{\"status\":\"DOWN\",\"part\":\"capture\",\"state\":\"retrying\"}");
    }
  }
}
