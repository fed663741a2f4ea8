package io.tidewire.gateway.protocol;

/**
 * Every error code and close code of protocol v1 in one place, each with what a client should do
 * about it. docs/PROTOCOL.md shows the same table; change both together.
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
    TERMINAL
  }

  /** The {@code code} of an {@code error} frame. */
  public enum ErrorCode {
    /** Malformed JSON, unknown op, missing or invalid field, unknown channel. Connection stays open. */
    BAD_REQUEST("bad_request", Advice.TERMINAL),
    /** The token of an {@code auth} op is missing, forged or unreadable. Connection stays open. */
    UNAUTHORIZED("unauthorized", Advice.RENEW_TOKEN),
    /** Valid token, but not allowed: another user's channel, or {@code auth} with another {@code sub}. */
    FORBIDDEN("forbidden", Advice.TERMINAL),
    /**
     * Too many clients are resuming at once (the gateway's replay queue is full): the
     * {@code subscribe} with a cursor was not performed; retry it with backoff.
     */
    RATE_LIMITED("rate_limited", Advice.RETRY),
    /** The client read too slowly; the server drops its queue and closes with 4008. */
    SLOW_CONSUMER("slow_consumer", Advice.RETRY),
    /** The session's token expired (close 4001 follows), or the token of an {@code auth} op is expired. */
    TOKEN_EXPIRED("token_expired", Advice.RENEW_TOKEN),
    /**
     * A server-side failure; not the client's fault. With the request's ref: that request failed
     * (e.g. no snapshot could be taken), the connection stays open. Without a ref after a
     * {@code subscribed}: the replay broke off and the connection closes with 1011.
     */
    INTERNAL("internal", Advice.RETRY);

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
  }

  /** WebSocket close codes the gateway sends. */
  public enum CloseCode {
    /** The server ends the session on purpose and does not expect the client back. */
    NORMAL(1000, "normal", Advice.TERMINAL),
    /** The server is shutting down (or restarting); reconnect, possibly to another gateway. */
    GOING_AWAY(1001, "going away", Advice.RETRY),
    /** A frame larger than the gateway's limit; sending it again fails again. */
    MESSAGE_TOO_BIG(1009, "frame too big", Advice.TERMINAL),
    /**
     * Unexpected server condition: a replay broke off after {@code subscribed} (reconnect and resume
     * from the last cursor handled); also what the transport sends for a frame beyond its read
     * buffer (max frame size + 1 MiB).
     */
    INTERNAL_ERROR(1011, "internal error", Advice.RETRY),
    /** The session's token expired; reconnect with a new token (or refresh with {@code auth} before expiry). */
    TOKEN_EXPIRED(4001, "token expired", Advice.RENEW_TOKEN),
    /** No authenticated principal on the session (should be rejected at upgrade with HTTP 401 already). */
    UNAUTHORIZED(4002, "unauthorized", Advice.RENEW_TOKEN),
    /**
     * The client read too slowly: its send queue overflowed, or a replay waited longer than the
     * recovery timeout for it to read; reconnect and resume from the cursor.
     */
    SLOW_CONSUMER(4008, "slow consumer", Advice.RETRY);

    private final int code;
    private final String reason;
    private final Advice advice;

    CloseCode(final int code, final String reason, final Advice advice) {
      this.code = code;
      this.reason = reason;
      this.advice = advice;
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

    /** Whether a well-behaved client reconnects after this close (possibly with a new token). */
    public boolean reconnect() {
      return advice != Advice.TERMINAL;
    }
  }
}
