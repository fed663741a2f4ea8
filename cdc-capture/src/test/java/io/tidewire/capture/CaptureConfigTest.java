package io.tidewire.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidewire.capture.CaptureConfig.SnapshotMode;
import io.tidewire.schemas.Topics;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.Parsers;
import io.tidewire.settings.Setting;
import io.tidewire.settings.SettingGroup;
import io.tidewire.settings.SettingsDoc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CaptureConfigTest {

  private static Map<String, String> env(final String... keyValues) {
    final Map<String, String> env = new HashMap<>();
    env.put("TIDEWIRE_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    return env;
  }

  private static List<String> problemsOf(final Map<String, String> env) {
    try {
      CaptureConfig.fromEnv(env);
    } catch (CaptureConfigException e) {
      return e.problems();
    }
    throw new AssertionError("expected the configuration to be rejected: " + env);
  }

  @Test
  void documentedDefaultsApplyWhenOnlyBootstrapIsSet() {
    final CaptureConfig config = CaptureConfig.fromEnv(env());

    assertThat(config.kafka().bootstrap()).isEqualTo("127.0.0.1:9092");
    assertThat(config.pgHost()).isEqualTo("127.0.0.1");
    assertThat(config.pgPort()).isEqualTo(5432);
    assertThat(config.pgDatabase()).isEqualTo("tidewire");
    assertThat(config.pgUser()).isEqualTo("tidewire");
    assertThat(config.pgPassword()).isEqualTo("tidewire");
    assertThat(config.tables()).containsExactly("public.users", "public.generation_jobs", "public.training_jobs",
        "public.credit_transactions", "public.videos", "public.images", "public.likes", "public.comments",
        "public.uploads");
    assertThat(config.slotName()).isEqualTo("tidewire");
    assertThat(config.publicationName()).isEqualTo("tidewire");
    assertThat(config.name()).isEqualTo("tidewire-capture");
    assertThat(config.offsetsTopic()).isEqualTo("tidewire.capture.offsets");
    assertThat(config.topicPrefix()).isEqualTo("cdc");
    assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(5));
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.snapshotMode()).isEqualTo(SnapshotMode.INITIAL);
    assertThat(config.kafka().topicPartitions()).isEqualTo(KafkaSettings.DEFAULT_TOPIC_PARTITIONS);
    assertThat(config.kafka().replicationFactor()).isEqualTo((short) 3);
    assertThat(config.kafka().minInsyncReplicas()).isEqualTo((short) 2);
    assertThat(config.kafka().clientOverrides()).isEmpty();
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.debeziumOverrides()).isEmpty();
    assertThat(config.producerOverrides()).isEmpty();
    assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/tidewire");
  }

  @Test
  void everyVariableIsRead() {
    final CaptureConfig config = CaptureConfig.fromEnv(env(
        "TIDEWIRE_KAFKA_BOOTSTRAP", "k1:9092, k2:9093",
        "TIDEWIRE_PG_HOST", "db.internal",
        "TIDEWIRE_PG_PORT", "6543",
        "TIDEWIRE_PG_DATABASE", "app",
        "TIDEWIRE_PG_USER", "cdc",
        "TIDEWIRE_PG_PASSWORD", "s3cret",
        "TIDEWIRE_CAPTURE_TABLES", " public.users , billing.invoices ",
        "TIDEWIRE_CAPTURE_SLOT", "slot_1",
        "TIDEWIRE_CAPTURE_PUBLICATION", "pub_1",
        "TIDEWIRE_CAPTURE_NAME", "capture-a",
        "TIDEWIRE_CAPTURE_OFFSETS_TOPIC", "capture-a.offsets",
        "TIDEWIRE_CAPTURE_TOPIC_PREFIX", "app",
        "TIDEWIRE_CAPTURE_POLL_INTERVAL_MS", "5",
        "TIDEWIRE_CAPTURE_HEARTBEAT_MS", "0",
        "TIDEWIRE_CAPTURE_SNAPSHOT_MODE", "NO_DATA",
        "TIDEWIRE_CAPTURE_SHUTDOWN_TIMEOUT_MS", "2500",
        "TIDEWIRE_TOPIC_PARTITIONS", "12",
        "TIDEWIRE_TOPIC_REPLICATION_FACTOR", "3"));

    assertThat(config.kafka().bootstrap()).isEqualTo("k1:9092, k2:9093");
    assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:6543/app");
    assertThat(config.pgUser()).isEqualTo("cdc");
    assertThat(config.pgPassword()).isEqualTo("s3cret");
    assertThat(config.tables()).containsExactly("public.users", "billing.invoices");
    assertThat(config.slotName()).isEqualTo("slot_1");
    assertThat(config.publicationName()).isEqualTo("pub_1");
    assertThat(config.name()).isEqualTo("capture-a");
    assertThat(config.offsetsTopic()).isEqualTo("capture-a.offsets");
    assertThat(config.changeTopics()).containsExactly("app.public.users", "app.billing.invoices");
    assertThat(config.heartbeatTopic()).isEqualTo("__debezium-heartbeat.app");
    assertThat(config.pollInterval()).isEqualTo(Duration.ofMillis(5));
    assertThat(config.heartbeatInterval()).isZero();
    assertThat(config.snapshotMode()).isEqualTo(SnapshotMode.NO_DATA);
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofMillis(2500));
    assertThat(config.kafka().topicPartitions()).isEqualTo(12);
    assertThat(config.kafka().replicationFactor()).isEqualTo((short) 3);
  }

  @Test
  void defaultChangeTopicsAreTheSchemasCatalogueNames() {
    final CaptureConfig config = CaptureConfig.fromEnv(env());

    assertThat(config.changeTopic("public.generation_jobs")).isEqualTo(Topics.cdcName("public", "generation_jobs"));
    assertThat(config.heartbeatTopic()).isEqualTo("__debezium-heartbeat.cdc");
  }

  @Test
  void bootstrapServersAreRequired() {
    final Map<String, String> env = env();
    env.remove("TIDEWIRE_KAFKA_BOOTSTRAP");

    assertThat(problemsOf(env)).singleElement().asString().startsWith("TIDEWIRE_KAFKA_BOOTSTRAP is required");
  }

  @Test
  void blankValuesFallBackToDefaults() {
    final CaptureConfig config = CaptureConfig.fromEnv(env("TIDEWIRE_PG_PORT", " ", "TIDEWIRE_CAPTURE_SLOT", ""));

    assertThat(config.pgPort()).isEqualTo(5432);
    assertThat(config.slotName()).isEqualTo("tidewire");
  }

  @Test
  void everyBadValueIsReportedAtOnceNamingItsVariable() {
    final List<String> problems = problemsOf(env(
        "TIDEWIRE_KAFKA_BOOTSTRAP", "localhost",
        "TIDEWIRE_PG_PORT", "fivefourthreetwo",
        "TIDEWIRE_CAPTURE_TABLES", "users,public.Users,public.users,public.users",
        "TIDEWIRE_CAPTURE_SLOT", "Bad-Slot",
        "TIDEWIRE_CAPTURE_PUBLICATION", "1pub",
        "TIDEWIRE_CAPTURE_TOPIC_PREFIX", "cdc/x",
        "TIDEWIRE_CAPTURE_POLL_INTERVAL_MS", "0",
        "TIDEWIRE_CAPTURE_HEARTBEAT_MS", "-1",
        "TIDEWIRE_CAPTURE_SNAPSHOT_MODE", "initial_only",
        "TIDEWIRE_TOPIC_PARTITIONS", "0",
        "TIDEWIRE_TOPIC_REPLICATION_FACTOR", "70000"));

    assertThat(problems).anySatisfy(p -> assertThat(p).startsWith("TIDEWIRE_KAFKA_BOOTSTRAP must be host:port"))
        .anySatisfy(p -> assertThat(p).isEqualTo("TIDEWIRE_PG_PORT must be a whole number, got 'fivefourthreetwo'"))
        .anySatisfy(p -> assertThat(p).isEqualTo(
            "TIDEWIRE_CAPTURE_TABLES must be lower-case schema.table, got 'users'"))
        .anySatisfy(p -> assertThat(p).contains("got 'public.Users'"))
        .anySatisfy(p -> assertThat(p).startsWith("TIDEWIRE_CAPTURE_SLOT must be").endsWith("got 'Bad-Slot'"))
        .anySatisfy(p -> assertThat(p).startsWith("TIDEWIRE_CAPTURE_PUBLICATION must be"))
        .anySatisfy(p -> assertThat(p).startsWith("TIDEWIRE_CAPTURE_TOPIC_PREFIX must be"))
        .anySatisfy(p -> assertThat(p).isEqualTo("TIDEWIRE_CAPTURE_POLL_INTERVAL_MS must be at least 1 ms, got '0'"))
        .anySatisfy(p -> assertThat(p).isEqualTo("TIDEWIRE_CAPTURE_HEARTBEAT_MS must be at least 0 ms, got '-1'"))
        .anySatisfy(p -> assertThat(p).isEqualTo(
            "TIDEWIRE_CAPTURE_SNAPSHOT_MODE must be one of [initial, always, no_data, when_needed], "
                + "got 'initial_only'"))
        .anySatisfy(p -> assertThat(p).isEqualTo("TIDEWIRE_TOPIC_PARTITIONS must be 1..10000, got '0'"))
        .anySatisfy(p -> assertThat(p).isEqualTo("TIDEWIRE_TOPIC_REPLICATION_FACTOR must be 1..32767, got '70000'"));
  }

  @Test
  void aTableListedTwiceIsReported() {
    assertThat(problemsOf(env("TIDEWIRE_CAPTURE_TABLES", "public.users,public.likes,public.users")))
        .containsExactly("TIDEWIRE_CAPTURE_TABLES lists 'public.users' twice");
  }

  @Test
  void partitionsTheDemoSchemasOwnedTablesByOwnerUnlessToldOtherwise() {
    assertThat(CaptureConfig.fromEnv(env()).partitionBy()).extracting(OwnerColumn::toString).containsExactly(
        "public.users:id", "public.generation_jobs:user_id", "public.training_jobs:user_id",
        "public.credit_transactions:user_id", "public.uploads:user_id");
    assertThat(CaptureConfig.fromEnv(env("TIDEWIRE_CAPTURE_TABLES", "billing.invoices,public.users")).partitionBy())
        .as("the default keeps only the captured tables").containsExactly(new OwnerColumn("public.users", "id"));
    assertThat(CaptureConfig.fromEnv(env("TIDEWIRE_CAPTURE_PARTITION_BY", "none")).partitionBy()).isEmpty();
    assertThat(CaptureConfig.fromEnv(env("TIDEWIRE_CAPTURE_TABLES", "billing.invoices",
        "TIDEWIRE_CAPTURE_PARTITION_BY", "billing.invoices:customer_id")).partitionBy())
        .containsExactly(new OwnerColumn("billing.invoices", "customer_id"));
  }

  @Test
  void anOwnerTableThatIsNotCapturedOrListedTwiceOrMisspeltIsReported() {
    assertThat(problemsOf(env("TIDEWIRE_CAPTURE_TABLES", "public.users",
        "TIDEWIRE_CAPTURE_PARTITION_BY", "public.users:id,public.jobs:user_id,public.users:id")))
        .containsExactly(
            "TIDEWIRE_CAPTURE_PARTITION_BY names 'public.jobs', which TIDEWIRE_CAPTURE_TABLES does not capture",
            "TIDEWIRE_CAPTURE_PARTITION_BY lists 'public.users' twice");
    assertThat(problemsOf(env("TIDEWIRE_CAPTURE_PARTITION_BY", "public.users")))
        .singleElement().asString().contains("schema.table:ownerColumn");
  }

  @Test
  void exceptionMessageListsEveryProblemOnItsOwnLine() {
    assertThatThrownBy(() -> CaptureConfig.fromEnv(env("TIDEWIRE_PG_PORT", "0", "TIDEWIRE_CAPTURE_SLOT", "x-y")))
        .isInstanceOf(CaptureConfigException.class)
        .hasMessageContaining("invalid capture configuration:\n  - ")
        .hasMessageContaining("\n  - TIDEWIRE_PG_PORT must be 1..65535, got '0'")
        .hasMessageContaining("\n  - TIDEWIRE_CAPTURE_SLOT must be");
  }

  @Test
  void misspelledVariableIsRejectedWithTheNameItWasMeantToBe() {
    assertThat(problemsOf(env("TIDEWIRE_CAPTURE_SLOTS", "x", "TIDEWIRE_PG_HOTS", "db")))
        .containsExactly("unknown variable TIDEWIRE_CAPTURE_SLOTS (did you mean TIDEWIRE_CAPTURE_SLOT?)",
            "unknown variable TIDEWIRE_PG_HOTS (did you mean TIDEWIRE_PG_HOST?)");
  }

  @Test
  void otherPartsVariablesAreIgnoredWhenTheirPartsAreKnown() {
    final Setting<Integer> gatewayPort = Setting.of("TIDEWIRE_GATEWAY_PORT", Parsers.ints(0, 65_535))
        .byDefault("8080");
    final Map<String, String> env = env("TIDEWIRE_GATEWAY_PORT", "not-a-number", "PATH", "/bin");

    final CaptureConfig config = CaptureConfig.fromEnv(env, SettingGroup.of(List.of(gatewayPort), List.of()));

    assertThat(config.name()).isEqualTo("tidewire-capture");
    assertThat(problemsOf(env)).containsExactly("unknown variable TIDEWIRE_GATEWAY_PORT (no Tidewire part reads it)");
  }

  @Test
  void passThroughVariablesBecomePropertyKeys() {
    final CaptureConfig config = CaptureConfig.fromEnv(env(
        "TIDEWIRE_DEBEZIUM_MAX_BATCH_SIZE", "4096",
        "TIDEWIRE_DEBEZIUM_SNAPSHOT_FETCH_SIZE", " 500 ",
        "TIDEWIRE_DEBEZIUM_SOME__UNDERSCORED_KEY", "x",
        "TIDEWIRE_PRODUCER_LINGER_MS", "5",
        "TIDEWIRE_PRODUCER_SECURITY_PROTOCOL", "SSL",
        "TIDEWIRE_KAFKA_SASL_MECHANISM", "PLAIN"));

    assertThat(config.debeziumOverrides()).containsOnly(
        Map.entry("max.batch.size", "4096"), Map.entry("snapshot.fetch.size", "500"),
        Map.entry("some_underscored.key", "x"));
    assertThat(config.producerOverrides()).containsOnly(
        Map.entry("linger.ms", "5"), Map.entry("security.protocol", "SSL"));
    assertThat(config.kafka().clientOverrides()).containsOnly(Map.entry("sasl.mechanism", "PLAIN"));
  }

  @Test
  void overridesCannotChangeTheContractOrSettingsWithTheirOwnVariable() {
    final List<String> problems = problemsOf(env(
        "TIDEWIRE_DEBEZIUM_DECIMAL_HANDLING_MODE", "precise",
        "TIDEWIRE_DEBEZIUM_SLOT_NAME", "other",
        "TIDEWIRE_DEBEZIUM_OFFSET_STORAGE", "org.apache.kafka.connect.storage.MemoryOffsetBackingStore",
        "TIDEWIRE_PRODUCER_ACKS", "1",
        "TIDEWIRE_PRODUCER_ENABLE_IDEMPOTENCE", "false"));

    assertThat(problems).containsExactlyInAnyOrder(
        "TIDEWIRE_DEBEZIUM_* cannot set 'decimal.handling.mode': it is part of the cdc envelope contract",
        "TIDEWIRE_DEBEZIUM_* cannot set 'offset.storage': offsets must live in the Kafka offsets topic",
        "TIDEWIRE_DEBEZIUM_* cannot set 'slot.name': set TIDEWIRE_CAPTURE_SLOT instead",
        "TIDEWIRE_PRODUCER_* cannot set 'acks': offsets are committed only after acks=all",
        "TIDEWIRE_PRODUCER_* cannot set 'enable.idempotence': retries must not duplicate or reorder change records");
  }

  @Test
  void recordFreezesWhatItIsGiven() {
    final List<String> tables = new ArrayList<>(List.of("public.users"));
    final CaptureConfig config = new CaptureConfig(new KafkaSettings("k:9092", 3, (short) 1, (short) 1, Map.of()), "h", 5432,
        "d", "u", "p", tables, List.of(), "s", "p", "n", "o", "cdc", Duration.ofMillis(20), Duration.ZERO, SnapshotMode.INITIAL,
        Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofMinutes(1), Duration.ofSeconds(10),
        new HashMap<>(Map.of("a", "b")), Map.of());
    tables.add("public.likes");

    assertThat(config.tables()).containsExactly("public.users");
    assertThatThrownBy(() -> config.debeziumOverrides().put("c", "d"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void toStringHidesThePasswordAndSecretOverrides() {
    final CaptureConfig config = CaptureConfig.fromEnv(env("TIDEWIRE_PG_PASSWORD", "hunter2",
        "TIDEWIRE_PRODUCER_SSL_KEY_PASSWORD", "hunter3", "TIDEWIRE_PRODUCER_SASL_JAAS_CONFIG", "hunter4",
        "TIDEWIRE_KAFKA_SASL_JAAS_CONFIG", "hunter5"));

    assertThat(config.toString()).doesNotContain("hunter").contains("ssl.key.password=****");
  }

  @Test
  void readmeTableIsTheSettingsTable() {
    final String table = SettingsDoc.table(CaptureSettings.SETTINGS);

    assertThat(SettingsDoc.current(Path.of("README.md"), "capture", table)).isEqualTo(table);
  }
}
