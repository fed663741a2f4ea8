package io.tidewire.processor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.tidewire.schemas.Topics;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.SettingsDoc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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

    assertThat(config.kafka().bootstrap()).isEqualTo("127.0.0.1:9092");
    assertThat(config.applicationId()).isEqualTo("tidewire-processor");
    assertThat(config.stateDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "tidewire-processor"));
    assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(10));
    assertThat(config.quietCommit()).isZero();
    assertThat(config.streamThreads()).isEqualTo(1);
    assertThat(config.topicPartitions()).isEqualTo(3);
    assertThat(config.kafka().replicationFactor()).isEqualTo((short) 3);
    assertThat(config.kafka().minInsyncReplicas()).isEqualTo((short) 2);
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.ownedTables()).containsExactly(
        new OwnedTable(new TableId("public", "generation_jobs"), "user_id", Optional.of("generation.progress")),
        new OwnedTable(new TableId("public", "training_jobs"), "user_id", Optional.of("training.progress")),
        new OwnedTable(new TableId("public", "uploads"), "user_id", Optional.empty()));
    assertThat(config.feedTables()).containsExactly(
        new FeedTable(new TableId("public", "videos"), "video"),
        new FeedTable(new TableId("public", "images"), "image"));
    assertThat(config.balanceTable()).contains(
        new BalanceTable(new TableId("public", "users"), "id", "credits"));
    assertThat(config.transactionTable()).contains(new TransactionTable(
        new TableId("public", "credit_transactions"), "user_id", "amount", Optional.of("reason")));
    assertThat(config.reactionTables()).containsExactly(
        new ReactionTable(new TableId("public", "likes"), ReactionTable.Kind.LIKE),
        new ReactionTable(new TableId("public", "comments"), ReactionTable.Kind.COMMENT));
    assertThat(config.timings()).isEqualTo(new Timings(Duration.ofMinutes(10), Duration.ofSeconds(2),
        Duration.ofMillis(250), Duration.ofMinutes(1)));
    assertThat(config.streamsOverrides()).isEmpty();
    assertThat(config.inputTopics()).containsExactly("cdc.public.generation_jobs", "cdc.public.training_jobs",
        "cdc.public.uploads", "cdc.public.videos", "cdc.public.images", "cdc.public.users", "cdc.public.credit_transactions",
        "cdc.public.likes", "cdc.public.comments");
    assertThat(config.outputTopics()).containsExactly(Topics.USER_EVENTS, Topics.FEED_EVENTS,
        Topics.PUBLIC_CHANGES, Topics.CONTENT_ACCESS, Topics.DEAD_LETTER, Topics.USER_STATE);
    assertThat(config.userState()).isTrue();
    assertThat(config.rowChanges()).isTrue();
  }

  @Test
  void explicitValuesOverrideDefaults() {
    final ProcessorConfig config = ProcessorConfig.fromEnv(env(
        "TIDEWIRE_PROCESSOR_APP_ID", "proc-2",
        "TIDEWIRE_PROCESSOR_STATE_DIR", "/var/lib/tidewire",
        "TIDEWIRE_PROCESSOR_COMMIT_INTERVAL_MS", "200",
        "TIDEWIRE_PROCESSOR_QUIET_COMMIT_MS", "2",
        "TIDEWIRE_PROCESSOR_THREADS", "4",
        "TIDEWIRE_TOPIC_PARTITIONS", "12",
        "TIDEWIRE_TOPIC_REPLICATION_FACTOR", "3",
        "TIDEWIRE_PROCESSOR_SHUTDOWN_TIMEOUT_MS", "5000",
        "TIDEWIRE_OWNED_TABLES", " app.orders:buyer_id , app.invoices:customer:invoice.changed ,",
        "TIDEWIRE_FEED_TABLES", "none"));

    assertThat(config.applicationId()).isEqualTo("proc-2");
    assertThat(config.stateDir()).isEqualTo(Path.of("/var/lib/tidewire"));
    assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.quietCommit()).isEqualTo(Duration.ofMillis(2));
    assertThat(config.streamThreads()).isEqualTo(4);
    assertThat(config.topicPartitions()).isEqualTo(12);
    assertThat(config.kafka().replicationFactor()).isEqualTo((short) 3);
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(config.ownedTables()).containsExactly(
        new OwnedTable(new TableId("app", "orders"), "buyer_id", Optional.empty()),
        new OwnedTable(new TableId("app", "invoices"), "customer", Optional.of("invoice.changed")));
    assertThat(config.feedTables()).isEmpty();
  }

  @Test
  void theUserStateIsOnUnlessTurnedOff() {
    assertThat(ProcessorConfig.fromEnv(env("TIDEWIRE_PROCESSOR_USER_STATE", "FALSE")).userState()).isFalse();
    assertThat(ProcessorConfig.fromEnv(env("TIDEWIRE_PROCESSOR_USER_STATE", "true")).userState()).isTrue();
    assertThat(problems(env("TIDEWIRE_PROCESSOR_USER_STATE", "off")))
        .containsExactly("TIDEWIRE_PROCESSOR_USER_STATE must be true or false, got 'off'");
  }

  @Test
  void rowChangesAreOnUnlessTurnedOffAndThePublicChangesTopicIsCreatedEitherWay() {
    final ProcessorConfig off = ProcessorConfig.fromEnv(env("TIDEWIRE_PROCESSOR_ROW_CHANGES", "false"));
    assertThat(off.rowChanges()).isFalse();
    assertThat(off.outputTopics()).contains(Topics.PUBLIC_CHANGES);
    assertThat(problems(env("TIDEWIRE_PROCESSOR_ROW_CHANGES", "yes")))
        .containsExactly("TIDEWIRE_PROCESSOR_ROW_CHANGES must be true or false, got 'yes'");
  }

  @Test
  void blankValuesCountAsUnset() {
    final ProcessorConfig config = ProcessorConfig.fromEnv(env(
        "TIDEWIRE_PROCESSOR_THREADS", " ", "TIDEWIRE_OWNED_TABLES", ""));

    assertThat(config.streamThreads()).isEqualTo(1);
    assertThat(config.ownedTables()).hasSize(3);
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
    assertThat(problems(env("TIDEWIRE_KAFKA_BOOTSTRAP", "broker1:9092,broker2,[::1]:9092")))
        .containsExactly(
            "TIDEWIRE_KAFKA_BOOTSTRAP must be host:port[,host:port…] (IPv6 as [::1]:9092), got 'broker2'");
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
        "TIDEWIRE_PROCESSOR_THREADS must be a whole number, got 'many'",
        "TIDEWIRE_TOPIC_PARTITIONS must be 1..10000, got '0'",
        "TIDEWIRE_PROCESSOR_COMMIT_INTERVAL_MS must be at least 0 ms, got '-1'",
        "TIDEWIRE_PROCESSOR_APP_ID must be letters, digits, '.', '_' and '-', got 'my app'",
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

    assertThat(config.inputTopics()).containsOnlyOnce("cdc.public.videos").doesNotHaveDuplicates();
  }

  @Test
  void atLeastOneTableIsRequired() {
    assertThat(problems(env("TIDEWIRE_OWNED_TABLES", "none", "TIDEWIRE_FEED_TABLES", "NONE",
        "TIDEWIRE_CREDITS_BALANCE_TABLE", "none", "TIDEWIRE_CREDITS_TRANSACTION_TABLE", "none",
        "TIDEWIRE_REACTION_TABLES", "none")))
        .containsExactly("no tables to process: TIDEWIRE_OWNED_TABLES, TIDEWIRE_FEED_TABLES, "
            + "TIDEWIRE_CREDITS_BALANCE_TABLE and TIDEWIRE_REACTION_TABLES name no valid table");
  }

  @Test
  void featureTablesAndTimingsAreConfigurable() {
    final ProcessorConfig config = ProcessorConfig.fromEnv(env(
        "TIDEWIRE_CREDITS_BALANCE_TABLE", "app.wallets:owner:coins",
        "TIDEWIRE_CREDITS_TRANSACTION_TABLE", "app.ledger:owner:coins",
        "TIDEWIRE_REACTION_TABLES", "app.hearts:like",
        "TIDEWIRE_PROCESSOR_DEDUP_WINDOW_MS", "30000",
        "TIDEWIRE_PROCESSOR_CREDITS_WAIT_MS", "500",
        "TIDEWIRE_PROCESSOR_FEED_COUNTS_INTERVAL_MS", "1000",
        "TIDEWIRE_PROCESSOR_CONTENT_WAIT_MS", "5000"));

    assertThat(config.balanceTable()).contains(new BalanceTable(new TableId("app", "wallets"), "owner", "coins"));
    assertThat(config.transactionTable()).contains(
        new TransactionTable(new TableId("app", "ledger"), "owner", "coins", Optional.empty()));
    assertThat(config.reactionTables()).containsExactly(
        new ReactionTable(new TableId("app", "hearts"), ReactionTable.Kind.LIKE));
    assertThat(config.timings()).isEqualTo(new Timings(Duration.ofSeconds(30), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofSeconds(5)));
    assertThat(config.timings().creditsTick()).isEqualTo(Duration.ofMillis(25));
    assertThat(config.timings().contentTick()).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void turningATableOffTurnsOffTheDefaultsThatNeedIt() {
    final ProcessorConfig config = ProcessorConfig.fromEnv(env(
        "TIDEWIRE_FEED_TABLES", "none", "TIDEWIRE_CREDITS_BALANCE_TABLE", "none"));

    assertThat(config.reactionTables()).isEmpty();
    assertThat(config.transactionTable()).isEmpty();
  }

  @Test
  void featureTablesAreValidatedTogether() {
    assertThat(problems(env(
        "TIDEWIRE_CREDITS_BALANCE_TABLE", "none",
        "TIDEWIRE_CREDITS_TRANSACTION_TABLE", "public.credit_transactions:user_id:amount",
        "TIDEWIRE_REACTION_TABLES", "public.likes:love,public.videos:like",
        "TIDEWIRE_PROCESSOR_FEED_COUNTS_INTERVAL_MS", "0")))
        .containsExactlyInAnyOrder(
            "TIDEWIRE_REACTION_TABLES: reaction kind must be like or comment, got 'love' in 'public.likes:love'",
            "TIDEWIRE_CREDITS_TRANSACTION_TABLE needs TIDEWIRE_CREDITS_BALANCE_TABLE (transactions are joined "
                + "with balance changes)",
            "TIDEWIRE_PROCESSOR_FEED_COUNTS_INTERVAL_MS must be at least 1 ms, got '0'");
    // checks that involve a setting with a problem of its own wait until it is fixed
    assertThat(problems(env("TIDEWIRE_REACTION_TABLES", "public.likes:like,public.videos:like")))
        .containsExactly("TIDEWIRE_REACTION_TABLES: table public.videos is also a feed table");
    assertThat(problems(env("TIDEWIRE_FEED_TABLES", "none", "TIDEWIRE_CREDITS_BALANCE_TABLE", "public.users:id",
        "TIDEWIRE_REACTION_TABLES", "public.likes:like")))
        .containsExactlyInAnyOrder(
            "TIDEWIRE_CREDITS_BALANCE_TABLE: expected schema.table:userColumn:balanceColumn, got 'public.users:id'",
            "TIDEWIRE_REACTION_TABLES needs TIDEWIRE_FEED_TABLES (reactions are counted per content item of a "
                + "feed table)");
  }

  @Test
  void kafkaStreamsSettingsPassThroughWithTheirPrefix() {
    final ProcessorConfig config = ProcessorConfig.fromEnv(env(
        "TIDEWIRE_KAFKA_STREAMS_NUM_STANDBY_REPLICAS", "1",
        "TIDEWIRE_KAFKA_STREAMS_PRODUCER_LINGER_MS", "20",
        "TIDEWIRE_KAFKA_STREAMS_SECURITY_PROTOCOL", "SSL",
        "TIDEWIRE_KAFKA_STREAMS_MAIN_CONSUMER_GROUP_INSTANCE_ID", "p-1"));

    assertThat(config.streamsOverrides()).containsOnly(
        Map.entry("main.consumer.group.instance.id", "p-1"),
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
            "TIDEWIRE_KAFKA_STREAMS_* cannot set 'application.id': set TIDEWIRE_PROCESSOR_APP_ID instead",
            "TIDEWIRE_KAFKA_STREAMS_* cannot set 'processing.guarantee': "
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
        .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "10")
        .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2")
        .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, "3")
        .containsEntry(StreamsConfig.topicPrefix("min.insync.replicas"), "2")
        .containsEntry(StreamsConfig.POLL_MS_CONFIG, "5");
    assertThat(new StreamsConfig(props).getString(StreamsConfig.PROCESSING_GUARANTEE_CONFIG))
        .isEqualTo("exactly_once_v2");
  }

  @Test
  void kafkaClientSettingsReachStreamsAndTheProvisioningAdmin() {
    final ProcessorConfig config = ProcessorConfig.fromEnv(env(
        "TIDEWIRE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL", "TIDEWIRE_KAFKA_SASL_MECHANISM", "PLAIN",
        "TIDEWIRE_KAFKA_STREAMS_NUM_STANDBY_REPLICAS", "1"));

    assertThat(config.kafka().clientOverrides()).containsOnly(
        Map.entry("security.protocol", "SASL_SSL"), Map.entry("sasl.mechanism", "PLAIN"));
    // top-level Streams settings reach its main, restore and global consumers, producer and admin
    assertThat(StreamsProperties.streams(config)).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN").containsEntry("num.standby.replicas", "1");
    assertThat(StreamsProperties.admin(config)).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN").doesNotContainKey("num.standby.replicas");
  }

  @Test
  void misspelledVariableIsRejectedWithTheNameItWasMeantToBe() {
    assertThat(problems(env("TIDEWIRE_PROCESSOR_THREAD", "2")))
        .containsExactly("unknown variable TIDEWIRE_PROCESSOR_THREAD (did you mean TIDEWIRE_PROCESSOR_THREADS?)");
  }

  @Test
  void recordFreezesWhatItIsGiven() {
    final List<OwnedTable> owned = new ArrayList<>(List.of(OwnedTable.parse("public.a:user_id")));
    final ProcessorConfig config = new ProcessorConfig(new KafkaSettings("h:1", 3, (short) 1, (short) 1, Map.of()), "app",
        Path.of("/tmp"), Duration.ofMillis(50), Duration.ZERO, 1, Duration.ofSeconds(1), owned, List.of(),
        Optional.empty(), Optional.empty(), List.of(), Timings.DEFAULTS, true, true, new HashMap<>(Map.of("a", "b")));
    owned.clear();

    assertThat(config.ownedTables()).hasSize(1);
    assertThatThrownBy(() -> config.streamsOverrides().put("c", "d"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void readmeTableIsTheSettingsTable() {
    final String table = SettingsDoc.table(ProcessorSettings.SETTINGS);

    assertThat(SettingsDoc.current(Path.of("README.md"), "processor", table)).isEqualTo(table);
  }
}
