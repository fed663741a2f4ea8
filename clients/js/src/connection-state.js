/** The client's connection states (the Java client's `ConnectionState`). */
export const ConnectionState = Object.freeze({
  /** Created, `connect()` not called yet (never reported to listeners). */
  IDLE: 'idle',
  /** Opening the first connection (or retrying it). */
  CONNECTING: 'connecting',
  /** Open, and every held channel confirmed by the gateway. */
  CONNECTED: 'connected',
  /** Was connected; the connection was lost and the client is getting it back (with backoff). */
  RECONNECTING: 'reconnecting',
  /** No connection on purpose: the host is offline, or the app called `disconnect()`. */
  OFFLINE: 'offline',
  /** Closed for good (`close()`, or a terminal close/error code). */
  CLOSED: 'closed',
});
