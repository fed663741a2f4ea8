package io.tidewire.settings;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Kafka settings every part shares: where the cluster is, how the topics a part creates are
 * sized, and the {@code TIDEWIRE_KAFKA_*} pass-through that reaches every Kafka client of every
 * part (security protocol, SASL, SSL, timeouts), so that one set of variables connects the whole
 * pipeline to a TLS/SASL cluster. Immutable and thread-safe; {@link #toString()} hides
 * secret-looking overrides.
 *
 * @param bootstrap bootstrap servers, {@code host:port[,host:port…]}, as written
 * @param topicPartitions partitions of the topics a part creates
 * @param replicationFactor replication factor of the topics a part creates
 * @param minInsyncReplicas {@code min.insync.replicas} of the topics a part creates, at most
 *     {@code replicationFactor}
 * @param clientOverrides client properties for every Kafka client, by property key
 */
public record KafkaSettings(String bootstrap, int topicPartitions, short replicationFactor,
    short minInsyncReplicas, Map<String, String> clientOverrides) {

  /** Partitions of Tidewire's topics unless {@link #TOPIC_PARTITIONS} says otherwise. */
  public static final int DEFAULT_TOPIC_PARTITIONS = 3;

  public static final Setting<String> BOOTSTRAP = Setting.of("TIDEWIRE_KAFKA_BOOTSTRAP", Parsers.hostPorts())
      .doc("Kafka bootstrap servers, `host:port[,host:port…]` (IPv6 as `[::1]:9092`)");
  public static final Setting<Integer> TOPIC_PARTITIONS = Setting.of("TIDEWIRE_TOPIC_PARTITIONS",
      Parsers.ints(1, 10_000)).byDefault(Integer.toString(DEFAULT_TOPIC_PARTITIONS))
      .doc("partitions of the topics a part creates when they are missing");
  public static final Setting<Short> TOPIC_REPLICATION_FACTOR = Setting.of("TIDEWIRE_TOPIC_REPLICATION_FACTOR",
      Parsers.ints(1, Short.MAX_VALUE).map(Integer::shortValue)).byDefault("3")
      .doc("replication factor of the topics a part creates (also the capture's offsets topic and the "
          + "processor's internal topics); at start a part fails if the cluster has fewer brokers, and "
          + "warns about an existing topic with fewer replicas. A single broker (the demo, tests) needs `1`");
  public static final Setting<Short> TOPIC_MIN_INSYNC_REPLICAS = Setting.of("TIDEWIRE_TOPIC_MIN_INSYNC_REPLICAS",
      Parsers.ints(1, Short.MAX_VALUE).map(Integer::shortValue)).byDefault("2")
      .doc("`min.insync.replicas` of the topics a part creates (and of the processor's internal topics), "
          + "at most `TIDEWIRE_TOPIC_REPLICATION_FACTOR`: an `acks=all` write succeeds only once this many "
          + "replicas have it; at start a part warns about an existing topic with a lower value. A single "
          + "broker needs `1`");
  public static final PassThrough CLIENT = new PassThrough("TIDEWIRE_KAFKA_",
      "any Kafka client setting, for every client of every part (producers, consumers, admin clients, "
          + "Kafka Streams, the capture's offset store): `TIDEWIRE_KAFKA_SECURITY_PROTOCOL=SASL_SSL`, "
          + "`TIDEWIRE_KAFKA_SASL_MECHANISM=PLAIN`, `TIDEWIRE_KAFKA_SASL_JAAS_CONFIG=…`, "
          + "`TIDEWIRE_KAFKA_SSL_TRUSTSTORE_LOCATION=…`; the rest of the name lower-cased, `_` → `.`, "
          + "`__` → `_`");

  /** What {@link #CLIENT} must not set, with the reason. */
  public static final Map<String, String> CLIENT_FIXED = Map.ofEntries(
      Map.entry("bootstrap.servers", "set " + BOOTSTRAP.name() + " instead"),
      Map.entry("client.id", "every client has its own id"),
      Map.entry("group.id", "the parts manage their consumer groups"),
      Map.entry("group.instance.id", "the parts manage their consumer groups"),
      Map.entry("key.serializer", "the parts choose their serialisation"),
      Map.entry("value.serializer", "the parts choose their serialisation"),
      Map.entry("key.deserializer", "the parts choose their serialisation"),
      Map.entry("value.deserializer", "the parts choose their serialisation"),
      Map.entry("acks", "the delivery guarantees rely on acks=all"),
      Map.entry("enable.idempotence", "the delivery guarantees rely on idempotent producers"),
      Map.entry("transactional.id", "the parts manage their transactions"),
      Map.entry("isolation.level", "readers see committed records only"),
      Map.entry("enable.auto.commit", "the parts manage their positions"),
      Map.entry("auto.offset.reset", "each reader chooses where it starts"));

  /** The variables of this group. */
  public static final SettingGroup SETTINGS = SettingGroup.of(
      List.of(BOOTSTRAP, TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR, TOPIC_MIN_INSYNC_REPLICAS), List.of(CLIENT));

  public KafkaSettings {
    Objects.requireNonNull(bootstrap, "bootstrap");
    clientOverrides = Map.copyOf(clientOverrides);
  }

  /**
   * Reads the group's variables.
   *
   * @param in a reader whose known group includes {@link #SETTINGS}
   * @return the settings; only valid once {@link SettingsReader#throwIfInvalid} passed
   */
  public static KafkaSettings read(final SettingsReader in) {
    final short replicationFactor = in.get(TOPIC_REPLICATION_FACTOR);
    final short minInsyncReplicas = in.get(TOPIC_MIN_INSYNC_REPLICAS);
    in.check(minInsyncReplicas <= replicationFactor, TOPIC_MIN_INSYNC_REPLICAS.name() + " (" + minInsyncReplicas
        + ") must not exceed " + TOPIC_REPLICATION_FACTOR.name() + " (" + replicationFactor
        + "): no write with acks=all could succeed", TOPIC_REPLICATION_FACTOR, TOPIC_MIN_INSYNC_REPLICAS);
    return new KafkaSettings(Objects.requireNonNullElse(in.get(BOOTSTRAP), ""), in.get(TOPIC_PARTITIONS),
        replicationFactor, minInsyncReplicas, in.passThrough(CLIENT, CLIENT_FIXED));
  }

  /**
   * The variables a single broker needs (the demo, tests, the bench): replication factor 1 and
   * {@code min.insync.replicas} 1 instead of the defaults for a cluster.
   */
  public static Map<String, String> singleBroker() {
    return Map.of(TOPIC_REPLICATION_FACTOR.name(), "1", TOPIC_MIN_INSYNC_REPLICAS.name(), "1");
  }

  /**
   * The start check's error when the cluster has fewer brokers than the replication factor: one
   * line naming the setting and the broker count.
   */
  public String tooFewBrokers(final int brokers) {
    return TOPIC_REPLICATION_FACTOR.name() + " is " + replicationFactor + " but the Kafka cluster at " + bootstrap
        + " has " + brokers + (brokers == 1 ? " broker" : " brokers") + ": start more brokers, or set "
        + TOPIC_REPLICATION_FACTOR.name() + "=" + brokers + " and " + TOPIC_MIN_INSYNC_REPLICAS.name() + "="
        + Math.min(brokers, minInsyncReplicas) + " (" + (brokers == 1 ? "a single broker keeps one copy of every record"
            : "fewer copies of every record") + ")";
  }

  /**
   * The start check's warning about an existing topic replicated less than configured (existing
   * topics are never altered).
   *
   * @param topic the topic
   * @param replicas its replication factor
   * @param minInsync its {@code min.insync.replicas}
   */
  public String weakTopic(final String topic, final int replicas, final int minInsync) {
    return "topic " + topic + " has replication factor " + replicas + " and min.insync.replicas " + minInsync
        + ", below " + TOPIC_REPLICATION_FACTOR.name() + "=" + replicationFactor + " / "
        + TOPIC_MIN_INSYNC_REPLICAS.name() + "=" + minInsyncReplicas
        + "; it is left as it is (kafka-reassign-partitions and kafka-configs change it)";
  }

  /**
   * The base of every Kafka client's properties: the overrides and the bootstrap servers. Each
   * client adds its own settings after these, so its guarantees cannot be overridden.
   *
   * @return a fresh mutable map
   */
  public Map<String, Object> clientProperties() {
    final Map<String, Object> props = new HashMap<>(clientOverrides);
    props.put("bootstrap.servers", bootstrap);
    return props;
  }

  @Override
  public String toString() {
    return "KafkaSettings[bootstrap=" + bootstrap + ", topicPartitions=" + topicPartitions
        + ", replicationFactor=" + replicationFactor + ", minInsyncReplicas=" + minInsyncReplicas + ", clientOverrides=" + PassThrough.redact(clientOverrides)
        + "]";
  }
}
