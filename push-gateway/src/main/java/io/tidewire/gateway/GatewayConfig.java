package io.tidewire.gateway;

import static io.tidewire.gateway.GatewaySettings.BROADCASTS_PER_SECOND;
import static io.tidewire.gateway.GatewaySettings.BROADCAST_BURST;
import static io.tidewire.gateway.GatewaySettings.BROADCAST_MAX_PAYLOAD_BYTES;
import static io.tidewire.gateway.GatewaySettings.BROADCAST_RETENTION;
import static io.tidewire.gateway.GatewaySettings.CHANNELS;
import static io.tidewire.gateway.GatewaySettings.CHANNELS_PER_SESSION;
import static io.tidewire.gateway.GatewaySettings.PRESENCE_LEASE;
import static io.tidewire.gateway.GatewaySettings.PRESENCE_MAX_KEYS_PER_CHANNEL;
import static io.tidewire.gateway.GatewaySettings.PRESENCE_MAX_META_BYTES;
import static io.tidewire.gateway.GatewaySettings.PRESENCE_RENEW;
import static io.tidewire.gateway.GatewaySettings.PRESENCE_TRACKS_PER_SECOND;
import static io.tidewire.gateway.GatewaySettings.PRESENCE_TRACK_BURST;
import static io.tidewire.gateway.GatewaySettings.CLIENT_ABUSE_REFUSALS;
import static io.tidewire.gateway.GatewaySettings.CLIENT_ABUSE_WINDOW;
import static io.tidewire.gateway.GatewaySettings.CLIENT_FRAMES_PER_SECOND;
import static io.tidewire.gateway.GatewaySettings.CLIENT_FRAME_BURST;
import static io.tidewire.gateway.GatewaySettings.CLIENT_IP_HEADER;
import static io.tidewire.gateway.GatewaySettings.CLOSE_GRACE;
import static io.tidewire.gateway.GatewaySettings.CURSOR_KEY;
import static io.tidewire.gateway.GatewaySettings.HANDSHAKE_TIMEOUT;
import static io.tidewire.gateway.GatewaySettings.HOST;
import static io.tidewire.gateway.GatewaySettings.JWT_AUDIENCE;
import static io.tidewire.gateway.GatewaySettings.JWT_CLOCK_SKEW;
import static io.tidewire.gateway.GatewaySettings.JWT_ISSUER;
import static io.tidewire.gateway.GatewaySettings.JWT_JWKS;
import static io.tidewire.gateway.GatewaySettings.JWT_JWKS_CACHE;
import static io.tidewire.gateway.GatewaySettings.JWT_JWKS_REFRESH_MIN_INTERVAL;
import static io.tidewire.gateway.GatewaySettings.JWT_MAX_LIFETIME;
import static io.tidewire.gateway.GatewaySettings.JWT_SECRET;
import static io.tidewire.gateway.GatewaySettings.JWT_SUBJECT_FORMAT;
import static io.tidewire.gateway.GatewaySettings.MAX_CONNECTIONS;
import static io.tidewire.gateway.GatewaySettings.MAX_CONNECTIONS_PER_IP;
import static io.tidewire.gateway.GatewaySettings.MAX_CONNECTIONS_PER_USER;
import static io.tidewire.gateway.GatewaySettings.MAX_FRAME_BYTES;
import static io.tidewire.gateway.GatewaySettings.METADATA_CHECK_INTERVAL;
import static io.tidewire.gateway.GatewaySettings.OPS_HOST;
import static io.tidewire.gateway.GatewaySettings.OPS_ON_MAIN_PORT;
import static io.tidewire.gateway.GatewaySettings.OPS_PORT;
import static io.tidewire.gateway.GatewaySettings.PING_INTERVAL;
import static io.tidewire.gateway.GatewaySettings.PING_MAX_MISSED;
import static io.tidewire.gateway.GatewaySettings.PORT;
import static io.tidewire.gateway.GatewaySettings.RECOVERY_TIMEOUT;
import static io.tidewire.gateway.GatewaySettings.REPLAY_BATCH_RECORDS;
import static io.tidewire.gateway.GatewaySettings.REPLAY_MAX_PENDING;
import static io.tidewire.gateway.GatewaySettings.REPLAY_MAX_PER_SESSION;
import static io.tidewire.gateway.GatewaySettings.REPLAY_MAX_PER_USER;
import static io.tidewire.gateway.GatewaySettings.REPLAY_MAX_SCAN_RECORDS;
import static io.tidewire.gateway.GatewaySettings.FANOUT_THREADS;
import static io.tidewire.gateway.GatewaySettings.REPLAY_WORKERS;
import static io.tidewire.gateway.GatewaySettings.RETRY_AFTER;
import static io.tidewire.gateway.GatewaySettings.SEND_QUEUE_BYTES;
import static io.tidewire.gateway.GatewaySettings.SEND_QUEUE_MESSAGES;
import static io.tidewire.gateway.GatewaySettings.STATIC_DIR;
import static io.tidewire.gateway.GatewaySettings.SUPABASE_JOINS_PER_SECOND;
import static io.tidewire.gateway.GatewaySettings.SUPABASE_MAX_CHANNELS;
import static io.tidewire.gateway.GatewaySettings.SUPABASE_MAX_RECORD_BYTES;
import static io.tidewire.gateway.GatewaySettings.SUPABASE_TABLES;
import static io.tidewire.gateway.GatewaySettings.TRUSTED_PROXIES;

import io.tidewire.gateway.auth.JwksConfig;
import io.tidewire.gateway.auth.TokenPolicy;
import io.tidewire.gateway.phoenix.PhoenixConfig;
import io.tidewire.gateway.broadcast.ChannelLimits;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.session.FrameBudget;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.SettingGroup;
import io.tidewire.settings.SettingsReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything the gateway process needs, loaded once at start by {@link #fromEnv(Map)} from the
 * variables of {@link GatewaySettings} (the launcher passes {@code System.getenv()}), which is
 * where the values are validated; the constructor only checks that nothing is missing. Immutable
 * and thread-safe; {@link #toString()} hides the secret.
 *
 * @param kafka the cluster, topic sizing and Kafka client overrides (shared by every part); the
 *     gateway creates the event topics with this sizing if they are missing
 * @param host interface to bind
 * @param port HTTP/WebSocket port, 0 for any free port
 * @param jwtSecret HS256 secret, at least 32 bytes in UTF-8; empty if HS256 tokens are not accepted
 * @param jwtKeys the JWKS of asymmetric (RS256/ES256/EdDSA) tokens, if they are accepted (this
 *     and/or {@code jwtSecret})
 * @param jwtPolicy the claims tokens must carry ({@code iss}, {@code aud}, lifetime, {@code sub})
 * @param jwtClockSkew clock skew allowed on {@code exp}/{@code nbf}
 * @param maxFrameBytes largest client frame; larger closes the connection with 1009
 * @param sendQueueMessages per-session send queue bound in frames
 * @param sendQueueBytes per-session send queue bound in bytes
 * @param staticDir directory served at {@code /}, if any
 * @param replayWorkers threads (each with its own Kafka consumer) that replay for resuming clients
 * @param replayMaxPending most replays admitted at a time; more resumes get {@code rate_limited}
 * @param replayBatchRecords most records one replay step reads
 * @param recoveryTimeout how long a replay may wait for a client to read or make no progress, and
 *     a snapshot may wait for the state store
 * @param closeGrace how long a closing connection may take to flush its last frames, and then to
 *     complete the close before its socket is aborted
 * @param connections handshake deadline, pings, caps on sessions
 * @param ops where {@code /health} and {@code /metrics} are served
 * @param replayMaxPerUser most replays of one user admitted at a time
 * @param replayMaxPerSession most replays of one connection admitted at a time
 * @param replayMaxScanRecords most records a resume may be behind the log's end and still replay
 * @param frameLimits how fast a client may send frames, and when persistent abuse closes it
 * @param cursorKey the cursors' MAC key, if set apart from the JWT secret
 * @param metadataCheckInterval how often the event topics' partition counts and ids are checked
 * @param phoenix the Supabase Realtime endpoint's settings
 * @param channels broadcast and presence: channel rules, limits, lease
 * @param fanoutThreads threads that hand one feed/public event to its subscribers, the tail's own
 *     included
 */
public record GatewayConfig(
    KafkaSettings kafka,
    String host,
    int port,
    String jwtSecret,
    Optional<JwksConfig> jwtKeys,
    TokenPolicy jwtPolicy,
    Duration jwtClockSkew,
    int maxFrameBytes,
    int sendQueueMessages,
    long sendQueueBytes,
    Optional<Path> staticDir,
    int replayWorkers,
    int replayMaxPending,
    int replayBatchRecords,
    Duration recoveryTimeout,
    Duration closeGrace,
    ConnectionLimits connections,
    OpsListener ops,
    int replayMaxPerUser,
    int replayMaxPerSession,
    long replayMaxScanRecords,
    FrameBudget.Limits frameLimits,
    Optional<String> cursorKey,
    Duration metadataCheckInterval,
    PhoenixConfig phoenix,
    ChannelConfig channels,
    int fanoutThreads) {

  /** The per-session send queue's byte bound unless {@link GatewaySettings#SEND_QUEUE_BYTES} says otherwise. */
  public static final long DEFAULT_SEND_QUEUE_BYTES = 4L * 1024 * 1024;

  /** Values are validated by {@link #fromEnv}; this only refuses missing ones. */
  public GatewayConfig {
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(jwtSecret, "jwtSecret");
    Objects.requireNonNull(jwtKeys, "jwtKeys");
    Objects.requireNonNull(jwtPolicy, "jwtPolicy");
    Objects.requireNonNull(jwtClockSkew, "jwtClockSkew");
    Objects.requireNonNull(staticDir, "staticDir");
    Objects.requireNonNull(recoveryTimeout, "recoveryTimeout");
    Objects.requireNonNull(closeGrace, "closeGrace");
    Objects.requireNonNull(connections, "connections");
    Objects.requireNonNull(ops, "ops");
    Objects.requireNonNull(frameLimits, "frameLimits");
    Objects.requireNonNull(cursorKey, "cursorKey");
    Objects.requireNonNull(metadataCheckInterval, "metadataCheckInterval");
    Objects.requireNonNull(phoenix, "phoenix");
    Objects.requireNonNull(channels, "channels");
  }

  /**
   * Reads the configuration of a gateway that shares {@code env} with no other part.
   *
   * @see #fromEnv(Map, SettingGroup)
   */
  public static GatewayConfig fromEnv(final Map<String, String> env) {
    return fromEnv(env, GatewaySettings.SETTINGS);
  }

  /**
   * Reads the configuration from environment variables; unset or blank variables take their
   * defaults.
   *
   * @param known the variables of every part that may share {@code env} (the launcher's union), so
   *     that only variables no part reads are rejected as unknown
   * @throws GatewayConfigException listing every missing, invalid or unknown variable
   */
  public static GatewayConfig fromEnv(final Map<String, String> env, final SettingGroup known) {
    final SettingsReader in = SettingsReader.of(env, known.and(GatewaySettings.SETTINGS));
    final KafkaSettings kafka = KafkaSettings.read(in);
    final String secret = Objects.requireNonNullElse(in.get(JWT_SECRET), "");
    final Duration jwksCache = in.get(JWT_JWKS_CACHE);
    final Duration jwksRefresh = in.get(JWT_JWKS_REFRESH_MIN_INTERVAL);
    final boolean jwksTimesOk = jwksRefresh.compareTo(jwksCache) < 0;
    in.check(jwksTimesOk, JWT_JWKS_REFRESH_MIN_INTERVAL.name() + " must be shorter than " + JWT_JWKS_CACHE.name(),
        JWT_JWKS_CACHE, JWT_JWKS_REFRESH_MIN_INTERVAL);
    final Optional<JwksConfig> keys = in.get(JWT_JWKS).filter(uri -> jwksTimesOk)
        .map(uri -> new JwksConfig(uri, jwksCache, jwksRefresh));
    in.check(!secret.isEmpty() || keys.isPresent(), "tokens need " + JWT_SECRET.name() + " (HS256) or "
        + JWT_JWKS.name() + " (RS256/ES256/EdDSA), or both", JWT_SECRET, JWT_JWKS);
    in.check(!secret.isEmpty() || in.get(CURSOR_KEY).isPresent(), CURSOR_KEY.name() + " is required when "
        + JWT_SECRET.name() + " is not set (the cursors' MAC key is otherwise derived from the secret)",
        CURSOR_KEY, JWT_SECRET);
    final TokenPolicy policy = new TokenPolicy(in.get(JWT_ISSUER), in.get(JWT_AUDIENCE), in.get(JWT_MAX_LIFETIME),
        in.get(JWT_SUBJECT_FORMAT));
    final GatewayConfig config = new GatewayConfig(kafka, in.get(HOST), in.get(PORT),
        secret, keys, policy, in.get(JWT_CLOCK_SKEW), in.get(MAX_FRAME_BYTES), in.get(SEND_QUEUE_MESSAGES), in.get(SEND_QUEUE_BYTES),
        in.get(STATIC_DIR), in.get(REPLAY_WORKERS), in.get(REPLAY_MAX_PENDING), in.get(REPLAY_BATCH_RECORDS),
        in.get(RECOVERY_TIMEOUT), in.get(CLOSE_GRACE),
        new ConnectionLimits(in.get(HANDSHAKE_TIMEOUT), in.get(PING_INTERVAL), in.get(PING_MAX_MISSED),
            in.get(MAX_CONNECTIONS), in.get(MAX_CONNECTIONS_PER_USER), in.get(MAX_CONNECTIONS_PER_IP),
            in.get(TRUSTED_PROXIES), in.get(CLIENT_IP_HEADER), in.get(RETRY_AFTER)),
        new OpsListener(in.get(OPS_ON_MAIN_PORT), in.get(OPS_HOST), in.get(OPS_PORT)),
        in.get(REPLAY_MAX_PER_USER), in.get(REPLAY_MAX_PER_SESSION), in.get(REPLAY_MAX_SCAN_RECORDS),
        frameLimits(in), in.get(CURSOR_KEY), in.get(METADATA_CHECK_INTERVAL),
        new PhoenixConfig(in.get(SUPABASE_TABLES), in.get(SUPABASE_MAX_CHANNELS), in.get(SUPABASE_JOINS_PER_SECOND),
            in.get(SUPABASE_MAX_RECORD_BYTES)), channels(in), in.get(FANOUT_THREADS));
    in.throwIfInvalid(GatewayConfigException::new);
    return config;
  }

  private static ChannelConfig channels(final SettingsReader in) {
    final Duration lease = in.get(PRESENCE_LEASE);
    final Duration renew = in.get(PRESENCE_RENEW);
    final boolean renewOk = renew.compareTo(lease) < 0;
    in.check(renewOk, PRESENCE_RENEW.name() + " must be shorter than " + PRESENCE_LEASE.name(), PRESENCE_LEASE,
        PRESENCE_RENEW);
    return new ChannelConfig(in.get(CHANNELS), new ChannelLimits(in.get(CHANNELS_PER_SESSION),
        in.get(BROADCAST_MAX_PAYLOAD_BYTES), in.get(BROADCASTS_PER_SECOND), in.get(BROADCAST_BURST),
        in.get(PRESENCE_MAX_META_BYTES), in.get(PRESENCE_TRACKS_PER_SECOND), in.get(PRESENCE_TRACK_BURST),
        in.get(PRESENCE_MAX_KEYS_PER_CHANNEL)), lease, renewOk ? renew : lease.dividedBy(3),
        in.get(BROADCAST_RETENTION));
  }

  private static FrameBudget.Limits frameLimits(final SettingsReader in) {
    return new FrameBudget.Limits(in.get(CLIENT_FRAMES_PER_SECOND), in.get(CLIENT_FRAME_BURST),
        in.get(CLIENT_ABUSE_REFUSALS), in.get(CLIENT_ABUSE_WINDOW));
  }

  /**
   * The key of the cursors' MAC: {@link #cursorKey()} if set, else derived from the JWT secret
   * (HMAC-SHA256 of a fixed label), so every gateway of a deployment has the same one.
   */
  public byte[] cursorKeyBytes() {
    return cursorKeyBytes(cursorKey, jwtSecret);
  }

  /**
   * The one rule for the cursors' MAC key, for the gateway and for tools that read cursors
   * ({@code tidewire tail --cursor}): the cursor key if set, else derived from the JWT secret.
   */
  public static byte[] cursorKeyBytes(final Optional<String> cursorKey, final String jwtSecret) {
    return cursorKey.filter(k -> !k.isBlank()).map(k -> k.getBytes(StandardCharsets.UTF_8))
        .orElseGet(() -> CursorCodec.deriveKey(jwtSecret.getBytes(StandardCharsets.UTF_8)));
  }

  /** The secret's bytes (UTF-8). */
  public byte[] jwtSecretBytes() {
    return jwtSecret.getBytes(StandardCharsets.UTF_8);
  }

  /** The HS256 secret's bytes (UTF-8), if HS256 tokens are accepted. */
  public Optional<byte[]> jwtHmacSecret() {
    return jwtSecret.isEmpty() ? Optional.empty() : Optional.of(jwtSecretBytes());
  }

  @Override
  public String toString() {
    return "GatewayConfig[kafka=" + kafka + ", host=" + host + ", port=" + port + ", jwtSecret=" + (jwtSecret.isEmpty() ? "(none)" : "***") + ", jwtKeys=" + jwtKeys
        + ", jwtPolicy=" + jwtPolicy + ", jwtClockSkew="
        + jwtClockSkew + ", maxFrameBytes=" + maxFrameBytes + ", sendQueueMessages=" + sendQueueMessages
        + ", sendQueueBytes=" + sendQueueBytes + ", staticDir=" + staticDir + ", replayWorkers=" + replayWorkers
        + ", replayMaxPending=" + replayMaxPending + ", replayBatchRecords=" + replayBatchRecords
        + ", recoveryTimeout=" + recoveryTimeout + ", closeGrace=" + closeGrace + ", connections=" + connections
        + ", ops=" + ops
        + ", replayMaxPerUser="
        + replayMaxPerUser + ", replayMaxPerSession=" + replayMaxPerSession + ", replayMaxScanRecords="
        + replayMaxScanRecords + ", frameLimits=" + frameLimits + ", cursorKey="
        + (cursorKey.isPresent() ? "***" : "(derived)") + ", phoenix=" + phoenix + ", channels=" + channels + ", fanoutThreads=" + fanoutThreads + "]";
  }
}
