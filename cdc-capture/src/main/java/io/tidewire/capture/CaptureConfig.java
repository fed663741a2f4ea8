package io.tidewire.capture;

import io.tidewire.schemas.TopicProvisioner;
import io.tidewire.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Everything the capture process needs, loaded once at start. Build it with {@link #fromEnv(Map)}
 * (the launcher passes {@code System.getenv()}); the canonical constructor validates too, so an
 * instance is always valid.
 *
 * <p>Debezium and Kafka producer settings beyond the ones named here pass through unchanged from
 * {@code TIDEWIRE_DEBEZIUM_*} and {@code TIDEWIRE_PRODUCER_*} variables; settings that carry
 * Tidewire's contract or guarantees (envelope format, acks, idempotence, names with their own
 * variable) cannot be overridden that way.
 *
 * <p>Immutable and thread-safe. {@link #toString()} hides the password and secret-looking
 * overrides.
 *
 * @param kafkaBootstrap Kafka bootstrap servers, {@code host:port[,host:port…]}
 * @param pgHost PostgreSQL host
 * @param pgPort PostgreSQL port
 * @param pgDatabase database name
 * @param pgUser user with the REPLICATION attribute
 * @param pgPassword its password
 * @param tables captured tables as {@code schema.table}, in lower case
 * @param slotName logical replication slot (created if missing, kept across restarts)
 * @param publicationName publication, created or reconciled to exactly {@code tables}
 * @param name engine name; also the key of the stored offsets, so keep it stable
 * @param offsetsTopic compacted topic that stores the capture's offsets
 * @param topicPrefix first part of the change topics, {@code <prefix>.<schema>.<table>}
 * @param pollInterval how long Debezium waits for more changes before handing over a batch
 * @param heartbeatInterval heartbeat period (0 disables); heartbeats let the slot advance when
 *     captured tables are quiet
 * @param snapshotMode what to read before streaming
 * @param topicPartitions partitions of the change and heartbeat topics when created
 * @param topicReplicationFactor replication factor of the topics this process creates
 * @param shutdownTimeout upper bound for {@link CaptureService#close()}
 * @param debeziumOverrides extra Debezium engine/connector properties
 * @param producerOverrides extra Kafka producer properties
 */
public record CaptureConfig(
    String kafkaBootstrap,
    String pgHost,
    int pgPort,
    String pgDatabase,
    String pgUser,
    String pgPassword,
    List<String> tables,
    String slotName,
    String publicationName,
    String name,
    String offsetsTopic,
    String topicPrefix,
    Duration pollInterval,
    Duration heartbeatInterval,
    SnapshotMode snapshotMode,
    int topicPartitions,
    short topicReplicationFactor,
    Duration shutdownTimeout,
    Map<String, String> debeziumOverrides,
    Map<String, String> producerOverrides) {

  /** Kafka bootstrap servers (required). */
  public static final String ENV_KAFKA_BOOTSTRAP = "TIDEWIRE_KAFKA_BOOTSTRAP";
  /** PostgreSQL host. */
  public static final String ENV_PG_HOST = "TIDEWIRE_PG_HOST";
  /** PostgreSQL port. */
  public static final String ENV_PG_PORT = "TIDEWIRE_PG_PORT";
  /** Database name. */
  public static final String ENV_PG_DATABASE = "TIDEWIRE_PG_DATABASE";
  /** Database user (needs REPLICATION). */
  public static final String ENV_PG_USER = "TIDEWIRE_PG_USER";
  /** Database password. */
  public static final String ENV_PG_PASSWORD = "TIDEWIRE_PG_PASSWORD";
  /** Comma-separated {@code schema.table} list. */
  public static final String ENV_TABLES = "TIDEWIRE_CAPTURE_TABLES";
  /** Replication slot name. */
  public static final String ENV_SLOT = "TIDEWIRE_CAPTURE_SLOT";
  /** Publication name. */
  public static final String ENV_PUBLICATION = "TIDEWIRE_CAPTURE_PUBLICATION";
  /** Engine name and offsets key. */
  public static final String ENV_NAME = "TIDEWIRE_CAPTURE_NAME";
  /** Offsets topic. */
  public static final String ENV_OFFSETS_TOPIC = "TIDEWIRE_CAPTURE_OFFSETS_TOPIC";
  /** Change topic prefix. */
  public static final String ENV_TOPIC_PREFIX = "TIDEWIRE_CAPTURE_TOPIC_PREFIX";
  /** Poll interval in milliseconds. */
  public static final String ENV_POLL_INTERVAL_MS = "TIDEWIRE_CAPTURE_POLL_INTERVAL_MS";
  /** Heartbeat interval in milliseconds. */
  public static final String ENV_HEARTBEAT_MS = "TIDEWIRE_CAPTURE_HEARTBEAT_MS";
  /** Snapshot mode. */
  public static final String ENV_SNAPSHOT_MODE = "TIDEWIRE_CAPTURE_SNAPSHOT_MODE";
  /** Shutdown bound in milliseconds. */
  public static final String ENV_SHUTDOWN_TIMEOUT_MS = "TIDEWIRE_CAPTURE_SHUTDOWN_TIMEOUT_MS";
  /** Partitions of created topics. */
  public static final String ENV_TOPIC_PARTITIONS = "TIDEWIRE_TOPIC_PARTITIONS";
  /** Replication factor of created topics. */
  public static final String ENV_TOPIC_REPLICATION_FACTOR = "TIDEWIRE_TOPIC_REPLICATION_FACTOR";
  /** Prefix of Debezium pass-through variables. */
  public static final String ENV_DEBEZIUM_PREFIX = "TIDEWIRE_DEBEZIUM_";
  /** Prefix of Kafka producer pass-through variables. */
  public static final String ENV_PRODUCER_PREFIX = "TIDEWIRE_PRODUCER_";

  /** The seed app's tables. */
  public static final List<String> DEFAULT_TABLES = List.of(
      "public.users", "public.generation_jobs", "public.training_jobs", "public.credit_transactions",
      "public.videos", "public.images", "public.likes", "public.comments");

  static final String DEFAULT_PG_HOST = "127.0.0.1";
  static final int DEFAULT_PG_PORT = 5432;
  static final String DEFAULT_PG_DATABASE = "tidewire";
  static final String DEFAULT_PG_USER = "tidewire";
  static final String DEFAULT_PG_PASSWORD = "tidewire";
  static final String DEFAULT_SLOT = "tidewire";
  static final String DEFAULT_PUBLICATION = "tidewire";
  static final String DEFAULT_NAME = "tidewire-capture";
  static final String DEFAULT_OFFSETS_TOPIC = "tidewire.capture.offsets";
  static final long DEFAULT_POLL_INTERVAL_MS = 5;
  static final long DEFAULT_HEARTBEAT_MS = 10_000;
  static final long DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
  static final short DEFAULT_REPLICATION_FACTOR = 1;

  /** Debezium's default heartbeat topic prefix; the topic is {@code <this>.<topicPrefix>}. */
  static final String HEARTBEAT_TOPIC_PREFIX = "__debezium-heartbeat";

  private static final Set<String> OWN_CAPTURE_VARIABLES = Set.of(ENV_TABLES, ENV_SLOT,
      ENV_PUBLICATION, ENV_NAME, ENV_OFFSETS_TOPIC, ENV_TOPIC_PREFIX, ENV_POLL_INTERVAL_MS,
      ENV_HEARTBEAT_MS, ENV_SNAPSHOT_MODE, ENV_SHUTDOWN_TIMEOUT_MS);

  private static final Pattern TABLE = Pattern.compile("[a-z_][a-z0-9_]*\\.[a-z_][a-z0-9_]*");
  private static final Pattern SLOT = Pattern.compile("[a-z0-9_]{1,63}");
  private static final Pattern PUBLICATION = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final Pattern KAFKA_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");
  private static final Pattern HOST_PORT = Pattern.compile("[^\\s,:]+:\\d{1,5}");
  private static final Pattern PROPERTY_KEY = Pattern.compile("[a-z0-9][a-z0-9._-]*");
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

    /**
     * @param value Debezium's spelling, case-insensitive
     * @return the mode, or empty if it is not one of the streaming modes
     */
    public static Optional<SnapshotMode> parse(final String value) {
      return Arrays.stream(values()).filter(m -> m.value.equalsIgnoreCase(value.trim())).findFirst();
    }
  }

  /** Validates and freezes; throws {@link CaptureConfigException} listing every problem. */
  public CaptureConfig {
    tables = tables == null ? List.of() : List.copyOf(tables);
    debeziumOverrides = debeziumOverrides == null ? Map.of() : Map.copyOf(debeziumOverrides);
    producerOverrides = producerOverrides == null ? Map.of() : Map.copyOf(producerOverrides);
    final List<String> problems = new ArrayList<>();
    if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
      problems.add(ENV_KAFKA_BOOTSTRAP + " is required (Kafka bootstrap servers, host:port[,host:port])");
    } else if (!Arrays.stream(kafkaBootstrap.split(",")).map(String::trim).allMatch(s -> HOST_PORT.matcher(s).matches())) {
      problems.add(ENV_KAFKA_BOOTSTRAP + " must be host:port[,host:port…], got '" + kafkaBootstrap + "'");
    }
    requireText(problems, ENV_PG_HOST, pgHost);
    if (pgPort < 1 || pgPort > 65_535) {
      problems.add(ENV_PG_PORT + " must be a port number 1..65535, got " + pgPort);
    }
    requireText(problems, ENV_PG_DATABASE, pgDatabase);
    requireText(problems, ENV_PG_USER, pgUser);
    if (pgPassword == null) {
      problems.add(ENV_PG_PASSWORD + " must not be null");
    }
    validateTables(problems, tables);
    requireMatch(problems, ENV_SLOT, slotName, SLOT, "1-63 characters of a-z, 0-9 and _");
    requireMatch(problems, ENV_PUBLICATION, publicationName, PUBLICATION,
        "a lower-case SQL identifier (a-z, 0-9, _; not starting with a digit; at most 63 characters)");
    requireMatch(problems, ENV_NAME, name, KAFKA_NAME, "1-200 characters of A-Z, a-z, 0-9, '.', '_' and '-'");
    requireMatch(problems, ENV_OFFSETS_TOPIC, offsetsTopic, KAFKA_NAME, "a Kafka topic name (A-Z, a-z, 0-9, '.', '_', '-')");
    requireMatch(problems, ENV_TOPIC_PREFIX, topicPrefix, KAFKA_NAME, "a Kafka topic name (A-Z, a-z, 0-9, '.', '_', '-')");
    if (topicPrefix != null) {
      for (final String table : tables) {
        if (topicPrefix.length() + 1 + table.length() > MAX_TOPIC_NAME) {
          problems.add(ENV_TOPIC_PREFIX + " + table '" + table + "' is longer than " + MAX_TOPIC_NAME + " characters");
        }
      }
    }
    if (pollInterval == null || pollInterval.isNegative() || pollInterval.isZero()) {
      problems.add(ENV_POLL_INTERVAL_MS + " must be at least 1 ms, got " + pollInterval);
    }
    if (heartbeatInterval == null || heartbeatInterval.isNegative()) {
      problems.add(ENV_HEARTBEAT_MS + " must be 0 (off) or more, got " + heartbeatInterval);
    } else if (heartbeatInterval.toMillis() > Integer.MAX_VALUE) {
      problems.add(ENV_HEARTBEAT_MS + " must be at most " + Integer.MAX_VALUE + " ms");
    }
    if (snapshotMode == null) {
      problems.add(ENV_SNAPSHOT_MODE + " must be set");
    }
    if (topicPartitions < 1) {
      problems.add(ENV_TOPIC_PARTITIONS + " must be at least 1, got " + topicPartitions);
    }
    if (topicReplicationFactor < 1) {
      problems.add(ENV_TOPIC_REPLICATION_FACTOR + " must be at least 1, got " + topicReplicationFactor);
    }
    if (shutdownTimeout == null || shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
      problems.add(ENV_SHUTDOWN_TIMEOUT_MS + " must be at least 1 ms, got " + shutdownTimeout);
    }
    validateOverrides(problems, ENV_DEBEZIUM_PREFIX, debeziumOverrides, CaptureProperties.DEBEZIUM_FIXED);
    validateOverrides(problems, ENV_PRODUCER_PREFIX, producerOverrides, CaptureProperties.PRODUCER_FIXED);
    if (!problems.isEmpty()) {
      throw new CaptureConfigException(problems);
    }
  }

  /**
   * Reads the configuration from environment variables (names in the module README), applying the
   * documented defaults to unset or blank variables.
   *
   * @param env usually {@code System.getenv()}
   * @return the validated configuration
   * @throws CaptureConfigException listing every invalid or unknown {@code TIDEWIRE_CAPTURE_*}
   *     variable at once
   */
  public static CaptureConfig fromEnv(final Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    final List<String> problems = new ArrayList<>();
    for (final String key : new TreeMap<>(env).keySet()) {
      if (key.startsWith("TIDEWIRE_CAPTURE_") && !OWN_CAPTURE_VARIABLES.contains(key)) {
        problems.add("unknown variable " + key + " (known TIDEWIRE_CAPTURE_* variables: "
            + String.join(", ", OWN_CAPTURE_VARIABLES.stream().sorted().toList()) + ")");
      }
    }
    final Reader in = new Reader(env, problems);
    final CaptureConfig parsed;
    try {
      parsed = new CaptureConfig(
          in.text(ENV_KAFKA_BOOTSTRAP, null),
          in.text(ENV_PG_HOST, DEFAULT_PG_HOST),
          in.number(ENV_PG_PORT, DEFAULT_PG_PORT, Integer::parseInt),
          in.text(ENV_PG_DATABASE, DEFAULT_PG_DATABASE),
          in.text(ENV_PG_USER, DEFAULT_PG_USER),
          in.text(ENV_PG_PASSWORD, DEFAULT_PG_PASSWORD),
          in.list(ENV_TABLES, DEFAULT_TABLES),
          in.text(ENV_SLOT, DEFAULT_SLOT),
          in.text(ENV_PUBLICATION, DEFAULT_PUBLICATION),
          in.text(ENV_NAME, DEFAULT_NAME),
          in.text(ENV_OFFSETS_TOPIC, DEFAULT_OFFSETS_TOPIC),
          in.text(ENV_TOPIC_PREFIX, Topics.CDC_PREFIX),
          Duration.ofMillis(in.number(ENV_POLL_INTERVAL_MS, DEFAULT_POLL_INTERVAL_MS, Long::parseLong)),
          Duration.ofMillis(in.number(ENV_HEARTBEAT_MS, DEFAULT_HEARTBEAT_MS, Long::parseLong)),
          in.snapshotMode(),
          in.number(ENV_TOPIC_PARTITIONS, TopicProvisioner.DEFAULT_PARTITIONS, Integer::parseInt),
          in.number(ENV_TOPIC_REPLICATION_FACTOR, DEFAULT_REPLICATION_FACTOR, Short::parseShort),
          Duration.ofMillis(in.number(ENV_SHUTDOWN_TIMEOUT_MS, DEFAULT_SHUTDOWN_TIMEOUT_MS, Long::parseLong)),
          in.overrides(ENV_DEBEZIUM_PREFIX),
          in.overrides(ENV_PRODUCER_PREFIX));
    } catch (CaptureConfigException e) {
      problems.addAll(e.problems());
      throw new CaptureConfigException(problems);
    }
    if (!problems.isEmpty()) {
      throw new CaptureConfigException(problems);
    }
    return parsed;
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
    return "CaptureConfig[kafkaBootstrap=" + kafkaBootstrap + ", pg=" + pgUser + "@" + pgHost + ":" + pgPort
        + "/" + pgDatabase + ", tables=" + tables + ", slotName=" + slotName + ", publicationName="
        + publicationName + ", name=" + name + ", offsetsTopic=" + offsetsTopic + ", topicPrefix=" + topicPrefix
        + ", pollInterval=" + pollInterval + ", heartbeatInterval=" + heartbeatInterval + ", snapshotMode="
        + snapshotMode + ", topicPartitions=" + topicPartitions + ", topicReplicationFactor="
        + topicReplicationFactor + ", shutdownTimeout=" + shutdownTimeout + ", debeziumOverrides="
        + redact(debeziumOverrides) + ", producerOverrides=" + redact(producerOverrides) + "]";
  }

  /**
   * Turns the rest of a pass-through variable name into a property key: lower case, {@code _}
   * becomes {@code .}, and {@code __} becomes a literal {@code _}.
   */
  static String propertyKey(final String envSuffix) {
    return envSuffix.toLowerCase(Locale.ROOT).replace("__", "\u0000").replace('_', '.').replace('\u0000', '_');
  }

  private static Map<String, String> redact(final Map<String, String> overrides) {
    final Map<String, String> shown = new TreeMap<>();
    overrides.forEach((k, v) -> shown.put(k,
        k.contains("password") || k.contains("secret") || k.contains("jaas") || k.contains("token") ? "****" : v));
    return shown;
  }

  private static void requireText(final List<String> problems, final String variable, final String value) {
    if (value == null || value.isBlank()) {
      problems.add(variable + " must not be blank");
    }
  }

  private static void requireMatch(final List<String> problems, final String variable, final String value,
      final Pattern pattern, final String expected) {
    if (value == null || !pattern.matcher(value).matches()) {
      problems.add(variable + " must be " + expected + ", got '" + value + "'");
    }
  }

  private static void validateTables(final List<String> problems, final List<String> tables) {
    if (tables.isEmpty()) {
      problems.add(ENV_TABLES + " must name at least one table (schema.table)");
      return;
    }
    final Set<String> seen = new HashSet<>();
    for (final String table : tables) {
      if (table == null || !TABLE.matcher(table).matches()) {
        problems.add(ENV_TABLES + " entries must be lower-case schema.table, got '" + table + "'");
      } else if (!seen.add(table)) {
        problems.add(ENV_TABLES + " lists '" + table + "' twice");
      }
    }
  }

  private static void validateOverrides(final List<String> problems, final String envPrefix,
      final Map<String, String> overrides, final Map<String, String> fixed) {
    for (final Map.Entry<String, String> entry : new TreeMap<>(overrides).entrySet()) {
      final String key = entry.getKey();
      if (!PROPERTY_KEY.matcher(key).matches()) {
        problems.add(envPrefix + "* gives an invalid property key '" + key + "'");
      } else if (fixed.containsKey(key)) {
        problems.add(envPrefix + "* cannot set '" + key + "': " + fixed.get(key));
      }
      if (entry.getValue() == null) {
        problems.add(envPrefix + "* gives no value for '" + key + "'");
      }
    }
  }

  /** Reads typed values, recording parse problems and falling back to defaults to keep going. */
  private static final class Reader {
    private final Map<String, String> env;
    private final List<String> problems;

    Reader(final Map<String, String> env, final List<String> problems) {
      this.env = env;
      this.problems = problems;
    }

    String text(final String variable, final String fallback) {
      final String value = env.get(variable);
      return value == null || value.isBlank() ? fallback : value.trim();
    }

    <N extends Number> N number(final String variable, final N fallback, final Function<String, N> parser) {
      final String value = text(variable, null);
      if (value == null) {
        return fallback;
      }
      try {
        return parser.apply(value);
      } catch (NumberFormatException e) {
        problems.add(variable + (isLong(value) ? " is out of range, got '" : " must be a whole number, got '") + value + "'");
        return fallback;
      }
    }

    private static boolean isLong(final String value) {
      try {
        Long.parseLong(value);
        return true;
      } catch (NumberFormatException e) {
        return false;
      }
    }

    List<String> list(final String variable, final List<String> fallback) {
      final String value = text(variable, null);
      if (value == null) {
        return fallback;
      }
      return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    SnapshotMode snapshotMode() {
      final String value = text(ENV_SNAPSHOT_MODE, SnapshotMode.INITIAL.value());
      final Optional<SnapshotMode> mode = SnapshotMode.parse(value);
      if (mode.isEmpty()) {
        problems.add(ENV_SNAPSHOT_MODE + " must be one of " + Arrays.stream(SnapshotMode.values())
            .map(SnapshotMode::value).toList() + ", got '" + value + "'");
        return SnapshotMode.INITIAL;
      }
      return mode.get();
    }

    Map<String, String> overrides(final String prefix) {
      final Map<String, String> overrides = new LinkedHashMap<>();
      for (final Map.Entry<String, String> entry : new TreeMap<>(env).entrySet()) {
        if (entry.getKey().startsWith(prefix)) {
          final String suffix = entry.getKey().substring(prefix.length());
          if (suffix.isEmpty()) {
            problems.add(prefix + " needs a property name after the prefix");
          } else {
            overrides.put(propertyKey(suffix), entry.getValue() == null ? null : entry.getValue().trim());
          }
        }
      }
      return overrides;
    }
  }
}
