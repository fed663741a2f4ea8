/**
 * The error and close codes of protocol v1 with what the client does about each. The objects
 * between the markers are generated from `io.tidewire.protocol.ProtocolCodes` (module `protocol`),
 * which the gateway and the Java client use too, and docs/PROTOCOL.md shows the same tables: edit
 * the enums, then run `./mvnw -B -o -pl protocol test -Dprotocol.regenerate=true` (a test of that
 * module fails while this file differs).
 */

// <generated from io.tidewire.protocol.ProtocolCodes; do not edit>
/** What to do after an error or a close. */
export const Advice = Object.freeze({
  /**
   * Retry with exponential backoff and jitter: reconnect and resubscribe (or, where the connection
   * stays open, repeat the request), resuming from the last cursor.
   */
  RETRY: 'retry',
  /** Get a fresh token, then send `auth` or reconnect with it. */
  RENEW_TOKEN: 'renew_token',
  /** The same request or connection fails again: do not repeat it unchanged. */
  TERMINAL: 'terminal',
});

/** `code` of an `error` frame → advice. */
export const ERROR_CODES = Object.freeze({
  bad_request: Advice.TERMINAL,
  unauthorized: Advice.RENEW_TOKEN,
  forbidden: Advice.TERMINAL,
  rate_limited: Advice.RETRY,
  slow_consumer: Advice.RETRY,
  token_expired: Advice.RENEW_TOKEN,
  internal: Advice.RETRY,
  payload_too_large: Advice.TERMINAL,
  not_joined: Advice.TERMINAL,
  too_many_channels: Advice.TERMINAL,
  too_many_presences: Advice.RETRY,
});

/**
 * Close code → advice: the codes the gateway sends, and the standard codes a client can still meet
 * (1006 is reported locally for a connection lost without a close frame).
 */
export const CLOSE_CODES = Object.freeze({
  // sent by the gateway (the comment is the reason phrase)
  1000: Advice.TERMINAL, // normal
  1001: Advice.RETRY, // going away
  1009: Advice.TERMINAL, // frame too big
  1011: Advice.RETRY, // internal error
  4001: Advice.RENEW_TOKEN, // token expired
  4002: Advice.RENEW_TOKEN, // unauthorized
  4008: Advice.RETRY, // slow consumer
  4029: Advice.RETRY, // rate limited
  // never sent by the gateway
  1002: Advice.TERMINAL, // protocol error
  1003: Advice.TERMINAL, // unsupported data
  1005: Advice.RETRY, // no status
  1006: Advice.RETRY, // abnormal
  1007: Advice.TERMINAL, // invalid payload
  1008: Advice.TERMINAL, // policy violation
  1010: Advice.TERMINAL, // mandatory extension
  1012: Advice.RETRY, // service restart
  1013: Advice.RETRY, // try again later
  1014: Advice.RETRY, // bad gateway
});
// </generated>

/**
 * Advice for an `error` frame's code. Unknown codes (a newer gateway) are retried.
 * @param {string} code
 * @returns {'retry' | 'renew_token' | 'terminal'}
 */
export function adviceForError(code) {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code)
    ? ERROR_CODES[/** @type {keyof typeof ERROR_CODES} */ (code)]
    : Advice.RETRY;
}

/**
 * Advice after the server (or the transport) closed with `code`: the listed advice (terminal for the
 * standard codes that say this client's own frames broke the protocol or a policy, since
 * reconnecting would send the same frames again); retry for any code not listed, such as an
 * application code of a newer gateway.
 * @param {number} code
 * @returns {'retry' | 'renew_token' | 'terminal'}
 */
export function adviceForClose(code) {
  return Object.prototype.hasOwnProperty.call(CLOSE_CODES, code)
    ? CLOSE_CODES[/** @type {keyof typeof CLOSE_CODES} */ (code)]
    : Advice.RETRY;
}
