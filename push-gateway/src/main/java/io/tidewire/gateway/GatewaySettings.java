package io.tidewire.gateway;

import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.Parsers;
import io.tidewire.settings.Setting;
import io.tidewire.settings.SettingGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The gateway's environment variables: each declared once, with its parser, checks, default and
 * documentation; {@link GatewayConfig#fromEnv} reads them and the module README's table is
 * rendered from {@link #SETTINGS}.
 */
public final class GatewaySettings {

  /** Shortest cursor MAC key. */
  static final int CURSOR_KEY_MIN_BYTES = 32;

  /** Upper bound of the frame size: keeps a typo from becoming an outage. */
  static final int MAX_FRAME_BYTES_LIMIT = 16 * 1024 * 1024;

  public static final Setting<String> JWT_SECRET = Setting.of("TIDEWIRE_JWT_SECRET", Parsers.text()).secret()
      .untrimmed()
      .check(s -> bytes(s) >= JwtVerifier.MIN_SECRET_BYTES,
          "at least " + JwtVerifier.MIN_SECRET_BYTES + " bytes for HS256", s -> bytes(s) + " bytes")
      .doc("HS256 secret, at least " + JwtVerifier.MIN_SECRET_BYTES + " bytes (UTF-8)");
  public static final Setting<Duration> JWT_CLOCK_SKEW = Setting.of("TIDEWIRE_JWT_CLOCK_SKEW_SECONDS",
      Parsers.seconds(0, 600)).byDefault(Long.toString(JwtVerifier.DEFAULT_CLOCK_SKEW.toSeconds()))
      .doc("skew allowed on `exp`/`nbf` (0–600); a session closes at `exp` + skew");
  public static final Setting<String> HOST = Setting.of("TIDEWIRE_GATEWAY_HOST", Parsers.text())
      .byDefault("0.0.0.0").doc("interface to bind");
  public static final Setting<Integer> PORT = Setting.of("TIDEWIRE_GATEWAY_PORT", Parsers.ints(0, 65_535))
      .byDefault("8080").doc("port; `0` = any free port (`Gateway.port()` tells which)");
  public static final Setting<Integer> MAX_FRAME_BYTES = Setting.of("TIDEWIRE_GATEWAY_MAX_FRAME_BYTES",
      Parsers.ints(256, MAX_FRAME_BYTES_LIMIT)).byDefault("65536")
      .doc("largest client frame (256 B – 16 MiB); larger closes with 1009");
  public static final Setting<Integer> SEND_QUEUE_MESSAGES = Setting.of("TIDEWIRE_GATEWAY_SEND_QUEUE_MESSAGES",
      Parsers.ints(1, Integer.MAX_VALUE)).byDefault("1000")
      .doc("per-connection send queue bound, frames (also bounds a resuming subscription's live buffer)");
  public static final Setting<Long> SEND_QUEUE_BYTES = Setting.of("TIDEWIRE_GATEWAY_SEND_QUEUE_BYTES",
      Parsers.longs(1024, Long.MAX_VALUE)).byDefault(Long.toString(GatewayConfig.DEFAULT_SEND_QUEUE_BYTES))
      .doc("per-connection send queue bound, bytes (ditto)");
  public static final Setting<Integer> REPLAY_WORKERS = Setting.of("TIDEWIRE_GATEWAY_REPLAY_WORKERS",
      Parsers.ints(1, 64)).byDefault("2").doc("replay threads, each with its own Kafka consumer (1–64)");
  public static final Setting<Integer> REPLAY_MAX_PENDING = Setting.of("TIDEWIRE_GATEWAY_REPLAY_MAX_PENDING",
      Parsers.ints(1, 1_000_000)).byDefault("10000")
      .doc("replays admitted at a time; more resumes get `rate_limited`");
  public static final Setting<Integer> REPLAY_MAX_PER_USER = Setting.of("TIDEWIRE_GATEWAY_REPLAY_MAX_PER_USER",
      Parsers.ints(1, 1_000_000)).byDefault("2")
      .doc("replays of one user admitted at a time (over all its connections); more get `rate_limited`");
  public static final Setting<Integer> REPLAY_MAX_PER_SESSION = Setting.of("TIDEWIRE_GATEWAY_REPLAY_MAX_PER_SESSION",
      Parsers.ints(1, 1_000)).byDefault("2")
      .doc("replays of one connection admitted at a time (2 = both channels may resume at once); more get "
          + "`rate_limited`");
  public static final Setting<Long> REPLAY_MAX_SCAN_RECORDS = Setting.of("TIDEWIRE_GATEWAY_REPLAY_MAX_SCAN_RECORDS",
      Parsers.longs(1, Long.MAX_VALUE)).byDefault("100000")
      .doc("a resume whose cursor is more records behind the log's end than this (summed over the channel's "
          + "partitions) is not replayed: `recovered: false` and a snapshot (user channel)");
  public static final Setting<Integer> CLIENT_FRAMES_PER_SECOND = Setting.of(
      "TIDEWIRE_GATEWAY_CLIENT_FRAMES_PER_SECOND", Parsers.ints(1, 100_000)).byDefault("20")
      .doc("client frames per second a connection may send on average (token bucket); beyond: `rate_limited`");
  public static final Setting<Integer> CLIENT_FRAME_BURST = Setting.of("TIDEWIRE_GATEWAY_CLIENT_FRAME_BURST",
      Parsers.ints(1, 1_000_000)).byDefault("50").doc("client frames a connection may send at once (the bucket's size)");
  public static final Setting<Integer> CLIENT_ABUSE_REFUSALS = Setting.of("TIDEWIRE_GATEWAY_CLIENT_ABUSE_REFUSALS",
      Parsers.ints(1, 1_000_000)).byDefault("100")
      .doc("`rate_limited` refusals a connection may collect within the abuse window before it is closed with "
          + "4029");
  public static final Setting<Duration> CLIENT_ABUSE_WINDOW = Setting.of(
      "TIDEWIRE_GATEWAY_CLIENT_ABUSE_WINDOW_SECONDS", Parsers.seconds(1, 3_600)).byDefault("10")
      .doc("the window of the abuse rule (refusals are forgiven at refusals/window per second)");
  public static final Setting<Optional<String>> CURSOR_KEY = Setting.of("TIDEWIRE_GATEWAY_CURSOR_KEY",
      Parsers.text().map(Optional::of)).byDefault(Optional.empty(), "(derived from `TIDEWIRE_JWT_SECRET`)")
      .secret().untrimmed()
      .check(k -> k.map(key -> bytes(key) >= CURSOR_KEY_MIN_BYTES).orElse(true),
          "at least " + CURSOR_KEY_MIN_BYTES + " bytes", k -> k.map(key -> bytes(key) + " bytes").orElse(""))
      .doc("key of the cursors' MAC (HMAC-SHA256), the same on every gateway of a deployment, at least "
          + CURSOR_KEY_MIN_BYTES + " bytes; unset, it is derived from the JWT secret (rotating that secret then "
          + "invalidates outstanding cursors)");
  public static final Setting<Integer> REPLAY_BATCH_RECORDS = Setting.of("TIDEWIRE_GATEWAY_REPLAY_BATCH_RECORDS",
      Parsers.ints(1, 100_000)).byDefault("500").doc("most records one replay step reads (`max.poll.records`)");
  public static final Setting<Duration> RECOVERY_TIMEOUT = Setting.of("TIDEWIRE_GATEWAY_RECOVERY_TIMEOUT_SECONDS",
      Parsers.seconds(1, 3_600)).byDefault("30")
      .doc("a replay without progress or a snapshot not ready → `internal`; a client not reading during a "
          + "replay → `slow_consumer`");
  public static final Setting<Duration> CLOSE_GRACE = Setting.of("TIDEWIRE_GATEWAY_CLOSE_GRACE_MILLIS",
      Parsers.millis(100, 60_000)).byDefault("2000")
      .doc("time to flush the last frames before a close, and again before the socket of a client that does "
          + "not complete the close is aborted (100–60000)");
  public static final Setting<Optional<Path>> STATIC_DIR = Setting.of("TIDEWIRE_GATEWAY_STATIC_DIR",
      Parsers.path().map(Optional::of)).byDefault(Optional.empty(), "(none)")
      .check(dir -> dir.map(Files::isDirectory).orElse(true), "an existing directory")
      .doc("directory served at `/` (the launcher can pass a classpath root instead)");

  /** Every variable the gateway reads, the shared Kafka ones first. */
  public static final SettingGroup SETTINGS = KafkaSettings.SETTINGS.and(SettingGroup.of(
      List.of(JWT_SECRET, JWT_CLOCK_SKEW, HOST, PORT, MAX_FRAME_BYTES, SEND_QUEUE_MESSAGES, SEND_QUEUE_BYTES,
          REPLAY_WORKERS, REPLAY_MAX_PENDING, REPLAY_MAX_PER_USER, REPLAY_MAX_PER_SESSION, REPLAY_MAX_SCAN_RECORDS,
          REPLAY_BATCH_RECORDS, RECOVERY_TIMEOUT, CLOSE_GRACE, STATIC_DIR, CLIENT_FRAMES_PER_SECOND,
          CLIENT_FRAME_BURST, CLIENT_ABUSE_REFUSALS, CLIENT_ABUSE_WINDOW, CURSOR_KEY),
      List.of()));

  private GatewaySettings() {}

  private static int bytes(final String secret) {
    return secret.getBytes(StandardCharsets.UTF_8).length;
  }
}
