package io.tidewire.capture;

import io.tidewire.capture.internal.OwnedAdminKafkaOffsetBackingStore;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.Setting;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The library boundary: turns a {@link CaptureConfig} into Debezium engine properties and Kafka
 * client settings. Pure functions; the only place where Debezium and Kafka property names appear.
 */
final class CaptureProperties {

  static final String POSTGRES_CONNECTOR = "io.debezium.connector.postgresql.PostgresConnector";

  /** Flush offsets (and so confirm the slot position) at most this often. */
  static final String OFFSET_FLUSH_INTERVAL_MS = "1000";

  /**
   * Debezium keys that pass-through overrides must not set, with the reason. They either have
   * their own variable or carry the envelope contract and the delivery guarantee.
   */
  static final Map<String, String> DEBEZIUM_FIXED = Map.ofEntries(
      own("name", CaptureSettings.NAME),
      own("database.hostname", CaptureSettings.PG_HOST),
      own("database.port", CaptureSettings.PG_PORT),
      own("database.dbname", CaptureSettings.PG_DATABASE),
      own("database.user", CaptureSettings.PG_USER),
      own("database.password", CaptureSettings.PG_PASSWORD),
      own("slot.name", CaptureSettings.SLOT_NAME),
      own("publication.name", CaptureSettings.PUBLICATION_NAME),
      own("topic.prefix", CaptureSettings.TOPIC_PREFIX),
      own("table.include.list", CaptureSettings.TABLES),
      own("snapshot.mode", CaptureSettings.SNAPSHOT_MODE),
      own("poll.interval.ms", CaptureSettings.POLL_INTERVAL),
      own("heartbeat.interval.ms", CaptureSettings.HEARTBEAT),
      own("offset.storage.topic", CaptureSettings.OFFSETS_TOPIC),
      own("offset.storage.replication.factor", KafkaSettings.TOPIC_REPLICATION_FACTOR),
      own("bootstrap.servers", KafkaSettings.BOOTSTRAP),
      contract("connector.class"),
      contract("plugin.name"),
      contract("decimal.handling.mode"),
      contract("converter.schemas.enable"),
      contract("key.converter.schemas.enable"),
      contract("value.converter.schemas.enable"),
      contract("tombstones.on.delete"),
      contract("topic.heartbeat.prefix"),
      contract("topic.heartbeat.name"),
      contract("topic.naming.strategy"),
      Map.entry("offset.storage", "offsets must live in the Kafka offsets topic"),
      Map.entry("table.exclude.list", "captured tables come from " + CaptureSettings.TABLES.name()),
      Map.entry("schema.include.list", "captured tables come from " + CaptureSettings.TABLES.name()),
      Map.entry("schema.exclude.list", "captured tables come from " + CaptureSettings.TABLES.name()));

  /** Producer keys that pass-through overrides must not set, with the reason. */
  static final Map<String, String> PRODUCER_FIXED = Map.of(
      "bootstrap.servers", "set " + KafkaSettings.BOOTSTRAP.name() + " instead",
      "key.serializer", "records are sent as UTF-8 bytes",
      "value.serializer", "records are sent as UTF-8 bytes",
      "acks", "offsets are committed only after acks=all",
      "enable.idempotence", "retries must not duplicate or reorder change records",
      "transactional.id", "the capture does not use transactions");

  /** Producer settings shared with the admin client that creates topics. */
  private static final Pattern CONNECTION_KEY = Pattern.compile("(security|sasl|ssl)\\..*|client\\.dns\\.lookup");

  private CaptureProperties() {}

  /**
   * The Debezium embedded engine and PostgreSQL connector properties.
   *
   * @param config validated configuration
   * @return fresh properties; the caller may hand them to the engine
   */
  static Properties debezium(final CaptureConfig config) {
    final Properties p = new Properties();
    // tunable defaults first, so that overrides replace them
    p.setProperty("publication.autocreate.mode", "filtered");
    p.setProperty("offset.flush.interval.ms", OFFSET_FLUSH_INTERVAL_MS);
    p.setProperty("offset.storage.partitions", "1");
    // the offset store's producer, consumer and admin client read the top-level Kafka settings
    p.putAll(config.kafka().clientOverrides());
    p.putAll(config.debeziumOverrides());

    p.setProperty("name", config.name());
    p.setProperty("connector.class", POSTGRES_CONNECTOR);
    p.setProperty("database.hostname", config.pgHost());
    p.setProperty("database.port", Integer.toString(config.pgPort()));
    p.setProperty("database.dbname", config.pgDatabase());
    p.setProperty("database.user", config.pgUser());
    p.setProperty("database.password", config.pgPassword());
    p.setProperty("plugin.name", "pgoutput");
    p.setProperty("slot.name", config.slotName());
    p.setProperty("publication.name", config.publicationName());
    p.setProperty("topic.prefix", config.topicPrefix());
    p.setProperty("table.include.list", tableIncludeList(config));
    p.setProperty("snapshot.mode", config.snapshotMode().value());
    p.setProperty("poll.interval.ms", Long.toString(config.pollInterval().toMillis()));
    p.setProperty("heartbeat.interval.ms", Long.toString(config.heartbeatInterval().toMillis()));
    p.setProperty("decimal.handling.mode", "string");
    p.setProperty("tombstones.on.delete", "true");
    // the Json format reads "converter.*" for both key and value converters
    p.setProperty("converter.schemas.enable", "false");
    p.setProperty("offset.storage", OwnedAdminKafkaOffsetBackingStore.class.getName());
    p.setProperty("offset.storage.topic", config.offsetsTopic());
    p.setProperty("offset.storage.replication.factor", Short.toString(config.kafka().replicationFactor()));
    p.setProperty("bootstrap.servers", config.kafka().bootstrap());
    return p;
  }

  /**
   * The change producer's settings: idempotent, acks=all, byte[] key and value; over the Kafka
   * client overrides, then the producer overrides.
   *
   * @param config validated configuration
   * @return a fresh mutable map
   */
  static Map<String, Object> producer(final CaptureConfig config) {
    final Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.CLIENT_ID_CONFIG, config.name() + "-producer");
    // a batch is sent in a tight loop and then awaited: lingering would only add latency
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
    p.putAll(config.kafka().clientProperties());
    p.putAll(config.producerOverrides());

    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    return p;
  }

  /**
   * Settings of the short-lived admin client that creates topics at start: the Kafka client
   * settings, and the connection settings (security, SASL, SSL) of the producer overrides.
   *
   * @param config validated configuration
   * @return a fresh mutable map
   */
  static Map<String, Object> admin(final CaptureConfig config) {
    final Map<String, Object> p = config.kafka().clientProperties();
    config.producerOverrides().entrySet().stream().filter(e -> CONNECTION_KEY.matcher(e.getKey()).matches())
        .forEach(e -> p.put(e.getKey(), e.getValue()));
    p.put(CommonClientConfigs.CLIENT_ID_CONFIG, config.name() + "-admin");
    return p;
  }

  /** Debezium matches each entry as an anchored regular expression against {@code schema.table}. */
  static String tableIncludeList(final CaptureConfig config) {
    return config.tables().stream().map(t -> t.replace(".", "\\.")).collect(Collectors.joining(","));
  }

  private static Map.Entry<String, String> own(final String key, final Setting<?> variable) {
    return Map.entry(key, "set " + variable.name() + " instead");
  }

  private static Map.Entry<String, String> contract(final String key) {
    return Map.entry(key, "it is part of the cdc envelope contract");
  }
}
