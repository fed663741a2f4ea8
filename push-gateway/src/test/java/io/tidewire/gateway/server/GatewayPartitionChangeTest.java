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
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partitions added to {@code realtime.user-events} while a gateway runs, against a Kafka of its
 * own per test (the shared one's topics keep 3 partitions for the other tests): the gateway
 * follows the new count, closes its sessions with 1001, and a user now hashed to a new partition
 * resumes from its cursor of the old one with {@code recovered:true}: the replay reads the old
 * partition from the cursor, then the new one from its start, so no event is missed and no
 * snapshot is needed. If retention deleted the start of the new partition, the resume is
 * explicitly unrecoverable ({@code recovered:false} and a snapshot).
 */
class GatewayPartitionChangeTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path dir;

  private EmbeddedKafka kafka;
  private Gateway gateway;
  private PrometheusMeterRegistry registry;
  private Admin admin;
  /** A producer that knew the topic before the increase (and keeps its metadata for minutes). */
  private KafkaProducer<String, UserEvent> users;

  @BeforeEach
  void start() {
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
    users = producer();
  }

  @AfterEach
  void stop() {
    TestKit.closeAll(gateway, users, admin, kafka);
  }

  @Test
  void userHashedToAnAddedPartitionWhileConnectedGetsTheEventsWrittenThereByTheReplay() throws Exception {
    final String user = movedUser();
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
        assertThat(reply.get("recovered").booleanValue()).isTrue();
        final Cursor from = TestKit.CURSORS.decode(reply.get("cursor").textValue());
        assertThat(from.offsets()).containsEntry(newPartition, 0L).hasSize(2);
        after.awaitFrame(f -> "written-early".equals(f.path("id").textValue()));

        users.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), newPartition, user,
            Events.progress(user, "after-resume", 20))).get();

        final JsonNode event = after.awaitFrame(f -> "after-resume".equals(f.path("id").textValue()));
        assertThat(TestKit.CURSORS.decode(event.get("cursor").textValue()).offset(newPartition)).hasValue(2);
        assertThat(ids(after)).containsExactly("written-early", "after-resume");
        assertThat(after.frames()).noneMatch(f -> "snapshot".equals(f.path("op").textValue()));
      }
    }
  }

  @Test
  void resumeFromTheOldPartitionAfterAnIncreaseDeliversEveryEventInOrderWithoutSnapshot() throws Exception {
    final String user = movedUser();
    final int oldPartition = Topics.partitionOf(user, 3);
    final int newPartition = Topics.partitionOf(user, 6);
    final String oldCursor = cursorAfter(user, "before");
    // Written while the client is away, before the increase: the old partition.
    assertThat(send(users, user, "old-1").partition()).isEqualTo(oldPartition);
    assertThat(send(users, user, "old-2").partition()).isEqualTo(oldPartition);

    increaseTo6();
    // Kafka's default partitioner, with the new count, puts the user's next events in the new partition.
    try (KafkaProducer<String, UserEvent> fresh = producer()) {
      for (final String id : List.of("new-1", "new-2", "new-3")) {
        assertThat(send(fresh, user, id).partition()).isEqualTo(newPartition);
      }

      try (WsClient after = WsClient.connect(gateway.port(), Tokens.valid(user))) {
        after.send("{\"op\":\"subscribe\",\"ref\":\"r\",\"channel\":\"user\",\"cursor\":\"" + oldCursor + "\"}");
        final JsonNode reply = after.reply("r");
        assertThat(reply.get("recovered").booleanValue()).isTrue();
        // The reply's cursor names both of the user's partitions: the new one from its start.
        assertThat(TestKit.CURSORS.decode(reply.get("cursor").textValue()).offsets())
            .containsOnlyKeys(oldPartition, newPartition).containsEntry(newPartition, 0L);
        after.awaitFrame(f -> "new-3".equals(f.path("id").textValue()));

        // Live, both partitions are the user's: a producer that did not see the new count yet
        // still writes to the old one, one that did to the new one.
        users.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), oldPartition, user,
            Events.progress(user, "late-old", 50))).get();
        after.awaitFrame(f -> "late-old".equals(f.path("id").textValue()));
        send(fresh, user, "new-4");
        after.awaitFrame(f -> "new-4".equals(f.path("id").textValue()));

        assertThat(ids(after)).containsExactly("old-1", "old-2", "new-1", "new-2", "new-3", "late-old", "new-4");
        assertThat(after.frames()).noneMatch(f -> "snapshot".equals(f.path("op").textValue()));
        final JsonNode last = after.awaitFrame(f -> "new-3".equals(f.path("id").textValue()));
        assertThat(TestKit.CURSORS.decode(last.get("cursor").textValue()).offset(newPartition)).hasValue(3);
      }
    }
  }

  @Test
  void addedPartitionThatLostItsStartToRetentionMakesTheResumeExplicitlyUnrecoverable() throws Exception {
    final String user = movedUser();
    final int newPartition = Topics.partitionOf(user, 6);
    final String oldCursor = cursorAfter(user, "before");
    increaseTo6();
    try (KafkaProducer<String, UserEvent> fresh = producer()) {
      send(fresh, user, "new-1");
      send(fresh, user, "new-2");
    }
    // Retention (here: a deletion of records) took the start of the new partition.
    admin.deleteRecords(Map.of(new TopicPartition(Topics.USER_EVENTS.name(), newPartition),
        RecordsToDelete.beforeOffset(1))).all().get();

    try (WsClient after = WsClient.connect(gateway.port(), Tokens.valid(user))) {
      after.send("{\"op\":\"subscribe\",\"ref\":\"r\",\"channel\":\"user\",\"cursor\":\"" + oldCursor + "\"}");
      final JsonNode reply = after.reply("r");
      assertThat(reply.get("recovered").booleanValue()).isFalse();
      assertThat(TestKit.CURSORS.decode(reply.get("cursor").textValue()).offsets()).containsOnlyKeys(newPartition);
      after.awaitFrame(f -> "snapshot".equals(f.path("op").textValue()));
      assertThat(registry.find("tidewire.gateway.unrecoverable.cursors")
          .tag("reason", "added_partition_truncated").counter().count()).isEqualTo(1);
      assertThat(ids(after)).isEmpty();
    }
  }

  /** A user whose key hashes to an added partition once the topic has 6 instead of 3. */
  private static String movedUser() {
    return Stream.generate(() -> UUID.randomUUID().toString())
        .filter(u -> Topics.partitionOf(u, 6) >= 3).findFirst().orElseThrow();
  }

  /** The cursor of event {@code id}, written for {@code user} and received live, then disconnects. */
  private String cursorAfter(final String user, final String id) throws Exception {
    try (WsClient before = WsClient.connect(gateway.port(), Tokens.valid(user))) {
      before.subscribe("s", "user");
      send(users, user, id);
      return before.awaitFrame(f -> id.equals(f.path("id").textValue())).get("cursor").textValue();
    }
  }

  /** Adds partitions, and waits until the gateway follows them (its sessions resume afterwards). */
  private void increaseTo6() throws Exception {
    admin.createPartitions(Map.of(Topics.USER_EVENTS.name(), NewPartitions.increaseTo(6))).all().get();
    await().atMost(WAIT).until(() -> gauge("tidewire.gateway.tail.partitions") == 6);
  }

  private static RecordMetadata send(final KafkaProducer<String, UserEvent> producer, final String user,
      final String id) throws Exception {
    return producer.send(new ProducerRecord<>(Topics.USER_EVENTS.name(), user, Events.progress(user, id, 1))).get();
  }

  private KafkaProducer<String, UserEvent> producer() {
    final Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.LINGER_MS_CONFIG, "1");
    return new KafkaProducer<>(props, new StringSerializer(), Topics.USER_EVENTS.valueSerde().serializer());
  }

  private static List<String> ids(final WsClient client) {
    return client.events().stream().map(e -> e.get("id").textValue()).toList();
  }

  private double gauge(final String name) {
    await().atMost(WAIT).until(() -> registry.find(name).tag("topic", Topics.USER_EVENTS.name()).meter() != null);
    return registry.find(name).tag("topic", Topics.USER_EVENTS.name()).meter().measure().iterator().next()
        .getValue();
  }
}
