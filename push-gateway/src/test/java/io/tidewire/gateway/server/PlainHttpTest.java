package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PlainHttpTest {

  private static final String LISTENER = "test";

  private HttpServer server;
  private int port;

  @BeforeEach
  void start() throws Exception {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    for (int i = 0; i < 2000; i++) { // ~65 kB of text: larger than Grizzly's output buffer
      Counter.builder("tidewire.test.counter").tag("i", String.valueOf(i)).register(registry);
    }
    server = new HttpServer();
    server.addListener(new NetworkListener(LISTENER, "127.0.0.1", 0));
    server.getServerConfiguration().setJmxEnabled(false);
    server.getServerConfiguration().addHttpHandler(PlainHttp.of(new MetricsHandler(registry)), "/metrics");
    server.start();
    port = server.getListener(LISTENER).getPort();
  }

  @AfterEach
  void stop() {
    server.shutdownNow();
  }

  /** HTTP_2 is the JDK client's default: on http:// it sends {@code Upgrade: h2c}, which Grizzly marks. */
  @ParameterizedTest
  @EnumSource(HttpClient.Version.class)
  void aLargeBodyKeepsItsContentTypeWhenTheClientAskedToUpgrade(final HttpClient.Version version)
      throws Exception {
    final HttpClient client = HttpClient.newBuilder().version(version).build();

    for (int i = 0; i < 3; i++) {
      final HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).hasSizeGreaterThan(64 * 1024).contains("tidewire_test_counter_total");
      assertThat(response.headers().firstValue("Content-Type")).hasValue(MetricsHandler.CONTENT_TYPE);
    }
  }
}
