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
 * @param clientOverrides client properties for every Kafka client, by property key
 */
public record KafkaSettings(String bootstrap, int topicPartitions, short replicationFactor,
    Map<String, String> clientOverrides) {

  /** Partitions of Tidewire's topics unless {@link #TOPIC_PARTITIONS} says otherwise. */
  public static final int DEFAULT_TOPIC_PARTITIONS = 3;

  public static final Setting<String> BOOTSTRAP = Setting.of("TIDEWIRE_KAFKA_BOOTSTRAP", Parsers.hostPorts())
      .doc("Kafka bootstrap servers, `host:port[,host:port…]` (IPv6 as `[::1]:9092`)");
  public static final Setting<Integer> TOPIC_PARTITIONS = Setting.of("TIDEWIRE_TOPIC_PARTITIONS",
      Parsers.ints(1, 10_000)).byDefault(Integer.toString(DEFAULT_TOPIC_PARTITIONS))
      .doc("partitions of the topics a part creates when they are missing");
  public static final Setting<Short> TOPIC_REPLICATION_FACTOR = Setting.of("TIDEWIRE_TOPIC_REPLICATION_FACTOR",
      Parsers.ints(1, Short.MAX_VALUE).map(Integer::shortValue)).byDefault("1")
      .doc("replication factor of the topics a part creates (also the capture's offsets topic and the "
          + "processor's internal topics)");
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
      List.of(BOOTSTRAP, TOPIC_PARTITIONS, TOPIC_REPLICATION_FACTOR), List.of(CLIENT));

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
    return new KafkaSettings(Objects.requireNonNullElse(in.get(BOOTSTRAP), ""), in.get(TOPIC_PARTITIONS),
        in.get(TOPIC_REPLICATION_FACTOR), in.passThrough(CLIENT, CLIENT_FIXED));
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
        + ", replicationFactor=" + replicationFactor + ", clientOverrides=" + PassThrough.redact(clientOverrides)
        + "]";
  }
}
