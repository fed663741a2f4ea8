package io.tidewire.protocol;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every error code and close code of protocol v1 in one place, each with what a client should do
 * about it: the codes the gateway sends ({@link ErrorCode}, {@link CloseCode}), the standard close
 * codes a client meets without the gateway sending them ({@link OtherCloseCode}), and how a client
 * classifies what none of them lists ({@link #adviceForError(String)},
 * {@link #adviceForClose(int)}, {@link #adviceForHttpStatus(int)}).
 *
 * <p>The {@code when} and {@code meaning} texts are the codes' documentation: the code tables of
 * docs/PROTOCOL.md and the code objects of clients/js/src/codes.js are generated from these enums
 * ({@code ./mvnw -B -o -pl protocol test -Dprotocol.regenerate=true}), and a test of this module
 * fails when they differ.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProtocolCodes {

  private ProtocolCodes() {}

  /** What a client should do after an error or a close. */
  public enum Advice {
    RETRY("retry", "retry with exponential backoff and jitter: reconnect and resubscribe (or, where"
        + " the connection stays open, repeat the request), resuming from the last cursor"),
    RENEW_TOKEN("renew_token", "get a fresh token, then send `auth` or reconnect with it"),
    TERMINAL("terminal", "the same request or connection fails again: do not repeat it unchanged");

    private final String wire;
    private final String meaning;

    Advice(final String wire, final String meaning) {
      this.wire = wire;
      this.meaning = meaning;
    }

    /** The advice's name in the JavaScript client, e.g. {@code renew_token}. */
    public String wire() {
      return wire;
    }

    /** What the client does, for people. */
    public String meaning() {
      return meaning;
    }

    /** Whether a client reconnects (possibly with a new token) after a close with this advice. */
    public boolean reconnect() {
      return this != TERMINAL;
    }
  }

  /** The {@code code} of an {@code error} frame. */
  public enum ErrorCode {
    BAD_REQUEST("bad_request", Advice.TERMINAL, "stays open",
        "malformed JSON, unknown op, missing/invalid field, malformed cursor, unknown channel,"
            + " `snapshot` asked for on the feed, binary frame; an invalid broadcast channel name,"
            + " event name, payload or meta (not a JSON object)"),
    UNAUTHORIZED("unauthorized", Advice.RENEW_TOKEN, "stays open",
        "`auth` with a missing, forged or unreadable token (at the upgrade: HTTP 401)"),
    FORBIDDEN("forbidden", Advice.TERMINAL, "stays open",
        "another user's channel `user:<id>`; `auth` with another user's token; a `join` no rule of"
            + " `TIDEWIRE_GATEWAY_CHANNELS` admits"),
    RATE_LIMITED("rate_limited", Advice.RETRY, "stays open (with a ref); closes with 4029 (without)",
        "a frame beyond the session's rate (`TIDEWIRE_GATEWAY_CLIENT_FRAMES_PER_SECOND`, burst"
            + " `TIDEWIRE_GATEWAY_CLIENT_FRAME_BURST`), or a resuming `subscribe` beyond the replays"
            + " allowed at a time (per session, per user, per gateway), or a `broadcast` or"
            + " `track` beyond the session's rate for it (`TIDEWIRE_GATEWAY_BROADCASTS_PER_SECOND`,"
            + " `TIDEWIRE_GATEWAY_PRESENCE_TRACKS_PER_SECOND`): the request was not"
            + " performed; retry it with backoff. Without a ref: the session kept sending too fast"
            + " and is closed with 4029"),
    SLOW_CONSUMER("slow_consumer", Advice.RETRY, "closes with 4008",
        "the send queue overflowed, or a replay waited too long for the client to read"),
    TOKEN_EXPIRED("token_expired", Advice.RENEW_TOKEN,
        "closes with 4001 (session token); stays open (`auth`)",
        "the session's token expired; `auth` with an expired token"),
    INTERNAL("internal", Advice.RETRY, "stays open (with a ref); closes with 1011 (without)",
        "a server-side failure, not the client's fault. With a ref: that request failed (e.g. no"
            + " snapshot could be taken, a broadcast or presence Kafka did not store); without a ref"
            + " after `subscribed`: a replay broke off"),
    PAYLOAD_TOO_LARGE("payload_too_large", Advice.TERMINAL, "stays open",
        "a `broadcast` payload over `TIDEWIRE_GATEWAY_BROADCAST_MAX_PAYLOAD_BYTES` or a `track`"
            + " meta over `TIDEWIRE_GATEWAY_PRESENCE_MAX_META_BYTES` (UTF-8 bytes of its compact"
            + " JSON): not sent, not stored"),
    NOT_JOINED("not_joined", Advice.TERMINAL, "stays open",
        "`broadcast`, `track` or `untrack` on a channel this connection has not joined: `join`"
            + " it first"),
    TOO_MANY_CHANNELS("too_many_channels", Advice.TERMINAL, "stays open",
        "a `join` beyond `TIDEWIRE_GATEWAY_CHANNELS_PER_SESSION` channels on one connection:"
            + " `leave` one first"),
    TOO_MANY_PRESENCES("too_many_presences", Advice.RETRY, "stays open",
        "a `track` of a user not yet present in a channel that already holds"
            + " `TIDEWIRE_GATEWAY_PRESENCE_MAX_KEYS_PER_CHANNEL` users: not tracked; the channel"
            + " may empty out later");

    private static final Map<String, ErrorCode> BY_WIRE = Arrays.stream(values())
        .collect(Collectors.toUnmodifiableMap(ErrorCode::wire, Function.identity()));

    private final String wire;
    private final Advice advice;
    private final String connection;
    private final String when;

    ErrorCode(final String wire, final Advice advice, final String connection, final String when) {
      this.wire = wire;
      this.advice = advice;
      this.connection = connection;
      this.when = when;
    }

    /** The code as written in frames, e.g. {@code bad_request}. */
    public String wire() {
      return wire;
    }

    /** What the client should do. */
    public Advice advice() {
      return advice;
    }

    /** What happens to the connection, for people. */
    public String connection() {
      return connection;
    }

    /** When the gateway sends it, for people. */
    public String when() {
      return when;
    }

    /** The code written {@code wire} in a frame; empty for a code this version does not know. */
    public static Optional<ErrorCode> fromWire(final String wire) {
      return Optional.ofNullable(wire).map(BY_WIRE::get);
    }
  }

  /** WebSocket close codes the gateway sends. */
  public enum CloseCode {
    NORMAL(1000, "normal", Advice.TERMINAL,
        "reserved: the server ends a session on purpose and does not expect the client back"),
    GOING_AWAY(1001, "going away", Advice.RETRY,
        "the gateway is shutting down or restarting, or the client answered none of"
            + " `TIDEWIRE_GATEWAY_PING_MAX_MISSED` pings in a row; reconnect, possibly to another gateway"),
    MESSAGE_TOO_BIG(1009, "frame too big", Advice.TERMINAL,
        "a client frame over `TIDEWIRE_GATEWAY_MAX_FRAME_BYTES` (refused by its header, before its"
            + " payload is read); sending it again fails again"),
    INTERNAL_ERROR(1011, "internal error", Advice.RETRY,
        "a replay broke off after `subscribed` (e.g. retention deleted records during the replay)"),
    TOKEN_EXPIRED(4001, "token expired", Advice.RENEW_TOKEN,
        "`exp` (+ skew) passed without an `auth` refresh"),
    UNAUTHORIZED(4002, "unauthorized", Advice.RENEW_TOKEN,
        "no verified user at open (defence in depth; normally HTTP 401 at the upgrade)"),
    SLOW_CONSUMER(4008, "slow consumer", Advice.RETRY,
        "the client read too slowly: its send queue overflowed, or a replay waited longer than the"
            + " recovery timeout for it to read; resume from the cursor"),
    RATE_LIMITED(4029, "rate limited", Advice.RETRY,
        "the client kept sending frames beyond its rate after being told `rate_limited`"
            + " (`TIDEWIRE_GATEWAY_CLIENT_ABUSE_REFUSALS` refusals within"
            + " `TIDEWIRE_GATEWAY_CLIENT_ABUSE_WINDOW_SECONDS`); reconnect with backoff");

    private final int code;
    private final String reason;
    private final Advice advice;
    private final String when;

    CloseCode(final int code, final String reason, final Advice advice, final String when) {
      this.code = code;
      this.reason = reason;
      this.advice = advice;
      this.when = when;
    }

    /** The numeric close code on the wire. */
    public int code() {
      return code;
    }

    /** Short reason phrase sent with the close frame. */
    public String reason() {
      return reason;
    }

    /** What the client should do. */
    public Advice advice() {
      return advice;
    }

    /** When the gateway sends it, for people. */
    public String when() {
      return when;
    }

    /** Whether a well-behaved client reconnects after this close (possibly with a new token). */
    public boolean reconnect() {
      return advice.reconnect();
    }

    /** The code with this number, if the gateway sends it. */
    public static Optional<CloseCode> of(final int code) {
      return Arrays.stream(values()).filter(c -> c.code == code).findFirst();
    }
  }

  /**
   * Standard WebSocket close codes (RFC 6455 and the IANA registry) that the gateway never sends
   * but a client can still meet: from its own WebSocket stack, a proxy in between, or reported
   * locally ({@link #ABNORMAL}). Those that say the client's own frames broke the protocol or a
   * policy are terminal, since reconnecting would send the same frames again.
   */
  public enum OtherCloseCode {
    PROTOCOL_ERROR(1002, Advice.TERMINAL, "the client's frames broke the WebSocket protocol"),
    UNSUPPORTED_DATA(1003, Advice.TERMINAL, "the client sent a kind of data the server cannot accept"),
    NO_STATUS(1005, Advice.RETRY, "a close frame without a code"),
    ABNORMAL(1006, Advice.RETRY, "never on the wire: reported locally for a connection that ended"
        + " without a close frame (network loss, aborted socket, a silent connection given up on)"),
    INVALID_PAYLOAD(1007, Advice.TERMINAL, "a message whose data did not match its type"),
    POLICY_VIOLATION(1008, Advice.TERMINAL, "a message that violated the server's policy"),
    MANDATORY_EXTENSION(1010, Advice.TERMINAL, "the client required an extension the server did not"
        + " offer"),
    SERVICE_RESTART(1012, Advice.RETRY, "the server (or a proxy) is restarting"),
    TRY_AGAIN_LATER(1013, Advice.RETRY, "the server (or a proxy) is overloaded for now"),
    BAD_GATEWAY(1014, Advice.RETRY, "a proxy got no valid response from the server");

    private final int code;
    private final Advice advice;
    private final String when;

    OtherCloseCode(final int code, final Advice advice, final String when) {
      this.code = code;
      this.advice = advice;
      this.when = when;
    }

    /** The numeric close code. */
    public int code() {
      return code;
    }

    /** What the client should do. */
    public Advice advice() {
      return advice;
    }

    /** What it means, for people. */
    public String when() {
      return when;
    }

    /** The code with this number, if listed here. */
    public static Optional<OtherCloseCode> of(final int code) {
      return Arrays.stream(values()).filter(c -> c.code == code).findFirst();
    }
  }

  /**
   * What to do after an {@code error} frame with {@code wire} as its code: the code's advice, or
   * {@link Advice#RETRY} for a code this version does not know (a newer gateway).
   */
  public static Advice adviceForError(final String wire) {
    return ErrorCode.fromWire(wire).map(ErrorCode::advice).orElse(Advice.RETRY);
  }

  /**
   * What to do after the server (or the transport) closed with {@code code}: the advice of a
   * {@link CloseCode} or an {@link OtherCloseCode}; {@link Advice#RETRY} for anything else (such
   * as an application code of a newer gateway).
   */
  public static Advice adviceForClose(final int code) {
    return CloseCode.of(code).map(CloseCode::advice)
        .or(() -> OtherCloseCode.of(code).map(OtherCloseCode::advice))
        .orElse(Advice.RETRY);
  }

  /**
   * What to do after the server refused the WebSocket upgrade with an HTTP status: 401 means the
   * token was refused ({@link Advice#RENEW_TOKEN}); 408, 429 and 5xx are passing conditions
   * ({@link Advice#RETRY}); any other 4xx (wrong path, forbidden, bad request) fails again the same
   * way ({@link Advice#TERMINAL}); anything else is retried. A browser cannot see this status.
   */
  public static Advice adviceForHttpStatus(final int status) {
    if (status == 401) {
      return Advice.RENEW_TOKEN;
    }
    if (status == 408 || status == 429) {
      return Advice.RETRY;
    }
    if (status >= 400 && status < 500) {
      return Advice.TERMINAL;
    }
    return Advice.RETRY;
  }
}
