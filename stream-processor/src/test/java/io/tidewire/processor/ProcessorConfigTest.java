package io.tidewire.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class ProcessorConfigTest {

  private static Map<String, String> env(final String... namesAndValues) {
    final Map<String, String> env = new HashMap<>();
    env.put("TIDEWIRE_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    for (int i = 0; i < namesAndValues.length; i += 2) {
      env.put(namesAndValues[i], namesAndValues[i + 1]);
    }
    return env;
  }

  private static List<String> problems(final Map<String, String> env) {
    return catchThrowableOfType(ProcessorConfigException.class, () -> ProcessorConfig.fromEnv(env))
        .problems();
  }

  @Test
  void defaultsApplyWhenOnlyBootstrapIsSet() {
    final ProcessorConfig config = ProcessorConfig.fromEnv(env());

    assertThat(config.bootstrapServers()).isEqualTo("127.0.0.1:9092");
    assertThat(config.applicationId()).isEqualTo("tidewire-processor");
    assertThat(config.stateDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "tidewire-processor"));
    assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(50));
    assertThat(config.streamThreads()).isEqualTo(1);
    assertThat(config.topicPartitions()).isEqualTo(3);
    assertThat(config.replicationFactor()).isEqualTo((short) 1);
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.ownedTables()).containsExactly(
        new OwnedTable(new TableId("public", "generation_jobs"), "user_id", Optional.of("generation.progress")),
        new OwnedTable(new TableId("public", "training_jobs"), "user_id", Optional.of("training.progress")),
        new OwnedTable(new TableId("public", "credit_transactions"), "user_id", Optional.empty()),
        new OwnedTable(new TableId("public", "users"), "id", Optional.empty()));
    assertThat(config.feedTables()).containsExactly(
        new FeedTable(new TableId("public", "videos"), "video"),
        new FeedTable(new TableId("public", "images"), "image"));
    assertThat(config.streamsOverrides()).isEmpty();
    assertThat(config.inputTopics()).containsExactly("cdc.public.generation_jobs", "cdc.public.training_jobs",
        "cdc.public.credit_transactions", "cdc.public.users", "cdc.public.videos", "cdc.public.images");
    assertThat(config.outputTopics()).containsExactly("realtime.user-events", "realtime.feed-events", "realtime.dlq");
  }

  @Test
  void explicitValuesOverrideDefaults() {
    final ProcessorConfig config = ProcessorConfig.fromEnv(env(
        "TIDEWIRE_PROCESSOR_APP_ID", "proc-2",
        "TIDEWIRE_PROCESSOR_STATE_DIR", "/var/lib/tidewire",
        "TIDEWIRE_PROCESSOR_COMMIT_INTERVAL_MS", "200",
        "TIDEWIRE_PROCESSOR_THREADS", "4",
        "TIDEWIRE_TOPIC_PARTITIONS", "12",
        "TIDEWIRE_TOPIC_REPLICATION_FACTOR", "3",
        "TIDEWIRE_PROCESSOR_SHUTDOWN_TIMEOUT_MS", "5000",
        "TIDEWIRE_OWNED_TABLES", " app.orders:buyer_id , app.invoices:customer:invoice.changed ,",
        "TIDEWIRE_FEED_TABLES", "none"));

    assertThat(config.applicationId()).isEqualTo("proc-2");
    assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/tidewire"));
    assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.streamThreads()).isEqualTo(4);
    assertThat(config.topicPartitions()).isEqualTo(12);
    assertThat(config.replicationFactor()).isEqualTo((short) 3);
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.ownedTables()).containsExactly(
        new OwnedTable(new TableId("app", "orders"), "buyer_id", Optional.empty()),
        new OwnedTable(new TableId("app", "invoices"), "customer", Optional.of("invoice.changed")));
    assertThat(config.feedTables()).isEmpty();
  }

  @Test
  void blankValuesCountAsUnset() {
    final ProcessorConfig config = ProcessorConfig.fromEnv(env(
        "TIDEWIRE_PROCESSOR_THREADS", " ", "TIDEWIRE_OWNED_TABLES", ""));

    assertThat(config.streamThreads()).isEqualTo(1);
    assertThat(config.ownedTables()).hasSize(4);
  }

  @Test
  void bootstrapIsRequired() {
    final Map<String, String> env = env();
    env.remove("TIDEWIRE_KAFKA_BOOTSTRAP");

    assertThatThrownBy(() -> ProcessorConfig.fromEnv(env))
        .isInstanceOf(ProcessorConfigException.class)
        .hasMessageContaining("TIDEWIRE_KAFKA_BOOTSTRAP is required");
  }

  @Test
  void bootstrapEntriesMustBeHostAndPort() {
    assertThat(problems(env("TIDEWIRE_KAFKA_BOOTSTRAP", "broker1:9092,broker2")))
        .containsExactly("TIDEWIRE_KAFKA_BOOTSTRAP: 'broker2' is not host:port");
  }

  @Test
  void reportsEveryProblemAtOnceNamingTheVariable() {
    final List<String> problems = problems(env(
        "TIDEWIRE_PROCESSOR_THREADS", "many",
        "TIDEWIRE_TOPIC_PARTITIONS", "0",
        "TIDEWIRE_PROCESSOR_COMMIT_INTERVAL_MS", "-1",
        "TIDEWIRE_PROCESSOR_APP_ID", "my app",
        "TIDEWIRE_OWNED_TABLES", "public.orders"));

    assertThat(problems).containsExactlyInAnyOrder(
        "TIDEWIRE_PROCESSOR_THREADS must be an integer, got 'many'",
        "TIDEWIRE_TOPIC_PARTITIONS must be >= 1, got 0",
        "TIDEWIRE_PROCESSOR_COMMIT_INTERVAL_MS must be >= 0, got -1",
        "TIDEWIRE_PROCESSOR_APP_ID: 'my app' may only contain letters, digits, '.', '_' and '-'",
        "TIDEWIRE_OWNED_TABLES: expected schema.table:ownerColumn[:eventType], got 'public.orders'");
  }

  @Test
  void ownedTableEntriesAreValidated() {
    assertThat(problems(env("TIDEWIRE_OWNED_TABLES", "orders:user_id,public.a:user id,public.b:u:bad type")))
        .containsExactly(
            "TIDEWIRE_OWNED_TABLES: expected schema.table, got 'orders'",
            "TIDEWIRE_OWNED_TABLES: owner column is not a plain identifier: 'user id'",
            "TIDEWIRE_OWNED_TABLES: bad event type 'bad type' in 'public.b:u:bad type'");
  }

  @Test
  void aTableIsListedAtMostOnceAndContentTypesAreDistinct() {
    assertThat(problems(env(
        "TIDEWIRE_OWNED_TABLES", "public.a:user_id,public.a:owner",
        "TIDEWIRE_FEED_TABLES", "public.videos:video,public.clips:video")))
        .containsExactly(
            "TIDEWIRE_OWNED_TABLES: table public.a is listed more than once",
            "TIDEWIRE_FEED_TABLES: content type 'video' is used by more than one table (feed keys would collide)");
  }

  @Test
  void aTableMayBeBothOwnedAndFeed() {
    final ProcessorConfig config = ProcessorConfig.fromEnv(env(
        "TIDEWIRE_OWNED_TABLES", "public.videos:user_id", "TIDEWIRE_FEED_TABLES", "public.videos:video"));

    assertThat(config.inputTopics()).containsExactly("cdc.public.videos");
  }

  @Test
  void atLeastOneTableIsRequired() {
    assertThat(problems(env("TIDEWIRE_OWNED_TABLES", "none", "TIDEWIRE_FEED_TABLES", "NONE")))
        .containsExactly("no tables to process: TIDEWIRE_OWNED_TABLES and TIDEWIRE_FEED_TABLES name no valid table");
  }

  @Test
  void kafkaStreamsSettingsPassThroughWithTheirPrefix() {
    final ProcessorConfig config = ProcessorConfig.fromEnv(env(
        "TIDEWIRE_KAFKA_STREAMS_NUM_STANDBY_REPLICAS", "1",
        "TIDEWIRE_KAFKA_STREAMS_PRODUCER_LINGER_MS", "20",
        "TIDEWIRE_KAFKA_STREAMS_SECURITY_PROTOCOL", "SSL"));

    assertThat(config.streamsOverrides()).containsOnly(
        Map.entry("num.standby.replicas", "1"),
        Map.entry("producer.linger.ms", "20"),
        Map.entry("security.protocol", "SSL"));
    final Properties streams = StreamsProperties.streams(config);
    assertThat(streams).containsEntry("num.standby.replicas", "1")
        .containsEntry("producer.linger.ms", "20")
        .containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    assertThat(StreamsProperties.admin(config)).containsEntry("security.protocol", "SSL")
        .doesNotContainKey("num.standby.replicas")
        .containsEntry("bootstrap.servers", "127.0.0.1:9092");
  }

  @Test
  void settingsWithTheirOwnVariableCannotBePassedThrough() {
    assertThat(problems(env(
        "TIDEWIRE_KAFKA_STREAMS_APPLICATION_ID", "x",
        "TIDEWIRE_KAFKA_STREAMS_PROCESSING_GUARANTEE", "at_least_once")))
        .containsExactly(
            "TIDEWIRE_KAFKA_STREAMS_APPLICATION_ID: 'application.id' cannot be passed through; use TIDEWIRE_PROCESSOR_APP_ID",
            "TIDEWIRE_KAFKA_STREAMS_PROCESSING_GUARANTEE: 'processing.guarantee' cannot be passed through; "
                + "it is always exactly_once_v2 (the event contract relies on it)");
  }

  @Test
  void streamsPropertiesCarryTheConfiguration() {
    final ProcessorConfig config = ProcessorConfig.fromEnv(env(
        "TIDEWIRE_PROCESSOR_APP_ID", "p1", "TIDEWIRE_PROCESSOR_THREADS", "2",
        "TIDEWIRE_TOPIC_REPLICATION_FACTOR", "3"));

    final Properties props = StreamsProperties.streams(config);

    assertThat(props)
        .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "p1")
        .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092")
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "50")
        .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2")
        .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, "3")
        .containsEntry(StreamsConfig.POLL_MS_CONFIG, "12");
    assertThat(new StreamsConfig(props).getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo("exactly_once_v2");
  }

  @Test
  void recordConstructorValidatesToo() {
    assertThatThrownBy(() -> new ProcessorConfig("h:1", "app", Path.of("/tmp"), Duration.ofMillis(50), 0, 3,
        (short) 1, Duration.ofSeconds(1), List.of(OwnedTable.parse("public.a:user_id")), List.of(), Map.of()))
        .isInstanceOf(ProcessorConfigException.class)
        .hasMessageContaining("TIDEWIRE_PROCESSOR_THREADS must be >= 1, got 0");
  }
}
