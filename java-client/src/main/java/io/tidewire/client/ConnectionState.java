package io.tidewire.client;

/**
 * Where a {@link TidewireClient} stands. Transitions (each reported once to the state listener):
 *
 * <pre>
 *   IDLE ──connect()──▶ CONNECTING ──all subscriptions confirmed──▶ CONNECTED
 *   CONNECTED ──connection lost, retryable──▶ RECONNECTING ──all subscriptions confirmed──▶ CONNECTED
 *   CONNECTING / RECONNECTING ──attempt failed, retryable──▶ (unchanged; next attempt after backoff)
 *   any ──close(), or a terminal close code / HTTP status / subscribe error──▶ CLOSED
 * </pre>
 *
 * {@code CLOSED} is final.
 */
public enum ConnectionState {
  /** Built, {@link TidewireClient#connect()} not called yet. Never reported to the listener. */
  IDLE,
  /** Opening the first connection (including retries before the first success). */
  CONNECTING,
  /** Connected, and every channel's subscription confirmed by the gateway. */
  CONNECTED,
  /** A connection that was {@code CONNECTED} was lost; waiting out the backoff or reconnecting. */
  RECONNECTING,
  /** Closed for good: by {@link TidewireClient#close()} or a terminal condition. */
  CLOSED
}
