package io.tidewire.gateway;

import io.tidewire.gateway.auth.JwtVerifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything the gateway process needs, loaded once at start. Build it with {@link #fromEnv(Map)}
 * (the launcher passes {@code System.getenv()}); the canonical constructor validates too, so an
 * instance is always valid. Immutable and thread-safe; {@link #toString()} hides the secret.
 *
 * @param kafkaBootstrap Kafka bootstrap servers, {@code host:port[,host:port…]}
 *     ({@code TIDEWIRE_KAFKA_BOOTSTRAP}, required)
 * @param host interface to bind ({@code TIDEWIRE_GATEWAY_HOST}, default {@code 0.0.0.0})
 * @param port HTTP/WebSocket port, 0 for any free port ({@code TIDEWIRE_GATEWAY_PORT}, default 8080)
 * @param jwtSecret HS256 secret, at least 32 bytes in UTF-8 ({@code TIDEWIRE_JWT_SECRET}, required)
 * @param jwtClockSkew clock skew allowed on {@code exp}/{@code nbf}
 *     ({@code TIDEWIRE_JWT_CLOCK_SKEW_SECONDS}, default 30)
 * @param maxFrameBytes largest client frame; larger closes the connection with 1009
 *     ({@code TIDEWIRE_GATEWAY_MAX_FRAME_BYTES}, default 65536)
 * @param sendQueueMessages per-session send queue bound in frames
 *     ({@code TIDEWIRE_GATEWAY_SEND_QUEUE_MESSAGES}, default 1000)
 * @param sendQueueBytes per-session send queue bound in bytes
 *     ({@code TIDEWIRE_GATEWAY_SEND_QUEUE_BYTES}, default 4 MiB)
 * @param staticDir directory served at {@code /} ({@code TIDEWIRE_GATEWAY_STATIC_DIR}, optional)
 * @param topicPartitions partitions of the event topics if the gateway creates them
 *     ({@code TIDEWIRE_TOPIC_PARTITIONS}, default 3)
 * @param topicReplicationFactor replication factor of the event topics if the gateway creates
 *     them ({@code TIDEWIRE_TOPIC_REPLICATION_FACTOR}, default 1)
 * @param replayWorkers threads (each with its own Kafka consumer) that replay for resuming
 *     clients ({@code TIDEWIRE_GATEWAY_REPLAY_WORKERS}, default 2)
 * @param replayMaxPending most replays admitted at a time; more resumes get {@code rate_limited}
 *     ({@code TIDEWIRE_GATEWAY_REPLAY_MAX_PENDING}, default 10000)
 * @param replayBatchRecords most records one replay step reads
 *     ({@code TIDEWIRE_GATEWAY_REPLAY_BATCH_RECORDS}, default 500)
 * @param recoveryTimeout how long a replay may wait for a client to read or make no progress, and
 *     a snapshot may wait for the state store ({@code TIDEWIRE_GATEWAY_RECOVERY_TIMEOUT_SECONDS},
 *     default 30)
 * @param closeGrace how long a closing connection may take to flush its last frames, and then to
 *     complete the close before its socket is aborted ({@code TIDEWIRE_GATEWAY_CLOSE_GRACE_MILLIS},
 *     default 2000)
 */
public record GatewayConfig(
    String kafkaBootstrap,
    String host,
    int port,
    String jwtSecret,
    Duration jwtClockSkew,
    int maxFrameBytes,
    int sendQueueMessages,
    long sendQueueBytes,
    Optional<Path> staticDir,
    int topicPartitions,
    short topicReplicationFactor,
    int replayWorkers,
    int replayMaxPending,
    int replayBatchRecords,
    Duration recoveryTimeout,
    Duration closeGrace) {

  public static final String ENV_KAFKA_BOOTSTRAP = "TIDEWIRE_KAFKA_BOOTSTRAP";
  public static final String ENV_HOST = "TIDEWIRE_GATEWAY_HOST";
  public static final String ENV_PORT = "TIDEWIRE_GATEWAY_PORT";
  public static final String ENV_JWT_SECRET = "TIDEWIRE_JWT_SECRET";
  public static final String ENV_JWT_CLOCK_SKEW_SECONDS = "TIDEWIRE_JWT_CLOCK_SKEW_SECONDS";
  public static final String ENV_MAX_FRAME_BYTES = "TIDEWIRE_GATEWAY_MAX_FRAME_BYTES";
  public static final String ENV_SEND_QUEUE_MESSAGES = "TIDEWIRE_GATEWAY_SEND_QUEUE_MESSAGES";
  public static final String ENV_SEND_QUEUE_BYTES = "TIDEWIRE_GATEWAY_SEND_QUEUE_BYTES";
  public static final String ENV_STATIC_DIR = "TIDEWIRE_GATEWAY_STATIC_DIR";
  public static final String ENV_TOPIC_PARTITIONS = "TIDEWIRE_TOPIC_PARTITIONS";
  public static final String ENV_TOPIC_REPLICATION_FACTOR = "TIDEWIRE_TOPIC_REPLICATION_FACTOR";
  public static final String ENV_REPLAY_WORKERS = "TIDEWIRE_GATEWAY_REPLAY_WORKERS";
  public static final String ENV_REPLAY_MAX_PENDING = "TIDEWIRE_GATEWAY_REPLAY_MAX_PENDING";
  public static final String ENV_REPLAY_BATCH_RECORDS = "TIDEWIRE_GATEWAY_REPLAY_BATCH_RECORDS";
  public static final String ENV_RECOVERY_TIMEOUT_SECONDS = "TIDEWIRE_GATEWAY_RECOVERY_TIMEOUT_SECONDS";
  public static final String ENV_CLOSE_GRACE_MILLIS = "TIDEWIRE_GATEWAY_CLOSE_GRACE_MILLIS";

  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_CLOCK_SKEW_SECONDS = JwtVerifier.DEFAULT_CLOCK_SKEW.toSeconds();
  public static final int DEFAULT_MAX_FRAME_BYTES = 65_536;
  public static final int DEFAULT_SEND_QUEUE_MESSAGES = 1_000;
  public static final long DEFAULT_SEND_QUEUE_BYTES = 4L * 1024 * 1024;
  public static final int DEFAULT_TOPIC_PARTITIONS = 3;
  public static final short DEFAULT_REPLICATION_FACTOR = 1;
  public static final int DEFAULT_REPLAY_WORKERS = 2;
  public static final int DEFAULT_REPLAY_MAX_PENDING = 10_000;
  public static final int DEFAULT_REPLAY_BATCH_RECORDS = 500;
  public static final long DEFAULT_RECOVERY_TIMEOUT_SECONDS = 30;
  public static final long DEFAULT_CLOSE_GRACE_MILLIS = 2_000;

  /** Upper bounds that keep a typo from becoming an outage. */
  static final int MAX_FRAME_BYTES_LIMIT = 16 * 1024 * 1024;
  static final long MAX_CLOCK_SKEW_SECONDS = 600;

  private static final Pattern HOST_PORT = Pattern.compile("[^\\s,:]+:\\d{1,5}");

  /** Validates; throws {@link GatewayConfigException} listing every problem. */
  public GatewayConfig {
    Objects.requireNonNull(staticDir, "staticDir");
    final List<String> problems = new ArrayList<>();
    if (kafkaBootstrap == null || kafkaBootstrap.isBlank()) {
      problems.add(ENV_KAFKA_BOOTSTRAP + " is required (Kafka bootstrap servers, host:port[,host:port])");
    } else if (!Arrays.stream(kafkaBootstrap.split(",")).map(String::trim)
        .allMatch(s -> HOST_PORT.matcher(s).matches())) {
      problems.add(ENV_KAFKA_BOOTSTRAP + " must be host:port[,host:port…], got '" + kafkaBootstrap + "'");
    }
    if (host == null || host.isBlank()) {
      problems.add(ENV_HOST + " must not be empty");
    }
    if (port < 0 || port > 65_535) {
      problems.add(ENV_PORT + " must be 0..65535 (0 = any free port), got " + port);
    }
    if (jwtSecret == null || jwtSecret.isEmpty()) {
      problems.add(ENV_JWT_SECRET + " is required (HS256 secret, at least "
          + JwtVerifier.MIN_SECRET_BYTES + " bytes)");
    } else if (jwtSecret.getBytes(StandardCharsets.UTF_8).length < JwtVerifier.MIN_SECRET_BYTES) {
      problems.add(ENV_JWT_SECRET + " must be at least " + JwtVerifier.MIN_SECRET_BYTES
          + " bytes for HS256, got " + jwtSecret.getBytes(StandardCharsets.UTF_8).length);
    }
    if (jwtClockSkew == null || jwtClockSkew.isNegative()
        || jwtClockSkew.toSeconds() > MAX_CLOCK_SKEW_SECONDS) {
      problems.add(ENV_JWT_CLOCK_SKEW_SECONDS + " must be 0.." + MAX_CLOCK_SKEW_SECONDS
          + " seconds, got " + jwtClockSkew);
    }
    if (maxFrameBytes < 256 || maxFrameBytes > MAX_FRAME_BYTES_LIMIT) {
      problems.add(ENV_MAX_FRAME_BYTES + " must be 256.." + MAX_FRAME_BYTES_LIMIT + ", got " + maxFrameBytes);
    }
    if (sendQueueMessages < 1) {
      problems.add(ENV_SEND_QUEUE_MESSAGES + " must be at least 1, got " + sendQueueMessages);
    }
    if (sendQueueBytes < 1024) {
      problems.add(ENV_SEND_QUEUE_BYTES + " must be at least 1024, got " + sendQueueBytes);
    }
    if (staticDir.isPresent() && !Files.isDirectory(staticDir.get())) {
      problems.add(ENV_STATIC_DIR + " must be an existing directory, got '" + staticDir.get() + "'");
    }
    if (topicPartitions < 1) {
      problems.add(ENV_TOPIC_PARTITIONS + " must be at least 1, got " + topicPartitions);
    }
    if (topicReplicationFactor < 1) {
      problems.add(ENV_TOPIC_REPLICATION_FACTOR + " must be at least 1, got " + topicReplicationFactor);
    }
    if (replayWorkers < 1 || replayWorkers > 64) {
      problems.add(ENV_REPLAY_WORKERS + " must be 1..64, got " + replayWorkers);
    }
    if (replayMaxPending < 1) {
      problems.add(ENV_REPLAY_MAX_PENDING + " must be at least 1, got " + replayMaxPending);
    }
    if (replayBatchRecords < 1 || replayBatchRecords > 100_000) {
      problems.add(ENV_REPLAY_BATCH_RECORDS + " must be 1..100000, got " + replayBatchRecords);
    }
    if (recoveryTimeout == null || recoveryTimeout.toSeconds() < 1) {
      problems.add(ENV_RECOVERY_TIMEOUT_SECONDS + " must be at least 1 second, got " + recoveryTimeout);
    }
    if (closeGrace == null || closeGrace.toMillis() < 100 || closeGrace.toMillis() > 60_000) {
      problems.add(ENV_CLOSE_GRACE_MILLIS + " must be 100..60000 ms, got " + closeGrace);
    }
    if (!problems.isEmpty()) {
      throw new GatewayConfigException(problems);
    }
    kafkaBootstrap = kafkaBootstrap.trim();
    host = host.trim();
  }

  /**
   * Reads the configuration from environment variables; unset or blank variables take their
   * defaults.
   *
   * @throws GatewayConfigException listing every missing or invalid variable
   */
  public static GatewayConfig fromEnv(final Map<String, String> env) {
    final List<String> problems = new ArrayList<>();
    final Env e = new Env(env, problems);
    final String bootstrap = e.text(ENV_KAFKA_BOOTSTRAP).orElse(null);
    final String host = e.text(ENV_HOST).orElse(DEFAULT_HOST);
    final int port = (int) e.number(ENV_PORT, DEFAULT_PORT, 0, 65_535);
    final String secret = Optional.ofNullable(env.get(ENV_JWT_SECRET)).filter(s -> !s.isEmpty()).orElse(null);
    final long skew = e.number(ENV_JWT_CLOCK_SKEW_SECONDS, DEFAULT_CLOCK_SKEW_SECONDS, 0, MAX_CLOCK_SKEW_SECONDS);
    final int maxFrame = (int) e.number(ENV_MAX_FRAME_BYTES, DEFAULT_MAX_FRAME_BYTES, 256, MAX_FRAME_BYTES_LIMIT);
    final int queueMessages = (int) e.number(ENV_SEND_QUEUE_MESSAGES, DEFAULT_SEND_QUEUE_MESSAGES, 1, Integer.MAX_VALUE);
    final long queueBytes = e.number(ENV_SEND_QUEUE_BYTES, DEFAULT_SEND_QUEUE_BYTES, 1024, Long.MAX_VALUE);
    final Optional<Path> staticDir = e.text(ENV_STATIC_DIR).map(Path::of);
    final int partitions = (int) e.number(ENV_TOPIC_PARTITIONS, DEFAULT_TOPIC_PARTITIONS, 1, 10_000);
    final short replication = (short) e.number(ENV_TOPIC_REPLICATION_FACTOR, DEFAULT_REPLICATION_FACTOR, 1, Short.MAX_VALUE);
    final int replayWorkers = (int) e.number(ENV_REPLAY_WORKERS, DEFAULT_REPLAY_WORKERS, 1, 64);
    final int replayMaxPending = (int) e.number(ENV_REPLAY_MAX_PENDING, DEFAULT_REPLAY_MAX_PENDING, 1, 1_000_000);
    final int replayBatch = (int) e.number(ENV_REPLAY_BATCH_RECORDS, DEFAULT_REPLAY_BATCH_RECORDS, 1, 100_000);
    final Duration recoveryTimeout = Duration.ofSeconds(
        e.number(ENV_RECOVERY_TIMEOUT_SECONDS, DEFAULT_RECOVERY_TIMEOUT_SECONDS, 1, 3_600));
    final Duration closeGrace = Duration.ofMillis(
        e.number(ENV_CLOSE_GRACE_MILLIS, DEFAULT_CLOSE_GRACE_MILLIS, 100, 60_000));
    if (bootstrap == null) {
      problems.add(ENV_KAFKA_BOOTSTRAP + " is required (Kafka bootstrap servers, host:port[,host:port])");
    }
    if (secret == null) {
      problems.add(ENV_JWT_SECRET + " is required (HS256 secret, at least "
          + JwtVerifier.MIN_SECRET_BYTES + " bytes)");
    }
    if (!problems.isEmpty()) {
      // Report the remaining checks too, with placeholders for what is missing.
      try {
        new GatewayConfig(bootstrap == null ? "placeholder:1" : bootstrap, host, port,
            secret == null ? "x".repeat(JwtVerifier.MIN_SECRET_BYTES) : secret, Duration.ofSeconds(skew),
            maxFrame, queueMessages, queueBytes, staticDir, partitions, replication, replayWorkers,
            replayMaxPending, replayBatch, recoveryTimeout, closeGrace);
      } catch (GatewayConfigException more) {
        problems.addAll(more.problems());
      }
      throw new GatewayConfigException(problems);
    }
    return new GatewayConfig(bootstrap, host, port, secret, Duration.ofSeconds(skew), maxFrame,
        queueMessages, queueBytes, staticDir, partitions, replication, replayWorkers,
        replayMaxPending, replayBatch, recoveryTimeout, closeGrace);
  }

  /** The secret's bytes (UTF-8). */
  public byte[] jwtSecretBytes() {
    return jwtSecret.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String toString() {
    return "GatewayConfig[kafkaBootstrap=" + kafkaBootstrap + ", host=" + host + ", port=" + port
        + ", jwtSecret=***, jwtClockSkew=" + jwtClockSkew + ", maxFrameBytes=" + maxFrameBytes
        + ", sendQueueMessages=" + sendQueueMessages + ", sendQueueBytes=" + sendQueueBytes
        + ", staticDir=" + staticDir + ", topicPartitions=" + topicPartitions
        + ", topicReplicationFactor=" + topicReplicationFactor + ", replayWorkers=" + replayWorkers
        + ", replayMaxPending=" + replayMaxPending + ", replayBatchRecords=" + replayBatchRecords
        + ", recoveryTimeout=" + recoveryTimeout + ", closeGrace=" + closeGrace + "]";
  }

  /** Reads variables, collecting problems instead of failing on the first. */
  private record Env(Map<String, String> env, List<String> problems) {

    Optional<String> text(final String name) {
      final String value = env.get(name);
      return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.trim());
    }

    long number(final String name, final long fallback, final long min, final long max) {
      final Optional<String> value = text(name);
      if (value.isEmpty()) {
        return fallback;
      }
      try {
        final long parsed = Long.parseLong(value.get());
        if (parsed < min || parsed > max) {
          problems.add(name + " must be " + min + ".." + max + ", got " + parsed);
          return fallback;
        }
        return parsed;
      } catch (NumberFormatException ex) {
        problems.add(name + " must be a whole number, got '" + value.get() + "'");
        return fallback;
      }
    }
  }
}
