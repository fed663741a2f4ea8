package io.tidewire.client;

import java.util.Optional;

/**
 * The error and close codes of protocol v1 as the client reads them, each with what the client
 * does about it. This mirrors {@code io.tidewire.gateway.protocol.ProtocolCodes} in
 * {@code push-gateway}, which is the source of truth: a code added there must be added here (the
 * client cannot depend on the gateway module). Codes the gateway does not list are classified by
 * {@link #adviceForClose(int)} and {@link #adviceForHttpStatus(int)}.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProtocolCodes {

  private ProtocolCodes() {}

  /** What a client should do after an error or a close. */
  public enum Advice {
    /** Retry (reconnect, resubscribe) with backoff; resume from the last cursor. */
    RETRY,
    /** Get a fresh token, then retry (reconnect or send {@code auth}). */
    RENEW_TOKEN,
    /** Do not retry the same request or connection unchanged: it will fail again. */
    TERMINAL;

    /** Whether the client reconnects after a close with this advice. */
    public boolean reconnect() {
      return this != TERMINAL;
    }
  }

  /** The {@code code} of an {@code error} frame. */
  public enum ErrorCode {
    /** Malformed JSON, unknown op, missing or invalid field or cursor, unknown channel. */
    BAD_REQUEST("bad_request", Advice.TERMINAL),
    /** The token of an {@code auth} op is missing, forged or unreadable. */
    UNAUTHORIZED("unauthorized", Advice.RENEW_TOKEN),
    /** Valid token, but not allowed: another user's channel, or {@code auth} with another {@code sub}. */
    FORBIDDEN("forbidden", Advice.TERMINAL),
    /** Too many requests (reserved in v1). */
    RATE_LIMITED("rate_limited", Advice.RETRY),
    /** The client read too slowly; close 4008 follows. */
    SLOW_CONSUMER("slow_consumer", Advice.RETRY),
    /** The session's token expired (close 4001 follows), or the token of an {@code auth} op is expired. */
    TOKEN_EXPIRED("token_expired", Advice.RENEW_TOKEN),
    /** A server-side failure. */
    INTERNAL("internal", Advice.RETRY),
    /** A code this client does not know (a newer gateway); treated as retryable. */
    UNKNOWN("unknown", Advice.RETRY);

    private final String wire;
    private final Advice advice;

    ErrorCode(final String wire, final Advice advice) {
      this.wire = wire;
      this.advice = advice;
    }

    /** The code as written in frames, e.g. {@code bad_request}. */
    public String wire() {
      return wire;
    }

    /** What the client should do. */
    public Advice advice() {
      return advice;
    }

    /** The code for a wire value; {@link #UNKNOWN} for anything this client does not know. */
    public static ErrorCode fromWire(final String wire) {
      for (final ErrorCode code : values()) {
        if (code != UNKNOWN && code.wire.equals(wire)) {
          return code;
        }
      }
      return UNKNOWN;
    }
  }

  /**
   * WebSocket close codes the gateway sends, plus {@link #ABNORMAL} (1006), which is never sent
   * but reported locally when a connection ends without a close frame.
   */
  public enum CloseCode {
    /** The server ended the session on purpose and does not expect the client back. */
    NORMAL(1000, Advice.TERMINAL),
    /** The gateway is shutting down or restarting. */
    GOING_AWAY(1001, Advice.RETRY),
    /** The connection dropped without a close frame (network failure, crashed server). */
    ABNORMAL(1006, Advice.RETRY),
    /** The client sent a frame larger than the gateway's limit. */
    MESSAGE_TOO_BIG(1009, Advice.TERMINAL),
    /** Unexpected server condition. */
    INTERNAL_ERROR(1011, Advice.RETRY),
    /** The session's token expired without an {@code auth} refresh. */
    TOKEN_EXPIRED(4001, Advice.RENEW_TOKEN),
    /** No authenticated principal on the session. */
    UNAUTHORIZED(4002, Advice.RENEW_TOKEN),
    /** The client read too slowly; resume from the cursor. */
    SLOW_CONSUMER(4008, Advice.RETRY);

    private final int code;
    private final Advice advice;

    CloseCode(final int code, final Advice advice) {
      this.code = code;
      this.advice = advice;
    }

    /** The numeric close code. */
    public int code() {
      return code;
    }

    /** What the client should do. */
    public Advice advice() {
      return advice;
    }

    /** The listed code with this number, if any. */
    public static Optional<CloseCode> of(final int code) {
      for (final CloseCode value : values()) {
        if (value.code == code) {
          return Optional.of(value);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * What to do after the server (or the transport) closed with {@code code}: the gateway's advice
   * for the codes it lists; {@link Advice#TERMINAL} for the standard codes that say this client's
   * own frames broke the protocol or a policy (1002, 1003, 1007, 1008, 1010), since reconnecting
   * would send the same frames again; {@link Advice#RETRY} for everything else (1005 no status,
   * 1012 service restart, 1013 try again later, 1014 bad gateway, unknown application codes).
   */
  public static Advice adviceForClose(final int code) {
    final Optional<CloseCode> listed = CloseCode.of(code);
    if (listed.isPresent()) {
      return listed.get().advice();
    }
    switch (code) {
      case 1002: // protocol error
      case 1003: // unsupported data
      case 1007: // invalid payload
      case 1008: // policy violation
      case 1010: // mandatory extension
        return Advice.TERMINAL;
      default:
        return Advice.RETRY;
    }
  }

  /**
   * What to do after the server refused the WebSocket upgrade with an HTTP status: 401 means the
   * token was refused ({@link Advice#RENEW_TOKEN}); 408, 429 and 5xx are passing conditions
   * ({@link Advice#RETRY}); any other 4xx (wrong path, forbidden, bad request) fails again the same
   * way ({@link Advice#TERMINAL}); anything else is retried.
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
