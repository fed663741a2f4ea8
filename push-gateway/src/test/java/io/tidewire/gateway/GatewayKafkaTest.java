package io.tidewire.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayKafkaTest {

  private static final GatewayConfig CONFIG = GatewayConfig.fromEnv(Map.of(
      "TIDEWIRE_KAFKA_BOOTSTRAP", "k1:9092,[::1]:9093",
      "TIDEWIRE_JWT_SECRET", "0123456789abcdef0123456789abcdef",
      "TIDEWIRE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
      "TIDEWIRE_KAFKA_SASL_MECHANISM", "SCRAM-SHA-512",
      "TIDEWIRE_KAFKA_FETCH_MAX_WAIT_MS", "300"));

  @Test
  void kafkaClientSettingsReachTheAdminAndEveryConsumer() {
    assertThat(GatewayKafka.adminProperties(CONFIG))
        .containsEntry("bootstrap.servers", "k1:9092,[::1]:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("client.id", "tidewire-gateway-admin");
    assertThat(GatewayKafka.consumerProperties(CONFIG, "c", "latest", Map.of()))
        .containsEntry("bootstrap.servers", "k1:9092,[::1]:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
  }

  @Test
  void consumersKeepTheirContractOverTheClientSettings() {
    assertThat(GatewayKafka.consumerProperties(CONFIG, "c", "none", Map.of("max.poll.records", "50")))
        .containsEntry("client.id", "c")
        .containsEntry("isolation.level", "read_committed")
        .containsEntry("enable.auto.commit", "false")
        .containsEntry("auto.offset.reset", "none")
        .containsEntry("max.poll.records", "50")
        // the live tails' fetch wait is chosen for latency
        .containsEntry("fetch.max.wait.ms", "100");
  }
}
