package io.tidewire.capture;

import static org.assertj.core.api.Assertions.assertThat;

import io.debezium.connector.postgresql.PostgresConnectorConfig;
import io.debezium.embedded.EmbeddedEngineConfig;
import io.debezium.schema.AbstractTopicNamingStrategy;
import io.debezium.embedded.async.AsyncEngineConfig;
import io.tidewire.capture.internal.OwnedAdminKafkaOffsetBackingStore;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.kafka.connect.runtime.distributed.DistributedConfig;
import org.apache.kafka.connect.storage.KafkaOffsetBackingStore;
import org.junit.jupiter.api.Test;

class CapturePropertiesTest {

  private static CaptureConfig config(final String... keyValues) {
    final Map<String, String> env = new HashMap<>();
    env.put("TIDEWIRE_KAFKA_BOOTSTRAP", "k1:9092,k2:9092");
    for (int i = 0; i < keyValues.length; i += 2) {
      env.put(keyValues[i], keyValues[i + 1]);
    }
    return CaptureConfig.fromEnv(env);
  }

  @Test
  void debeziumPropertiesCarryTheEnvelopeContractAndTheConfiguration() {
    final Properties p = CaptureProperties.debezium(config(
        "TIDEWIRE_PG_HOST", "db", "TIDEWIRE_PG_PORT", "6543", "TIDEWIRE_PG_PASSWORD", "pw",
        "TIDEWIRE_CAPTURE_TABLES", "public.users,public.likes", "TIDEWIRE_CAPTURE_SLOT", "s1",
        "TIDEWIRE_CAPTURE_PUBLICATION", "p1", "TIDEWIRE_CAPTURE_NAME", "cap-1",
        "TIDEWIRE_CAPTURE_OFFSETS_TOPIC", "cap-1.offsets", "TIDEWIRE_CAPTURE_POLL_INTERVAL_MS", "25",
        "TIDEWIRE_CAPTURE_HEARTBEAT_MS", "5000", "TIDEWIRE_CAPTURE_SNAPSHOT_MODE", "always",
        "TIDEWIRE_TOPIC_REPLICATION_FACTOR", "3"));

    assertThat(p).containsOnly(
        Map.entry("name", "cap-1"),
        Map.entry("connector.class", "io.debezium.connector.postgresql.PostgresConnector"),
        Map.entry("database.hostname", "db"),
        Map.entry("database.port", "6543"),
        Map.entry("database.dbname", "tidewire"),
        Map.entry("database.user", "tidewire"),
        Map.entry("database.password", "pw"),
        Map.entry("plugin.name", "pgoutput"),
        Map.entry("slot.name", "s1"),
        Map.entry("publication.name", "p1"),
        Map.entry("publication.autocreate.mode", "filtered"),
        Map.entry("topic.prefix", "cdc"),
        Map.entry("table.include.list", "public\\.users,public\\.likes"),
        Map.entry("snapshot.mode", "always"),
        Map.entry("poll.interval.ms", "25"),
        Map.entry("heartbeat.interval.ms", "5000"),
        Map.entry("decimal.handling.mode", "string"),
        Map.entry("tombstones.on.delete", "true"),
        Map.entry("converter.schemas.enable", "false"),
        Map.entry("offset.storage", OwnedAdminKafkaOffsetBackingStore.class.getName()),
        Map.entry("offset.storage.topic", "cap-1.offsets"),
        Map.entry("offset.storage.partitions", "1"),
        Map.entry("offset.storage.replication.factor", "3"),
        Map.entry("offset.flush.interval.ms", "1000"),
        Map.entry("bootstrap.servers", "k1:9092,k2:9092"));
  }

  @Test
  void everyDebeziumKeyIsOneTheConnectorOrEngineKnows() {
    final Set<String> known = new HashSet<>(PostgresConnectorConfig.ALL_FIELDS.allFieldNames());
    known.addAll(AsyncEngineConfig.ALL_FIELDS.allFieldNames());
    // the Kafka offset store's settings, grouped into the engine's worker config
    known.add(EmbeddedEngineConfig.OFFSET_STORAGE_KAFKA_TOPIC.name());
    known.add(EmbeddedEngineConfig.OFFSET_STORAGE_KAFKA_PARTITIONS.name());
    known.add(EmbeddedEngineConfig.OFFSET_STORAGE_KAFKA_REPLICATION_FACTOR.name());
    // the default topic naming strategy's own settings
    known.add(AbstractTopicNamingStrategy.TOPIC_HEARTBEAT_PREFIX.name());
    known.add(AbstractTopicNamingStrategy.TOPIC_HEARTBEAT_NAME.name());
    // read by Kafka Connect's worker config (offset store clients) and by the Json converters
    known.add(DistributedConfig.BOOTSTRAP_SERVERS_CONFIG);
    known.add("converter.schemas.enable");

    assertThat(CaptureProperties.debezium(config()).stringPropertyNames()).isSubsetOf(known);
    assertThat(CaptureProperties.DEBEZIUM_FIXED.keySet())
        .filteredOn(k -> !k.endsWith("converter.schemas.enable"))
        .isSubsetOf(known);
  }

  @Test
  void offsetStoreIsKafkaConnectsKafkaStore() {
    assertThat(KafkaOffsetBackingStore.class).isAssignableFrom(OwnedAdminKafkaOffsetBackingStore.class);
  }

  @Test
  void tableIncludeListMatchesExactlyTheConfiguredTables() {
    final String list = CaptureProperties.tableIncludeList(config("TIDEWIRE_CAPTURE_TABLES", "public.users,public.likes"));

    // Debezium compiles each entry and matches it against the whole "schema.table" name
    final Set<Pattern> patterns = new HashSet<>();
    for (final String entry : list.split(",")) {
      patterns.add(Pattern.compile(entry));
    }
    assertThat(patterns).anyMatch(p -> p.matcher("public.users").matches());
    assertThat(patterns).anyMatch(p -> p.matcher("public.likes").matches());
    assertThat(patterns).noneMatch(p -> p.matcher("publicXusers").matches());
    assertThat(patterns).noneMatch(p -> p.matcher("public.users_archive").matches());
  }

  @Test
  void passThroughOverridesReplaceTunableDefaultsAndAddSettings() {
    final Properties p = CaptureProperties.debezium(config(
        "TIDEWIRE_DEBEZIUM_OFFSET_FLUSH_INTERVAL_MS", "5000",
        "TIDEWIRE_DEBEZIUM_PUBLICATION_AUTOCREATE_MODE", "disabled",
        "TIDEWIRE_DEBEZIUM_MAX_BATCH_SIZE", "4096"));

    assertThat(p.getProperty("offset.flush.interval.ms")).isEqualTo("5000");
    assertThat(p.getProperty("publication.autocreate.mode")).isEqualTo("disabled");
    assertThat(p.getProperty("max.batch.size")).isEqualTo("4096");
  }

  @Test
  void producerIsIdempotentWithAcksAllAndSendsBytes() {
    final Map<String, Object> p = CaptureProperties.producer(config(
        "TIDEWIRE_CAPTURE_NAME", "cap-1", "TIDEWIRE_PRODUCER_LINGER_MS", "5"));

    assertThat(p).containsOnly(
        Map.entry("bootstrap.servers", "k1:9092,k2:9092"),
        Map.entry("client.id", "cap-1-producer"),
        Map.entry("enable.idempotence", "true"),
        Map.entry("acks", "all"),
        Map.entry("linger.ms", "5"),
        Map.entry("compression.type", "lz4"),
        Map.entry("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer"),
        Map.entry("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer"));
  }

  @Test
  void topicAdminSharesOnlyTheProducersConnectionSettings() {
    final Map<String, Object> p = CaptureProperties.admin(config(
        "TIDEWIRE_PRODUCER_SECURITY_PROTOCOL", "SASL_SSL", "TIDEWIRE_PRODUCER_SASL_MECHANISM", "PLAIN",
        "TIDEWIRE_PRODUCER_LINGER_MS", "5"));

    assertThat(p).containsOnly(
        Map.entry("bootstrap.servers", "k1:9092,k2:9092"),
        Map.entry("client.id", "tidewire-capture-admin"),
        Map.entry("security.protocol", "SASL_SSL"),
        Map.entry("sasl.mechanism", "PLAIN"));
  }

  @Test
  void kafkaClientSettingsReachTheProducerTheAdminAndTheOffsetStore() {
    final CaptureConfig config = config("TIDEWIRE_KAFKA_SECURITY_PROTOCOL", "SASL_SSL",
        "TIDEWIRE_KAFKA_SASL_MECHANISM", "PLAIN", "TIDEWIRE_PRODUCER_SASL_MECHANISM", "SCRAM-SHA-512");

    assertThat(CaptureProperties.producer(config)).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(CaptureProperties.admin(config)).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    // Kafka Connect's offset store builds its clients from the engine's top-level properties
    assertThat(CaptureProperties.debezium(config)).containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "PLAIN");
  }
}
