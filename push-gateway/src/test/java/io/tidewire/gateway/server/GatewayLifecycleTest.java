package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.gateway.GatewayException;
import io.tidewire.gateway.HttpRoute;
import io.tidewire.gateway.StaticContent;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import io.tidewire.infra.SharedInfra;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayLifecycleTest {

  private static GatewayConfig config(final String bootstrap, final int port) {
    final Map<String, String> env = new HashMap<>(Map.of(
        "TIDEWIRE_KAFKA_BOOTSTRAP", bootstrap,
        "TIDEWIRE_JWT_SECRET", Tokens.SECRET,
        "TIDEWIRE_GATEWAY_HOST", "127.0.0.1",
        "TIDEWIRE_GATEWAY_PORT", String.valueOf(port),
        "TIDEWIRE_GATEWAY_OPS_PORT", "0"));
    env.putAll(KafkaSettings.singleBroker());
    return GatewayConfig.fromEnv(env);
  }

  /** Threads the gateway starts (its own, Grizzly's, Tyrus's, its Kafka clients'). */
  private static final Pattern OURS = Pattern.compile(
      "(?i)(tidewire-.*|grizzly.*|tyrus.*|kafka-admin-client-thread \\| tidewire.*)");

  private static Set<String> gatewayThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(name -> OURS.matcher(name).matches())
        .collect(Collectors.toSet());
  }

  private static Set<String> nonDaemonGatewayThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && !t.isDaemon())
        .map(Thread::getName)
        .filter(name -> OURS.matcher(name).matches())
        .collect(Collectors.toSet());
  }

  @Test
  void closeSaysGoingAwayIsIdempotentAndLeavesNoNonDaemonThread() {
    final String bootstrap = SharedInfra.get().kafka().bootstrapServers();
    final Gateway gateway = new Gateway(config(bootstrap, 0), new SimpleMeterRegistry());
    gateway.start();
    assertThat(gateway.isHealthy()).isTrue();
    assertThat(gateway.port()).isPositive();
    final WsClient client = WsClient.connect(gateway.port(), Tokens.valid(TestKit.newUser()));
    assertThat(client.answersPing("p")).isTrue();
    assertThat(gatewayThreads()).anyMatch(name -> name.startsWith("tidewire-tail-"))
        .anyMatch(name -> name.toLowerCase().startsWith("grizzly"));
    assertThat(nonDaemonGatewayThreads()).isEmpty();

    gateway.close();
    gateway.close();

    assertThat(client.awaitClose()).isEqualTo(1001);
    assertThat(gateway.isHealthy()).isFalse();
    assertThatThrownBy(gateway::port).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(gateway::start).isInstanceOf(IllegalStateException.class);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(gatewayThreads()).isEmpty());
    client.close();
  }

  @Test
  void servesTheStaticDirectoryFromTheConfig(@TempDir final Path web) throws Exception {
    Files.writeString(web.resolve("index.html"), "<p>from-a-directory</p>");
    final Map<String, String> env = new HashMap<>(Map.of(
        "TIDEWIRE_KAFKA_BOOTSTRAP", SharedInfra.get().kafka().bootstrapServers(),
        "TIDEWIRE_JWT_SECRET", Tokens.SECRET,
        "TIDEWIRE_GATEWAY_HOST", "127.0.0.1",
        "TIDEWIRE_GATEWAY_PORT", "0",
        "TIDEWIRE_GATEWAY_OPS_PORT", "0",
        "TIDEWIRE_GATEWAY_STATIC_DIR", web.toString()));
    env.putAll(KafkaSettings.singleBroker());
    try (Gateway gateway = new Gateway(GatewayConfig.fromEnv(env), new SimpleMeterRegistry())) {
      gateway.start();
      final HttpResponse<String> page = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + "/")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.body()).contains("from-a-directory");
      // no Prometheus registry was given: /metrics says so instead of failing
      assertThat(HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.opsPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }
  }

  @Test
  void startOnASingleBrokerWithTheClusterDefaultsFailsWithOneLineNamingTheSettingAndTheBrokerCount() {
    final String bootstrap = SharedInfra.get().kafka().bootstrapServers();
    final Gateway gateway = new Gateway(GatewayConfig.fromEnv(Map.of(
        "TIDEWIRE_KAFKA_BOOTSTRAP", bootstrap,
        "TIDEWIRE_JWT_SECRET", Tokens.SECRET,
        "TIDEWIRE_GATEWAY_HOST", "127.0.0.1",
        "TIDEWIRE_GATEWAY_PORT", "0",
        "TIDEWIRE_GATEWAY_OPS_PORT", "0")), new SimpleMeterRegistry());

    assertThatThrownBy(gateway::start).isInstanceOf(GatewayException.class)
        .hasMessageStartingWith("TIDEWIRE_TOPIC_REPLICATION_FACTOR is 3 but the Kafka cluster at " + bootstrap
            + " has 1 broker: ")
        .message().doesNotContain("\n");
    assertThat(gateway.isHealthy()).isFalse();
    gateway.close();
  }

  @Test
  void failedStartCleansUpAndSaysWhy() {
    final String bootstrap = SharedInfra.get().kafka().bootstrapServers();
    final Gateway first = new Gateway(config(bootstrap, 0), new SimpleMeterRegistry());
    first.start();
    try {
      final Gateway second = new Gateway(config(bootstrap, first.port()), new SimpleMeterRegistry());

      assertThatThrownBy(second::start).isInstanceOf(GatewayException.class).hasMessageContaining("cannot bind");
      assertThat(second.isHealthy()).isFalse();
      second.close();
    } finally {
      first.close();
    }
  }

  @Test
  void extraRoutesAnswerOnTheSamePortAndRefuseOtherMethods() throws Exception {
    final String bootstrap = SharedInfra.get().kafka().bootstrapServers();
    final HttpRoute echo = new HttpRoute("POST", "/demo/echo",
        query -> HttpRoute.Reply.json("{\"user\":\"" + query.get("user") + "\"}"));
    try (Gateway gateway = new Gateway(config(bootstrap, 0), new SimpleMeterRegistry(),
        StaticContent.none(), List.of(echo))) {
      gateway.start();
      final HttpClient http = HttpClient.newHttpClient();
      final URI uri = URI.create("http://127.0.0.1:" + gateway.port()
          + "/demo/echo?user=alice");
      final var ok = http.send(HttpRequest.newBuilder(uri)
          .POST(HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("{\"user\":\"alice\"}");
      final var wrong = http.send(HttpRequest.newBuilder(uri).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(wrong.statusCode()).isEqualTo(405);
    }
  }
}
