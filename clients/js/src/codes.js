/**
 * The error and close codes of protocol v1 with what the client does about each. Mirrors
 * `io.tidewire.gateway.protocol.ProtocolCodes` in push-gateway (the source of truth, also shown
 * in docs/PROTOCOL.md) and the Java client's copy: a code added there must be added here.
 */

/** What to do after an error or a close. */
export const Advice = Object.freeze({
  /** Retry (reconnect, resubscribe) with backoff; resume from the last cursor. */
  RETRY: 'retry',
  /** Get a fresh token, then retry (reconnect or send `auth`). */
  RENEW_TOKEN: 'renew_token',
  /** The same request or connection would fail again: stop. */
  TERMINAL: 'terminal',
});

/** `code` of an `error` frame → advice. Unknown codes (a newer gateway) are retried. */
export const ERROR_CODES = Object.freeze({
  bad_request: Advice.TERMINAL,
  unauthorized: Advice.RENEW_TOKEN,
  forbidden: Advice.TERMINAL,
  rate_limited: Advice.RETRY,
  slow_consumer: Advice.RETRY,
  token_expired: Advice.RENEW_TOKEN,
  internal: Advice.RETRY,
});

/** Close codes the gateway sends, plus 1006 (reported locally for a connection lost without a close frame). */
export const CLOSE_CODES = Object.freeze({
  1000: Advice.TERMINAL, // normal: the server ended the session on purpose
  1001: Advice.RETRY, // going away: gateway shutting down or restarting
  1006: Advice.RETRY, // abnormal: dropped without a close frame
  1009: Advice.TERMINAL, // a client frame over the gateway's limit
  1011: Advice.RETRY, // internal error, e.g. a replay broke off
  4001: Advice.RENEW_TOKEN, // token expired without an `auth` refresh
  4002: Advice.RENEW_TOKEN, // unauthorized
  4008: Advice.RETRY, // slow consumer: resume from the cursor
});

/** Advice for an `error` frame's code. */
export function adviceForError(code) {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code) ? ERROR_CODES[code] : Advice.RETRY;
}

/**
 * Advice after the server (or the transport) closed with `code`: the gateway's advice for the codes
 * it lists; terminal for the standard codes that say this client's own frames broke the protocol or
 * a policy (1002, 1003, 1007, 1008, 1010), since reconnecting would send the same frames again;
 * retry for everything else (1005, 1012, 1013, 1014, unknown application codes).
 */
export function adviceForClose(code) {
  if (Object.prototype.hasOwnProperty.call(CLOSE_CODES, code)) return CLOSE_CODES[code];
  switch (code) {
    case 1002: case 1003: case 1007: case 1008: case 1010:
      return Advice.TERMINAL;
    default:
      return Advice.RETRY;
  }
}
