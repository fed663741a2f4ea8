package io.tidewire.gateway;

import io.tidewire.gateway.auth.JwksConfig;
import io.tidewire.gateway.auth.JwtVerifier;
import io.tidewire.gateway.auth.SubjectFormat;
import io.tidewire.gateway.auth.TokenPolicy;
import io.tidewire.gateway.phoenix.PhoenixConfig;
import io.tidewire.gateway.phoenix.SupabaseTable;
import io.tidewire.gateway.broadcast.ChannelRules;
import io.tidewire.settings.KafkaSettings;
import io.tidewire.settings.Parsers;
import io.tidewire.settings.Setting;
import io.tidewire.settings.SettingGroup;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

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
      .byDefault("", "(none)")
      .doc("HS256 secret, at least " + JwtVerifier.MIN_SECRET_BYTES + " bytes (UTF-8); this and/or "
          + "`TIDEWIRE_JWT_JWKS` is required");
  public static final Setting<Optional<URI>> JWT_JWKS = Setting.of("TIDEWIRE_JWT_JWKS",
      Parsers.from(JwksConfig::parseLocation).map(Optional::of)).byDefault(Optional.empty(), "(none)")
      .check(uri -> uri.map(u -> !"file".equals(u.getScheme()) || Files.isRegularFile(Path.of(u))).orElse(true),
          "an http(s) URL or an existing file")
      .doc("JWKS of the RS256/ES256/EdDSA token keys: an `https://…/jwks.json` URL or a file path; cached, "
          + "fetched again for an unknown `kid`");
  public static final Setting<Duration> JWT_JWKS_CACHE = Setting.of("TIDEWIRE_JWT_JWKS_CACHE_SECONDS",
      Parsers.seconds(1, 86_400)).byDefault(Long.toString(JwksConfig.DEFAULT_CACHE_TTL.toSeconds()))
      .doc("how long a fetched JWKS is used before it is fetched again (1–86400)");
  public static final Setting<Duration> JWT_JWKS_REFRESH_MIN_INTERVAL = Setting.of(
      "TIDEWIRE_JWT_JWKS_REFRESH_MIN_INTERVAL_SECONDS", Parsers.seconds(0, 3_600))
      .byDefault(Long.toString(JwksConfig.DEFAULT_REFRESH_MIN_INTERVAL.toSeconds()))
      .doc("rate limit of JWKS fetches caused by unknown `kid`s: at most two per interval (0–3600)");
  public static final Setting<Optional<String>> JWT_ISSUER = Setting.of("TIDEWIRE_JWT_ISSUER",
      Parsers.text().map(Optional::of)).byDefault(Optional.empty(), "(none)")
      .doc("required `iss` (e.g. `https://<project>.supabase.co/auth/v1`); unset: not checked");
  public static final Setting<List<String>> JWT_AUDIENCE = Setting.of("TIDEWIRE_JWT_AUDIENCE",
      Parsers.noneOrList(Parsers.text())).byDefault("none")
      .doc("accepted `aud` values, comma-separated (a token needs one, e.g. `authenticated`); `none`: not checked");
  public static final Setting<Duration> JWT_MAX_LIFETIME = Setting.of("TIDEWIRE_JWT_MAX_LIFETIME_SECONDS",
      Parsers.seconds(60, 31L * 86_400)).byDefault(Long.toString(TokenPolicy.DEFAULT_MAX_LIFETIME.toSeconds()))
      .doc("longest token lifetime, `exp − iat` (an `iat` missing or in the future counts as now)");
  public static final Setting<SubjectFormat> JWT_SUBJECT_FORMAT = Setting.of("TIDEWIRE_JWT_SUBJECT_FORMAT",
      Parsers.from(SubjectFormat::parse)).byDefault("uuid")
      .doc("what `sub` (the user id) must be: `uuid`, `any` (non-blank) or `regex:<pattern>`");
  public static final Setting<Duration> JWT_CLOCK_SKEW = Setting.of("TIDEWIRE_JWT_CLOCK_SKEW_SECONDS",
      Parsers.seconds(0, 600)).byDefault(Long.toString(JwtVerifier.DEFAULT_CLOCK_SKEW.toSeconds()))
      .doc("skew allowed on `exp`/`nbf` (0–600); a session closes at `exp` + skew");
  public static final Setting<String> HOST = Setting.of("TIDEWIRE_GATEWAY_HOST", Parsers.text())
      .byDefault("0.0.0.0").doc("interface to bind");
  public static final Setting<Integer> PORT = Setting.of("TIDEWIRE_GATEWAY_PORT", Parsers.ints(0, 65_535))
      .byDefault("8080").doc("port; `0` = any free port (`Gateway.port()` tells which)");
  public static final Setting<Integer> MAX_FRAME_BYTES = Setting.of("TIDEWIRE_GATEWAY_MAX_FRAME_BYTES",
      Parsers.ints(256, MAX_FRAME_BYTES_LIMIT)).byDefault("73728")
      .doc("largest client frame (256 B – 16 MiB); larger closes with 1009");
  public static final Setting<Integer> SEND_QUEUE_MESSAGES = Setting.of("TIDEWIRE_GATEWAY_SEND_QUEUE_MESSAGES",
      Parsers.ints(1, Integer.MAX_VALUE)).byDefault("1000")
      .doc("per-connection send queue bound, frames (also bounds a resuming subscription's live buffer)");
  public static final Setting<Long> SEND_QUEUE_BYTES = Setting.of("TIDEWIRE_GATEWAY_SEND_QUEUE_BYTES",
      Parsers.longs(1024, Long.MAX_VALUE)).byDefault(Long.toString(GatewayConfig.DEFAULT_SEND_QUEUE_BYTES))
      .doc("per-connection send queue bound, bytes (ditto)");
  public static final Setting<Integer> REPLAY_WORKERS = Setting.of("TIDEWIRE_GATEWAY_REPLAY_WORKERS",
      Parsers.ints(1, 64)).byDefault("2").doc("replay threads, each with its own Kafka consumer (1–64)");
  public static final Setting<Integer> FANOUT_THREADS = Setting.of("TIDEWIRE_GATEWAY_FANOUT_THREADS",
      Parsers.ints(1, 64)).byDefault(Math.min(64, Runtime.getRuntime().availableProcessors()), "the cores")
      .doc("threads that hand one feed/public event to its subscribers, the tail's own included (1–64); an event "
          + "for 512 sessions or more is split between them, and the tail waits for every part before its next "
          + "record, so order holds");
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
          + "invalidates outstanding cursors); required when `TIDEWIRE_JWT_SECRET` is not set (JWKS only)");
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

  public static final Setting<Duration> HANDSHAKE_TIMEOUT = Setting.of("TIDEWIRE_GATEWAY_HANDSHAKE_TIMEOUT_SECONDS",
      Parsers.seconds(1, 600)).byDefault("10")
      .doc("from TCP accept to a completed WebSocket upgrade (and between plain HTTP requests on one "
          + "connection); a connection that does not get there is closed (1–600)");
  public static final Setting<Duration> PING_INTERVAL = Setting.of("TIDEWIRE_GATEWAY_PING_INTERVAL_SECONDS",
      Parsers.seconds(1, 3_600)).byDefault("25")
      .doc("the gateway sends a WebSocket ping to every session this often (1–3600)");
  public static final Setting<Integer> PING_MAX_MISSED = Setting.of("TIDEWIRE_GATEWAY_PING_MAX_MISSED",
      Parsers.ints(1, 100)).byDefault("2")
      .doc("pings in a row without a pong after which the session is closed with 1001 (1–100)");
  public static final Setting<Integer> MAX_CONNECTIONS = Setting.of("TIDEWIRE_GATEWAY_MAX_CONNECTIONS",
      Parsers.ints(1, 10_000_000)).byDefault("50000")
      .doc("WebSocket sessions at a time; more upgrades are refused with HTTP 429 and `Retry-After`");
  public static final Setting<Integer> MAX_CONNECTIONS_PER_USER = Setting.of(
      "TIDEWIRE_GATEWAY_MAX_CONNECTIONS_PER_USER", Parsers.ints(1, 10_000_000)).byDefault("100")
      .doc("WebSocket sessions of one user (`sub`) at a time; more get HTTP 429");
  public static final Setting<Integer> MAX_CONNECTIONS_PER_IP = Setting.of(
      "TIDEWIRE_GATEWAY_MAX_CONNECTIONS_PER_IP", Parsers.ints(0, 10_000_000)).byDefault("0")
      .doc("WebSocket sessions from one client address at a time, `0` = no limit; more get HTTP 429 (behind a "
          + "proxy, see `TIDEWIRE_GATEWAY_TRUSTED_PROXIES`)");
  public static final Setting<List<String>> TRUSTED_PROXIES = Setting.of("TIDEWIRE_GATEWAY_TRUSTED_PROXIES",
      Parsers.noneOrList(Parsers.matching(Pattern.compile("[0-9A-Fa-f.:]+"), "an IP address")))
      .byDefault(List.of(), "`none`")
      .doc("IP addresses of reverse proxies whose `TIDEWIRE_GATEWAY_CLIENT_IP_HEADER` is believed; from any "
          + "other peer the header is ignored");
  public static final Setting<String> CLIENT_IP_HEADER = Setting.of("TIDEWIRE_GATEWAY_CLIENT_IP_HEADER",
      Parsers.matching(Pattern.compile("[A-Za-z0-9-]+"), "an HTTP header name")).byDefault("X-Forwarded-For")
      .doc("header naming the client address, read only on connections from a trusted proxy (the last "
          + "address not itself a trusted proxy counts)");
  public static final Setting<Duration> RETRY_AFTER = Setting.of("TIDEWIRE_GATEWAY_RETRY_AFTER_SECONDS",
      Parsers.seconds(1, 3_600)).byDefault("5")
      .doc("`Retry-After` of an upgrade refused with HTTP 429 (1–3600)");
  public static final Setting<String> OPS_HOST = Setting.of("TIDEWIRE_GATEWAY_OPS_HOST", Parsers.text())
      .byDefault("127.0.0.1").doc("interface of the ops listener (`/health`, `/metrics`)");
  public static final Setting<Integer> OPS_PORT = Setting.of("TIDEWIRE_GATEWAY_OPS_PORT", Parsers.ints(0, 65_535))
      .byDefault("9403").doc("port of the ops listener; `0` = any free port (`Gateway.opsPort()` tells which)");
  public static final Setting<Boolean> OPS_ON_MAIN_PORT = Setting.of("TIDEWIRE_GATEWAY_OPS_ON_MAIN_PORT",
      Parsers.bools()).byDefault("false")
      .doc("serve `/health` and `/metrics` on the WebSocket port instead of an ops listener (the demo does)");

  public static final Setting<Duration> METADATA_CHECK_INTERVAL = Setting.of(
      "TIDEWIRE_GATEWAY_METADATA_CHECK_SECONDS", Parsers.seconds(1, 3_600)).byDefault("30")
      .doc("how often the gateway compares the event topics' partition counts and ids with its tails: added "
          + "partitions are followed (sessions closed with 1001 to resume), a recreated topic makes `/health` DOWN "
          + "(1–3600)");

  public static final Setting<List<SupabaseTable>> SUPABASE_TABLES = Setting.of("TIDEWIRE_GATEWAY_SUPABASE_TABLES",
      Parsers.noneOrList(Parsers.from(SupabaseTable::parse))).byDefault(PhoenixConfig.DEFAULT_TABLES)
      .doc("tables Supabase `postgres_changes` bindings may name, `schema.table:user|public`, comma-separated: "
          + "`user` = the caller's own rows (user stream), `public` = public rows (`realtime.public-changes`); must "
          + "name the processor's owned/balance/transaction (`user`) and feed/reaction (`public`) tables; `none` "
          + "for none");
  public static final Setting<Integer> SUPABASE_MAX_CHANNELS = Setting.of("TIDEWIRE_GATEWAY_SUPABASE_MAX_CHANNELS",
      Parsers.ints(1, 10_000)).byDefault(Integer.toString(PhoenixConfig.DEFAULTS.maxChannels()))
      .doc("channels one Supabase connection may have joined at a time; more get `ChannelRateLimitReached: "
          + "Too many channels`");
  public static final Setting<Integer> SUPABASE_JOINS_PER_SECOND = Setting.of(
      "TIDEWIRE_GATEWAY_SUPABASE_JOINS_PER_SECOND", Parsers.ints(1, 10_000))
      .byDefault(Integer.toString(PhoenixConfig.DEFAULTS.joinsPerSecond()))
      .doc("joins one Supabase connection may make per second (bursts of as many); more get "
          + "`ClientJoinRateLimitReached: Too many joins per second`");
  public static final Setting<Integer> SUPABASE_MAX_RECORD_BYTES = Setting.of(
      "TIDEWIRE_GATEWAY_SUPABASE_MAX_RECORD_BYTES", Parsers.ints(1024, MAX_FRAME_BYTES_LIMIT))
      .byDefault(Integer.toString(PhoenixConfig.DEFAULTS.maxRecordBytes()))
      .doc("largest row image a `postgres_changes` payload carries whole; a larger one loses its values over 64 "
          + "characters and says `errors: [\"Error 413: Payload Too Large\"]`");
  public static final Setting<ChannelRules> CHANNELS = Setting.of("TIDEWIRE_GATEWAY_CHANNELS",
      Parsers.from(ChannelRules::parse)).byDefault(ChannelRules.DEFAULT)
      .doc("who may join which broadcast/presence channel (also the Supabase endpoint's topic `realtime:<name>`, "
          + "channel `<name>`: docs/SUPABASE.md): `pattern=access` rules, first match wins, no match = "
          + "`forbidden`; pattern: literals, `*` (1+ characters), `{sub}` (the caller's user id); access: "
          + "`authenticated`, `owner` (pattern names `{sub}`), `visible` (exactly one `*`, which matches a content "
          + "key `contentType:contentId`: the item is known from `realtime.content-access` and public or the "
          + "caller's; checked at the join) or `deny`");
  public static final Setting<Integer> CHANNELS_PER_SESSION = Setting.of("TIDEWIRE_GATEWAY_CHANNELS_PER_SESSION",
      Parsers.ints(1, 10_000)).byDefault("100")
      .doc("broadcast/presence channels one connection may have joined; more: `too_many_channels`");
  public static final Setting<Integer> BROADCAST_MAX_PAYLOAD_BYTES = Setting.of(
      "TIDEWIRE_GATEWAY_BROADCAST_MAX_PAYLOAD_BYTES", Parsers.ints(2, MAX_FRAME_BYTES_LIMIT)).byDefault("65536")
      .doc("largest broadcast payload (UTF-8 bytes of its compact JSON); more: `payload_too_large`");
  public static final Setting<Integer> BROADCASTS_PER_SECOND = Setting.of("TIDEWIRE_GATEWAY_BROADCASTS_PER_SECOND",
      Parsers.ints(1, 100_000)).byDefault("10")
      .doc("broadcasts per second a connection may send on average (token bucket); more: `rate_limited`");
  public static final Setting<Integer> BROADCAST_BURST = Setting.of("TIDEWIRE_GATEWAY_BROADCAST_BURST",
      Parsers.ints(1, 1_000_000)).byDefault("20").doc("broadcasts a connection may send at once (the bucket's size)");
  public static final Setting<Duration> BROADCAST_RETENTION = Setting.of(
      "TIDEWIRE_GATEWAY_BROADCAST_RETENTION_SECONDS", Parsers.seconds(60, 7L * 86_400)).byDefault("3600")
      .doc("`retention.ms` of `realtime.broadcast` when the gateway creates it (messages are only in flight; no "
          + "history is served)");
  public static final Setting<Integer> PRESENCE_MAX_META_BYTES = Setting.of(
      "TIDEWIRE_GATEWAY_PRESENCE_MAX_META_BYTES", Parsers.ints(2, 1024 * 1024)).byDefault("1024")
      .doc("largest presence meta (UTF-8 bytes of its compact JSON); more: `payload_too_large`");
  public static final Setting<Integer> PRESENCE_TRACKS_PER_SECOND = Setting.of(
      "TIDEWIRE_GATEWAY_PRESENCE_TRACKS_PER_SECOND", Parsers.ints(1, 10_000)).byDefault("2")
      .doc("tracks per second a connection may send on average (token bucket); more: `rate_limited`");
  public static final Setting<Integer> PRESENCE_TRACK_BURST = Setting.of("TIDEWIRE_GATEWAY_PRESENCE_TRACK_BURST",
      Parsers.ints(1, 100_000)).byDefault("10").doc("tracks a connection may send at once (the bucket's size)");
  public static final Setting<Integer> PRESENCE_MAX_KEYS_PER_CHANNEL = Setting.of(
      "TIDEWIRE_GATEWAY_PRESENCE_MAX_KEYS_PER_CHANNEL", Parsers.ints(1, 10_000_000)).byDefault("1000")
      .doc("users that may be present in one channel (as this gateway sees all gateways); a new one gets "
          + "`too_many_presences`");
  public static final Setting<Duration> PRESENCE_LEASE = Setting.of("TIDEWIRE_GATEWAY_PRESENCE_LEASE_SECONDS",
      Parsers.seconds(2, 3_600)).byDefault("15")
      .doc("a gateway whose presence lease was not renewed for this long is dead to the others: its presences "
          + "leave (2–3600)");
  public static final Setting<Duration> PRESENCE_RENEW = Setting.of("TIDEWIRE_GATEWAY_PRESENCE_RENEW_SECONDS",
      Parsers.seconds(1, 600)).byDefault("5")
      .doc("how often a gateway renews its presence lease; less than the lease (1–600)");

  /** Every variable the gateway reads, the shared Kafka ones first. */
  public static final SettingGroup SETTINGS = KafkaSettings.SETTINGS.and(SettingGroup.of(
      List.of(JWT_SECRET, JWT_JWKS, JWT_JWKS_CACHE, JWT_JWKS_REFRESH_MIN_INTERVAL, JWT_ISSUER, JWT_AUDIENCE,
          JWT_MAX_LIFETIME, JWT_SUBJECT_FORMAT, JWT_CLOCK_SKEW, HOST, PORT, MAX_FRAME_BYTES, SEND_QUEUE_MESSAGES,
          SEND_QUEUE_BYTES, FANOUT_THREADS, REPLAY_WORKERS, REPLAY_MAX_PENDING, REPLAY_MAX_PER_USER, REPLAY_MAX_PER_SESSION,
          REPLAY_MAX_SCAN_RECORDS, REPLAY_BATCH_RECORDS, RECOVERY_TIMEOUT, CLOSE_GRACE, STATIC_DIR,
          CLIENT_FRAMES_PER_SECOND, CLIENT_FRAME_BURST, CLIENT_ABUSE_REFUSALS, CLIENT_ABUSE_WINDOW, CURSOR_KEY,
          HANDSHAKE_TIMEOUT, PING_INTERVAL, PING_MAX_MISSED, MAX_CONNECTIONS, MAX_CONNECTIONS_PER_USER,
          MAX_CONNECTIONS_PER_IP, TRUSTED_PROXIES, CLIENT_IP_HEADER, RETRY_AFTER, OPS_HOST, OPS_PORT, OPS_ON_MAIN_PORT,
          METADATA_CHECK_INTERVAL, SUPABASE_TABLES, SUPABASE_MAX_CHANNELS, SUPABASE_JOINS_PER_SECOND,
          SUPABASE_MAX_RECORD_BYTES, CHANNELS, CHANNELS_PER_SESSION, BROADCAST_MAX_PAYLOAD_BYTES,
          BROADCASTS_PER_SECOND, BROADCAST_BURST, BROADCAST_RETENTION, PRESENCE_MAX_META_BYTES,
          PRESENCE_TRACKS_PER_SECOND, PRESENCE_TRACK_BURST, PRESENCE_MAX_KEYS_PER_CHANNEL, PRESENCE_LEASE,
          PRESENCE_RENEW),
      List.of()));

  private GatewaySettings() {}

  private static int bytes(final String secret) {
    return secret.getBytes(StandardCharsets.UTF_8).length;
  }
}
