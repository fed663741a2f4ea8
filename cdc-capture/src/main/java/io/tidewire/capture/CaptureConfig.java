package io.tidewire.capture;

import static io.tidewire.capture.CaptureSettings.DEBEZIUM;
import static io.tidewire.capture.CaptureSettings.HEARTBEAT;
import static io.tidewire.capture.CaptureSettings.NAME;
import static io.tidewire.capture.CaptureSettings.OFFSETS_TOPIC;
import static io.tidewire.capture.CaptureSettings.PARTITION_BY;
import static io.tidewire.capture.CaptureSettings.PG_DATABASE;
import static io.tidewire.capture.CaptureSettings.PG_HOST;
import static io.tidewire.capture.CaptureSettings.PG_PASSWORD;
import static io.tidewire.capture.CaptureSettings.PG_PORT;
import static io.tidewire.capture.CaptureSettings.PG_USER;
import static io.tidewire.capture.CaptureSettings.POLL_INTERVAL;
import static io.tidewire.capture.CaptureSettings.PRODUCER;
import static io.tidewire.capture.CaptureSettings.PUBLICATION_NAME;
import static io.tidewire.capture.CaptureSettings.RESTART_BACKOFF;
import static io.tidewire.capture.CaptureSettings.RESTART_BACKOFF_MAX;
import static io.tidewire.capture.CaptureSettings.SHUTDOWN_TIMEOUT;
import static io.tidewire.capture.CaptureSettings.SLOT_LAG_INTERVAL;
import static io.tidewire.capture.CaptureSettings.SLOT_NAME;
import static io.tidewire.capture.CaptureSettings.SNAPSHOT_MODE;
import static io.tidewire.capture.CaptureSettings.TABLES;
import static io.tidewire.capture.CaptureSettings.TOPIC_PREFIX;

import io.tidewire.schemas.Topics;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.PassThrough;
import io.tidewire.settings.SettingGroup;
import io.tidewire.settings.SettingsReader;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the capture process needs, loaded once at start by {@link #fromEnv(Map)} from the
 * variables of {@link CaptureSettings} (the launcher passes {@code System.getenv()}), which is
 * where the values are validated; the constructor only freezes them.
 *
 * <p>Debezium and Kafka producer settings beyond the ones named here pass through unchanged from
 * {@code TIDEWIRE_DEBEZIUM_*} and {@code TIDEWIRE_PRODUCER_*} variables, and those of every Kafka
 * client from {@code TIDEWIRE_KAFKA_*} ({@link KafkaSettings}); settings that carry Tidewire's
 * contract or guarantees (envelope format, acks, idempotence, names with their own variable)
 * cannot be overridden that way.
 *
 * <p>Immutable and thread-safe. {@link #toString()} hides the password and secret-looking
 * overrides.
 *
 * @param kafka the cluster, topic sizing and Kafka client overrides (shared by every part)
 * @param pgHost PostgreSQL host
 * @param pgPort PostgreSQL port
 * @param pgDatabase database name
 * @param pgUser user with the REPLICATION attribute
 * @param pgPassword its password
 * @param tables captured tables as {@code schema.table}, in lower case
 * @param partitionBy captured tables whose changes go to their owner's partition
 *     ({@link OwnerPartitioner})
 * @param slotName logical replication slot (created if missing, kept across restarts)
 * @param publicationName publication, created or reconciled to exactly {@code tables}
 * @param name engine name; also the key of the stored offsets, so keep it stable
 * @param offsetsTopic compacted topic that stores the capture's offsets
 * @param topicPrefix first part of the change topics, {@code <prefix>.<schema>.<table>}
 * @param pollInterval how long Debezium waits for more changes before handing over a batch
 * @param heartbeatInterval heartbeat period (0 disables); heartbeats let the slot advance when
 *     captured tables are quiet
 * @param snapshotMode what to read before streaming
 * @param shutdownTimeout upper bound for {@link CaptureService#close()}
 * @param restartBackoff delay before the first restart of an engine that stopped on its own;
 *     doubled after each further failure in a row
 * @param restartBackoffMax upper bound of the restart delay
 * @param slotLagInterval how often the replication slot's lag is read from PostgreSQL
 * @param debeziumOverrides extra Debezium engine/connector properties
 * @param producerOverrides extra Kafka producer properties
 */
public record CaptureConfig(
    KafkaSettings kafka,
    String pgHost,
    int pgPort,
    String pgDatabase,
    String pgUser,
    String pgPassword,
    List<String> tables,
    List<OwnerColumn> partitionBy,
    String slotName,
    String publicationName,
    String name,
    String offsetsTopic,
    String topicPrefix,
    Duration pollInterval,
    Duration heartbeatInterval,
    SnapshotMode snapshotMode,
    Duration shutdownTimeout,
    Duration restartBackoff,
    Duration restartBackoffMax,
    Duration slotLagInterval,
    Map<String, String> debeziumOverrides,
    Map<String, String> producerOverrides) {

  /** Debezium's default heartbeat topic prefix; the topic is {@code <this>.<topicPrefix>}. */
  static final String HEARTBEAT_TOPIC_PREFIX = "__debezium-heartbeat";

  private static final int MAX_TOPIC_NAME = 249;

  /** Snapshot modes that end in streaming (Debezium's {@code snapshot.mode}). */
  public enum SnapshotMode {
    /** Snapshot once when no offsets are stored, then stream. */
    INITIAL("initial"),
    /** Snapshot at every start, then stream. */
    ALWAYS("always"),
    /** Never read existing rows; stream from the slot's position. */
    NO_DATA("no_data"),
    /** Snapshot when offsets are missing or no longer available in the slot, then stream. */
    WHEN_NEEDED("when_needed");

    private final String value;

    SnapshotMode(final String value) {
      this.value = value;
    }

    /** Debezium's spelling. */
    public String value() {
      return value;
    }
  }

  /** Freezes the collections; values are validated by {@link #fromEnv}. */
  public CaptureConfig {
    Objects.requireNonNull(kafka, "kafka");
    tables = List.copyOf(tables);
    partitionBy = List.copyOf(partitionBy);
    debeziumOverrides = Map.copyOf(debeziumOverrides);
    producerOverrides = Map.copyOf(producerOverrides);
  }

  /**
   * Reads the configuration of a capture that shares {@code env} with no other part.
   *
   * @see #fromEnv(Map, SettingGroup)
   */
  public static CaptureConfig fromEnv(final Map<String, String> env) {
    return fromEnv(env, CaptureSettings.SETTINGS);
  }

  /**
   * Reads the configuration from environment variables (names in the module README), applying the
   * documented defaults to unset or blank variables.
   *
   * @param env usually {@code System.getenv()}
   * @param known the variables of every part that may share {@code env} (the launcher's union), so
   *     that only variables no part reads are rejected as unknown
   * @return the validated configuration
   * @throws CaptureConfigException listing every invalid or unknown variable at once
   */
  public static CaptureConfig fromEnv(final Map<String, String> env, final SettingGroup known) {
    final SettingsReader in = SettingsReader.of(env, known.and(CaptureSettings.SETTINGS));
    final List<String> tables = in.get(TABLES);
    // the default names the demo schema's owned tables: only those a custom table list captures
    final List<OwnerColumn> partitionBy = in.get(PARTITION_BY, PARTITION_BY.defaultValue().orElseThrow().stream()
        .filter(owner -> tables.contains(owner.table())).toList());
    final CaptureConfig config = new CaptureConfig(KafkaSettings.read(in), in.get(PG_HOST), in.get(PG_PORT),
        in.get(PG_DATABASE), in.get(PG_USER), in.get(PG_PASSWORD), tables, partitionBy, in.get(SLOT_NAME),
        in.get(PUBLICATION_NAME), in.get(NAME), in.get(OFFSETS_TOPIC), in.get(TOPIC_PREFIX), in.get(POLL_INTERVAL),
        in.get(HEARTBEAT), in.get(SNAPSHOT_MODE), in.get(SHUTDOWN_TIMEOUT),
        in.get(RESTART_BACKOFF), in.get(RESTART_BACKOFF_MAX), in.get(SLOT_LAG_INTERVAL),
        in.passThrough(DEBEZIUM, CaptureProperties.DEBEZIUM_FIXED),
        in.passThrough(PRODUCER, CaptureProperties.PRODUCER_FIXED));
    config.checkTogether(in);
    in.throwIfInvalid(CaptureConfigException::new);
    return config;
  }

  private void checkTogether(final SettingsReader in) {
    in.check(restartBackoff.compareTo(restartBackoffMax) <= 0, RESTART_BACKOFF.name() + " is larger than "
        + RESTART_BACKOFF_MAX.name(), RESTART_BACKOFF, RESTART_BACKOFF_MAX);
    final Set<String> seen = new HashSet<>();
    for (final String table : tables) {
      in.check(seen.add(table), TABLES.name() + " lists '" + table + "' twice", TABLES);
      in.check(topicPrefix.length() + 1 + table.length() <= MAX_TOPIC_NAME,
          TOPIC_PREFIX.name() + " + table '" + table + "' is longer than " + MAX_TOPIC_NAME + " characters",
          TOPIC_PREFIX, TABLES);
    }
    final Set<String> owned = new HashSet<>();
    for (final OwnerColumn owner : partitionBy) {
      in.check(tables.contains(owner.table()), PARTITION_BY.name() + " names '" + owner.table() + "', which "
          + TABLES.name() + " does not capture", PARTITION_BY, TABLES);
      in.check(owned.add(owner.table()), PARTITION_BY.name() + " lists '" + owner.table() + "' twice", PARTITION_BY);
    }
  }

  /** JDBC URL of the captured database. */
  public String jdbcUrl() {
    return "jdbc:postgresql://" + pgHost + ":" + pgPort + "/" + pgDatabase;
  }

  /**
   * The change topic of one captured table.
   *
   * @param table {@code schema.table}
   * @return {@code <topicPrefix>.<schema>.<table>}; with the default prefix the same name as
   *     {@link Topics#cdcName(String, String)}
   */
  public String changeTopic(final String table) {
    return topicPrefix + "." + table;
  }

  /** The change topics of all captured tables, in configuration order. */
  public List<String> changeTopics() {
    return tables.stream().map(this::changeTopic).toList();
  }

  /** Where Debezium writes heartbeats: {@code __debezium-heartbeat.<topicPrefix>}. */
  public String heartbeatTopic() {
    return HEARTBEAT_TOPIC_PREFIX + "." + topicPrefix;
  }

  /** Like the generated one, but without the password or secret-looking override values. */
  @Override
  public String toString() {
    return "CaptureConfig[kafka=" + kafka + ", pg=" + pgUser + "@" + pgHost + ":" + pgPort + "/" + pgDatabase
        + ", tables=" + tables + ", partitionBy=" + partitionBy + ", slotName=" + slotName + ", publicationName=" + publicationName + ", name="
        + name + ", offsetsTopic=" + offsetsTopic + ", topicPrefix=" + topicPrefix + ", pollInterval="
        + pollInterval + ", heartbeatInterval=" + heartbeatInterval + ", snapshotMode=" + snapshotMode
        + ", shutdownTimeout=" + shutdownTimeout + ", restartBackoff=" + restartBackoff + ".." + restartBackoffMax
        + ", slotLagInterval=" + slotLagInterval + ", debeziumOverrides=" + PassThrough.redact(debeziumOverrides)
        + ", producerOverrides=" + PassThrough.redact(producerOverrides) + "]";
  }
}
