package io.tidewire.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.tidewire.gateway.Gateway;
import io.tidewire.gateway.GatewayConfig;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.testing.Events;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.testing.Tokens;
import io.tidewire.infra.EmbeddedKafka;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.UserEvent;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.testing.WsClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partitions added to {@code realtime.user-events} while a gateway runs, against a Kafka of its
 * own (the shared one's topics keep 3 partitions for the other tests): the gateway follows the
 * new count, closes its sessions with 1001, and a user now hashed to a new partition gets its
 * events after resuming ({@code recovered:false} and a snapshot: its cursor names the old one).
 */
class GatewayPartitionChangeTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path dir;

  private static EmbeddedKafka kafka;
  private static Gateway gateway;
  private static PrometheusMeterRegistry registry;
  private static Admin admin;
  private static KafkaProducer<String, UserEvent> users;

  @BeforeAll
  static void start() {
    kafka = EmbeddedKafka.start(0, dir);
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final Map<String, String> env = new HashMap<>(Map.of(
        "TIDEWIRE_KAFKA_BOOTSTRAP", kafka.bootstrapServers(),
        "TIDEWIRE_TOPIC_PARTITIONS", "3",
        "TIDEWIRE_JWT_SECRET", Tokens.SECRET,
        "TIDEWIRE_GATEWAY_HOST", "127.0.0.1",
        "TIDEWIRE_GATEWAY_PORT", "0",
        "TIDEWIRE_GATEWAY_OPS_PORT", "0",
        "TIDEWIRE_GATEWAY_METADATA_CHECK_SECONDS", "1"));
    env.putAll(KafkaSettings.singleBroker());
    gateway = new Gateway(GatewayConfig.fromEnv(env), registry);
    gateway.start();
    admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    final Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    users = new KafkaProducer<>(props, new StringSerializer(), Topics.USER_EVENTS.valueSerde().serializer());
  }

  @AfterAll
  static void stop() {
    TestKit.closeAll(gateway, users, admin, kafka);
  }

  @Test
  void userHashedToAnAddedPartitionGetsItsEventsAfterResuming() throws Exception {
    final String user = Stream.generate(() -> UUID.randomUUID().toString())
        .filter(u -> Topics.partitionOf(u, 6) >= 3).findFirst().orElseThrow();
    final int newPartition = Topics.partitionOf(user, 6);
    assertThat(gauge("tidewire.gateway.tail.partitions")).isEqualTo(3);
    assertThat(gauge("tidewire.gateway.tail.partition.changes")).isZero();

    try (WsClient before = WsClient.connect(gateway.port(), Tokens.valid(user))) {
      final String oldCursor = before.subscribe("s", "user").get("cursor").textValue();

      admin.createPartitions(Map.of(Topics.USER_EVENTS.name(), NewPartitions.increaseTo(6))).all().get();
      // What the processor writes once its producer knows the new count, maybe before the gateway does.
      users.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), newPartition, user,
          Events.progress(user, "written-early", 10))).get();

      assertThat(before.awaitClose()).isEqualTo(1001);
      assertThat(gauge("tidewire.gateway.tail.partitions")).isEqualTo(6);
      assertThat(gauge("tidewire.gateway.tail.partition.changes")).isEqualTo(1);
      assertThat(gateway.isHealthy()).isTrue();

      try (WsClient after = WsClient.connect(gateway.port(), Tokens.valid(user))) {
        after.send("{\"op\":\"subscribe\",\"ref\":\"r\",\"channel\":\"user\",\"cursor\":\"" + oldCursor + "\"}");
        final JsonNode reply = after.reply("r");
        assertThat(reply.get("recovered").booleanValue()).isFalse();
        final Cursor seam = TestKit.CURSORS.decode(reply.get("cursor").textValue());
        assertThat(seam.offsets()).containsOnlyKeys(newPartition);
        after.awaitFrame(f -> "snapshot".equals(f.path("op").textValue()));

        users.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), newPartition, user,
            Events.progress(user, "after-resume", 20))).get();

        final JsonNode event = after.awaitFrame(f -> "after-resume".equals(f.path("id").textValue()));
        assertThat(TestKit.CURSORS.decode(event.get("cursor").textValue()).offset(newPartition)).hasValue(2);
      }
    }
  }

  private static double gauge(final String name) {
    await().atMost(WAIT).until(() -> registry.find(name).tag("topic", Topics.USER_EVENTS.name()).meter() != null);
    return registry.find(name).tag("topic", Topics.USER_EVENTS.name()).meter().measure().iterator().next()
        .getValue();
  }
}
