package io.tidewire.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tidewire.gateway.auth.JwksConfig;
import io.tidewire.gateway.auth.SubjectFormat;
import io.tidewire.gateway.auth.TokenPolicy;
import io.tidewire.gateway.session.FrameBudget;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.SettingsDoc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {

  private static final String SECRET = "0123456789abcdef0123456789abcdef";

  private static Map<String, String> env(final String... pairs) {
    final Map<String, String> env = new HashMap<>();
    env.put("TIDEWIRE_KAFKA_BOOTSTRAP", "127.0.0.1:9092");
    env.put("TIDEWIRE_JWT_SECRET", SECRET);
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  @Test
  void appliesDocumentedDefaults() {
    final GatewayConfig config = GatewayConfig.fromEnv(env());

    assertThat(config.kafka().bootstrap()).isEqualTo("127.0.0.1:9092");
    assertThat(config.host()).isEqualTo("0.0.0.0");
    assertThat(config.port()).isEqualTo(8080);
    assertThat(config.jwtClockSkew()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.maxFrameBytes()).isEqualTo(73_728);
    assertThat(config.channels()).isEqualTo(ChannelConfig.DEFAULTS);
    assertThat(config.fanoutThreads()).isEqualTo(Math.min(64, Runtime.getRuntime().availableProcessors()));
    assertThat(config.sendQueueMessages()).isEqualTo(1_000);
    assertThat(config.sendQueueBytes()).isEqualTo(4L * 1024 * 1024);
    assertThat(config.staticDir()).isEmpty();
    assertThat(config.kafka().topicPartitions()).isEqualTo(KafkaSettings.DEFAULT_TOPIC_PARTITIONS);
    assertThat(config.kafka().replicationFactor()).isEqualTo((short) 3);
    assertThat(config.kafka().minInsyncReplicas()).isEqualTo((short) 2);
    assertThat(config.kafka().clientOverrides()).isEmpty();
    assertThat(config.replayWorkers()).isEqualTo(2);
    assertThat(config.replayMaxPending()).isEqualTo(10_000);
    assertThat(config.replayBatchRecords()).isEqualTo(500);
    assertThat(config.recoveryTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.closeGrace()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void readsEveryVariable(@TempDir final Path web) {
    final GatewayConfig config = GatewayConfig.fromEnv(env(
        "TIDEWIRE_GATEWAY_HOST", "127.0.0.1", "TIDEWIRE_GATEWAY_PORT", "0",
        "TIDEWIRE_JWT_CLOCK_SKEW_SECONDS", "5", "TIDEWIRE_GATEWAY_MAX_FRAME_BYTES", "1024",
        "TIDEWIRE_GATEWAY_SEND_QUEUE_MESSAGES", "10", "TIDEWIRE_GATEWAY_SEND_QUEUE_BYTES", "4096",
        "TIDEWIRE_GATEWAY_STATIC_DIR", web.toString(), "TIDEWIRE_TOPIC_PARTITIONS", "6",
        "TIDEWIRE_TOPIC_REPLICATION_FACTOR", "3", "TIDEWIRE_GATEWAY_REPLAY_WORKERS", "4",
        "TIDEWIRE_GATEWAY_REPLAY_MAX_PENDING", "100", "TIDEWIRE_GATEWAY_REPLAY_BATCH_RECORDS", "50",
        "TIDEWIRE_GATEWAY_RECOVERY_TIMEOUT_SECONDS", "7", "TIDEWIRE_GATEWAY_CLOSE_GRACE_MILLIS", "500",
        "TIDEWIRE_KAFKA_SECURITY_PROTOCOL", "SSL", "TIDEWIRE_GATEWAY_FANOUT_THREADS", "3"));

    assertThat(config).isEqualTo(new GatewayConfig(
        new KafkaSettings("127.0.0.1:9092", 6, (short) 3, (short) 2, Map.of("security.protocol", "SSL")), "127.0.0.1", 0,
        SECRET, Optional.empty(), TokenPolicy.defaults(), Duration.ofSeconds(5), 1024, 10, 4096, Optional.of(web), 4,
        100, 50, Duration.ofSeconds(7),
        Duration.ofMillis(500), ConnectionLimits.DEFAULTS, OpsListener.DEFAULT, 2, 2, 100_000,
        new FrameBudget.Limits(20, 50, 100, Duration.ofSeconds(10)), Optional.empty(), Duration.ofSeconds(30),
        io.tidewire.gateway.phoenix.PhoenixConfig.DEFAULTS, ChannelConfig.DEFAULTS, 3));
  }

  @Test
  void readsTheConnectionLimitsAndTheOpsListener() {
    final GatewayConfig config = GatewayConfig.fromEnv(env(
        "TIDEWIRE_GATEWAY_HANDSHAKE_TIMEOUT_SECONDS", "2", "TIDEWIRE_GATEWAY_PING_INTERVAL_SECONDS", "1",
        "TIDEWIRE_GATEWAY_PING_MAX_MISSED", "3", "TIDEWIRE_GATEWAY_MAX_CONNECTIONS", "10",
        "TIDEWIRE_GATEWAY_MAX_CONNECTIONS_PER_USER", "5", "TIDEWIRE_GATEWAY_MAX_CONNECTIONS_PER_IP", "7",
        "TIDEWIRE_GATEWAY_TRUSTED_PROXIES", "10.0.0.1, ::1", "TIDEWIRE_GATEWAY_CLIENT_IP_HEADER", "X-Real-IP",
        "TIDEWIRE_GATEWAY_RETRY_AFTER_SECONDS", "9", "TIDEWIRE_GATEWAY_OPS_HOST", "0.0.0.0",
        "TIDEWIRE_GATEWAY_OPS_PORT", "0", "TIDEWIRE_GATEWAY_OPS_ON_MAIN_PORT", "true"));

    assertThat(config.connections()).isEqualTo(new ConnectionLimits(Duration.ofSeconds(2), Duration.ofSeconds(1),
        3, 10, 5, 7, List.of("10.0.0.1", "::1"), "X-Real-IP", Duration.ofSeconds(9)));
    assertThat(config.ops()).isEqualTo(new OpsListener(true, "0.0.0.0", 0));
  }

  @Test
  void defaultsBindOpsToLoopbackAndCapConnections() {
    final GatewayConfig config = GatewayConfig.fromEnv(env());

    assertThat(config.connections()).isEqualTo(ConnectionLimits.DEFAULTS);
    assertThat(config.ops()).isEqualTo(OpsListener.DEFAULT);
  }

  @Test
  void requiresBootstrapAndSecretAndSaysSo() {
    assertThatThrownBy(() -> GatewayConfig.fromEnv(Map.of()))
        .isInstanceOfSatisfying(GatewayConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).startsWith("TIDEWIRE_KAFKA_BOOTSTRAP is required"))
            .anySatisfy(p -> assertThat(p).startsWith("tokens need TIDEWIRE_JWT_SECRET (HS256) or TIDEWIRE_JWT_JWKS")));
  }

  @Test
  void readsTokenRulesAndAcceptsJwksWithoutSecret(@TempDir final Path dir) throws Exception {
    final Path jwks = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
    final Map<String, String> env = env("TIDEWIRE_JWT_JWKS", jwks.toString(), "TIDEWIRE_JWT_JWKS_CACHE_SECONDS", "60",
        "TIDEWIRE_JWT_JWKS_REFRESH_MIN_INTERVAL_SECONDS", "5", "TIDEWIRE_JWT_ISSUER", "https://auth.example",
        "TIDEWIRE_JWT_AUDIENCE", "authenticated, app", "TIDEWIRE_JWT_MAX_LIFETIME_SECONDS", "3600",
        "TIDEWIRE_JWT_SUBJECT_FORMAT", "regex:[a-z]+", "TIDEWIRE_GATEWAY_CURSOR_KEY", "k".repeat(32));
    env.remove("TIDEWIRE_JWT_SECRET");

    final GatewayConfig config = GatewayConfig.fromEnv(env);

    assertThat(config.jwtHmacSecret()).isEmpty();
    assertThat(config.jwtKeys()).contains(new JwksConfig(jwks.toAbsolutePath().toUri(), Duration.ofSeconds(60),
        Duration.ofSeconds(5)));
    assertThat(config.jwtPolicy()).isEqualTo(new TokenPolicy(Optional.of("https://auth.example"),
        List.of("authenticated", "app"), Duration.ofHours(1), SubjectFormat.parse("regex:[a-z]+")));
  }

  @Test
  void withoutSecretTheCursorKeyIsRequired(@TempDir final Path dir) throws Exception {
    final Path jwks = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
    final Map<String, String> env = env("TIDEWIRE_JWT_JWKS", jwks.toString());
    env.remove("TIDEWIRE_JWT_SECRET");

    assertThatThrownBy(() -> GatewayConfig.fromEnv(env)).isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("TIDEWIRE_GATEWAY_CURSOR_KEY is required when TIDEWIRE_JWT_SECRET is not set");
  }

  @Test
  void defaultsToUuidSubjectsAndOneDayLifetimeWithoutIssuerOrAudience() {
    assertThat(GatewayConfig.fromEnv(env()).jwtPolicy()).isEqualTo(TokenPolicy.defaults());
  }

  @Test
  void refusesMissingJwksFileAndBadSubjectFormat() {
    assertThatThrownBy(() -> GatewayConfig.fromEnv(env("TIDEWIRE_JWT_JWKS", "/does/not/exist.json",
        "TIDEWIRE_JWT_SUBJECT_FORMAT", "regex:([")))
        .isInstanceOfSatisfying(GatewayConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).startsWith("TIDEWIRE_JWT_JWKS must be an http(s) URL or an existing file"))
            .anySatisfy(p -> assertThat(p).startsWith("TIDEWIRE_JWT_SUBJECT_FORMAT").contains("regular expression")));
  }

  @Test
  void refusesAJwksRefreshIntervalNotShorterThanItsCacheTime(@TempDir final Path dir) throws Exception {
    final Path jwks = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");

    assertThatThrownBy(() -> GatewayConfig.fromEnv(env("TIDEWIRE_JWT_JWKS", jwks.toString(),
        "TIDEWIRE_JWT_JWKS_CACHE_SECONDS", "30", "TIDEWIRE_JWT_JWKS_REFRESH_MIN_INTERVAL_SECONDS", "30")))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("TIDEWIRE_JWT_JWKS_REFRESH_MIN_INTERVAL_SECONDS must be shorter than "
            + "TIDEWIRE_JWT_JWKS_CACHE_SECONDS");
  }

  @Test
  void refusesShortSecretWithClearMessage() {
    assertThatThrownBy(() -> GatewayConfig.fromEnv(env("TIDEWIRE_JWT_SECRET", "too-short")))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining("TIDEWIRE_JWT_SECRET must be at least 32 bytes for HS256, got 9 bytes")
        .hasMessageNotContaining("too-short");
  }

  @Test
  void listsEveryInvalidValue() {
    assertThatThrownBy(() -> GatewayConfig.fromEnv(env(
        "TIDEWIRE_GATEWAY_PORT", "http", "TIDEWIRE_GATEWAY_MAX_FRAME_BYTES", "1",
        "TIDEWIRE_GATEWAY_SEND_QUEUE_MESSAGES", "0", "TIDEWIRE_KAFKA_BOOTSTRAP", "no port",
        "TIDEWIRE_GATEWAY_STATIC_DIR", "/does/not/exist", "TIDEWIRE_GATEWAY_REPLAY_WORKERS", "0",
        "TIDEWIRE_GATEWAY_CLOSE_GRACE_MILLIS", "5")))
        .isInstanceOfSatisfying(GatewayConfigException.class, e -> assertThat(e.problems())
            .anySatisfy(p -> assertThat(p).isEqualTo("TIDEWIRE_GATEWAY_PORT must be a whole number, got 'http'"))
            .anySatisfy(p -> assertThat(p).startsWith("TIDEWIRE_GATEWAY_MAX_FRAME_BYTES must be 256.."))
            .anySatisfy(p -> assertThat(p)
                .isEqualTo("TIDEWIRE_GATEWAY_SEND_QUEUE_MESSAGES must be at least 1, got '0'"))
            .anySatisfy(p -> assertThat(p).startsWith("TIDEWIRE_KAFKA_BOOTSTRAP must be host:port"))
            .anySatisfy(p -> assertThat(p).startsWith("TIDEWIRE_GATEWAY_STATIC_DIR must be an existing directory"))
            .anySatisfy(p -> assertThat(p).startsWith("TIDEWIRE_GATEWAY_REPLAY_WORKERS must be 1..64"))
            .anySatisfy(p -> assertThat(p).startsWith("TIDEWIRE_GATEWAY_CLOSE_GRACE_MILLIS must be 100..")));
  }

  @Test
  void toStringHidesTheSecret() {
    assertThat(GatewayConfig.fromEnv(env()).toString()).doesNotContain(SECRET).contains("jwtSecret=***");
  }

  @Test
  void misspelledVariableIsRejectedWithTheNameItWasMeantToBe() {
    assertThatThrownBy(() -> GatewayConfig.fromEnv(env("TIDEWIRE_GATEWAY_PROT", "1")))
        .isInstanceOfSatisfying(GatewayConfigException.class, e -> assertThat(e.problems())
            .containsExactly("unknown variable TIDEWIRE_GATEWAY_PROT (did you mean TIDEWIRE_GATEWAY_PORT?)"));
  }

  @Test
  void readmeTableIsTheSettingsTable() {
    final String table = SettingsDoc.table(GatewaySettings.SETTINGS);

    assertThat(SettingsDoc.current(Path.of("README.md"), "gateway", table)).isEqualTo(table);
  }
}
