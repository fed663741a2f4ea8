import { Advice, adviceForClose, adviceForError } from './codes.js';
import { Connection } from './connection.js';
import { ConnectionState } from './connection-state.js';
import { loadWebSocket } from './environment.js';
import { withToken } from './settings.js';
import { fetchToken, readClaims } from './token.js';
import { TokenRefresh } from './token-refresh.js';

/**
 * @import { AdviceName, ConnectionStateName, NetworkSignal } from '../types/index.js'
 * @import { Backoff } from './backoff.js'
 * @import { Channels } from './channels.js'
 * @import { Hold, Report } from './client.js'
 * @import { ChannelRequest, Owner } from './connection.js'
 * @import { CursorBook } from './cursors.js'
 * @import { Delivery } from './delivery.js'
 * @import { Emitter } from './emitter.js'
 * @import { Settings } from './settings.js'
 */

const noop = () => {};

/**
 * The client's lifecycle across connections (the Java client's `Supervisor`): the states of
 * {@link ConnectionState}, one {@link Connection} at a time, a fresh token per attempt and its
 * in-band refresh ({@link TokenRefresh}), and the host's online/offline/wake signals.
 *
 * Reconnect policy: after a connection ends or fails to open, the advice of its close or error
 * code (`codes.js`) decides. `terminal` closes the client; `renew_token` reconnects at once with a
 * new token, but only once in a row (then it backs off like `retry`); `retry` waits out the
 * backoff. The backoff starts over once a connection stayed up for `stableAfterMs`.
 *
 * Every timer and in-flight attempt belongs to a generation: a new plan (reconnect, offline,
 * close) makes the previous one void. It owns the current connection, so every callback of a
 * {@link Connection} first checks that it comes from the current one.
 *
 * @implements {Owner}
 */
export class Supervisor {
  /**
   * @param {object} o
   * @param {Readonly<Settings>} o.settings
   * @param {Backoff} o.backoff
   * @param {CursorBook} o.cursors where each channel resumes from
   * @param {ReadonlyMap<string, Hold>} o.holds the channels held, subscribed on every connection
   * @param {Delivery} o.delivery hands what the connection reads to the application
   * @param {Channels} o.channels the broadcast and presence channels, joined on every connection
   * @param {Emitter} o.emitter tells the application about state changes
   * @param {Report} o.report
   * @param {() => void} o.onStarted the client left `idle`: attach what else listens to the host
   * @param {() => void} o.onStopped the client closed for good: release it
   */
  constructor(o) {
    this.settings = o.settings;
    this.host = o.settings.host;
    this.backoff = o.backoff;
    this.cursors = o.cursors;
    this.holds = o.holds;
    this.delivery = o.delivery;
    this.channels = o.channels;
    this.emitter = o.emitter;
    this.report = o.report;
    this.onStarted = o.onStarted;
    this.onStopped = o.onStopped;
    /** @type {ConnectionStateName} */
    this.state = ConnectionState.IDLE;
    /** @type {'network' | 'manual' | undefined} why the client is offline */
    this.offlineReason = undefined;
    /** @type {Connection | undefined} */
    this.current = undefined;
    /** @type {TokenRefresh | undefined} the current connection's, once it is ready */
    this.refresh = undefined;
    this.generation = 0;
    this.refCounter = 0;
    /** @type {unknown} */
    this.retryTimer = undefined;
    /** @type {unknown} */
    this.stableTimer = undefined;
    this.renewedAtOnce = false;
    this.everConnected = false;
    /** @type {string | undefined} the token's `sub` */
    this.userId = undefined;
    /** @type {Array<{resolve: () => void, reject: (error: Error) => void}>} */
    this.waiters = [];
    /** @type {Promise<void> | undefined} */
    this.closing = undefined;
    /** @type {string | undefined} */
    this.stopReason = undefined;
    /** @type {(new (url: string) => WebSocket) | undefined} the host's, or `ws` once imported */
    this.WebSocketImpl = o.settings.host.WebSocket;
    this.detachNetwork = noop;
    this.counters = { attempts: 0, connects: 0, reconnects: 0, connectedSince: /** @type {number | undefined} */ (undefined) };
  }

  /**
   * Starts (or, after `disconnect()`, resumes) connecting; see `TidewireClient.connect`.
   * @returns {Promise<void>}
   */
  connect() {
    if (this.state === ConnectionState.CLOSED) return Promise.reject(new Error('the client is closed'));
    const promise = this.whenConnected();
    if (this.state === ConnectionState.IDLE) {
      this.attachNetwork();
      this.onStarted();
      this.startConnecting();
    } else if (this.state === ConnectionState.OFFLINE && this.offlineReason === 'manual') {
      this.startConnecting();
    }
    return promise;
  }

  /** Drops the connection on purpose and stays offline. */
  disconnect() {
    if (this.state === ConnectionState.CLOSED || this.state === ConnectionState.IDLE) return;
    this.goOffline('manual');
  }

  /**
   * Drops the current connection (if any) and connects again at once.
   * @returns {Promise<void>}
   */
  reconnect() {
    if (this.state === ConnectionState.CLOSED) return Promise.reject(new Error('the client is closed'));
    if (this.state === ConnectionState.IDLE) return this.connect();
    const promise = this.whenConnected();
    this.invalidate();
    const conn = this.current;
    this.current = undefined;
    if (conn) conn.close();
    this.startConnecting();
    return promise;
  }

  /**
   * Closes for good: a normal close of the connection, no reconnect, the host released.
   * @param {string} why
   * @returns {Promise<void>} resolves when the gateway answered the close (or after the close timeout)
   */
  stop(why) {
    if (this.state === ConnectionState.CLOSED) return this.closing || Promise.resolve();
    this.invalidate();
    const conn = this.current;
    this.current = undefined;
    const closing = conn ? conn.close() : Promise.resolve();
    this.closing = closing;
    this.detachNetwork();
    this.detachNetwork = noop;
    this.onStopped();
    this.offlineReason = undefined;
    this.stopReason = why;
    this.setState(ConnectionState.CLOSED);
    this.channels.closed();
    return closing;
  }

  /**
   * Subscribes a newly held channel on the current connection (later ones subscribe it anyway).
   * @param {string} name
   * @param {string[] | undefined} types
   */
  subscribe(name, types) {
    const conn = this.current;
    if (conn) conn.subscribe(name, this.requestFor(name, types));
  }

  /**
   * How to subscribe `name` now: its types, its cursor, and (option `initialState`, user channel)
   * whether to ask for the user's state, which the connection sends only without a cursor.
   * @param {string} name
   * @param {string[] | undefined} types
   * @returns {ChannelRequest}
   */
  requestFor(name, types) {
    const snapshot = this.settings.initialState && (name === 'user' || name.startsWith('user:'));
    return { types, cursor: this.cursors.get(name), snapshot };
  }

  /**
   * Unsubscribes a channel no longer held.
   * @param {string} name
   */
  unsubscribe(name) {
    if (this.current) this.current.unsubscribe(name);
  }

  // ---- states ----

  /** @returns {Promise<void>} */
  whenConnected() {
    if (this.state === ConnectionState.CONNECTED) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** @param {ConnectionStateName} next */
  setState(next) {
    if (this.state === next) return;
    this.state = next;
    if (next === ConnectionState.CONNECTED) {
      const waiters = this.waiters.splice(0);
      for (const w of waiters) w.resolve();
    } else if (next === ConnectionState.CLOSED) {
      const waiters = this.waiters.splice(0);
      const why = this.stopReason ? `: ${this.stopReason}` : '';
      for (const w of waiters) w.reject(new Error(`the client closed before connecting${why}`));
    }
    this.emitter.emit('state', next);
  }

  startConnecting() {
    this.backoff.reset();
    this.renewedAtOnce = false;
    if (this.host.network && !this.host.network.isOnline()) {
      this.goOffline('network');
      return;
    }
    this.offlineReason = undefined;
    this.setState(this.everConnected ? ConnectionState.RECONNECTING : ConnectionState.CONNECTING);
    this.attempt();
  }

  /**
   * No connection until the network is back ('network') or the app connects again ('manual').
   * @param {'network' | 'manual'} reason
   */
  goOffline(reason) {
    this.invalidate();
    const conn = this.current;
    this.current = undefined;
    if (conn && reason === 'manual') conn.close(); // a normal close the gateway sees
    else if (conn) conn.abort(); // the network is gone: no close handshake to wait for
    this.offlineReason = reason;
    this.setState(ConnectionState.OFFLINE);
  }

  /** Makes every timer and in-flight attempt of the previous plan void. */
  invalidate() {
    this.generation++;
    this.host.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.dropTimers();
  }

  // ---- connection attempts ----

  async attempt() {
    this.retryTimer = undefined;
    const generation = ++this.generation;
    this.counters.attempts++;
    const WebSocketImpl = this.WebSocketImpl || await this.importWebSocket(generation);
    if (!WebSocketImpl || generation !== this.generation) return;
    let token;
    try {
      token = await this.fetchToken();
    } catch (error) {
      if (generation !== this.generation) return;
      this.report('token_failed', `the token provider failed: ${/** @type {any} */ (error)?.message || error}`, { cause: error });
      this.retry(Advice.RETRY);
      return;
    }
    if (generation !== this.generation) return;
    const claims = readClaims(token);
    await this.cursors.useUser(claims.sub);
    if (generation !== this.generation) return;
    this.userId = claims.sub;
    const { settings, host } = this;
    const conn = new Connection({
      id: generation,
      url: withToken(settings.url, token),
      token,
      claims,
      obtainedAt: host.now(),
      WebSocket: WebSocketImpl,
      timers: host.timers,
      now: host.now,
      owner: this,
      nextRef: () => String(++this.refCounter),
      connectTimeoutMs: settings.connectTimeoutMs,
      pingIntervalMs: settings.pingIntervalMs,
      pongTimeoutMs: settings.pongTimeoutMs,
      closeTimeoutMs: settings.closeTimeoutMs,
    });
    this.current = conn;
    /** @type {Map<string, ChannelRequest>} */
    const channels = new Map();
    for (const [name, hold] of this.holds) channels.set(name, this.requestFor(name, hold.types));
    conn.open(channels);
  }

  /**
   * Imports the `ws` package where the host has no WebSocket (Node.js 20 and 21). Without it the
   * client closes at once, its message naming the fix: retrying cannot help.
   * @param {number} generation the attempt's
   * @returns {Promise<(new (url: string) => WebSocket) | undefined>}
   */
  async importWebSocket(generation) {
    try {
      this.WebSocketImpl = await loadWebSocket();
      return this.WebSocketImpl;
    } catch (error) {
      if (generation === this.generation) {
        const message = String(/** @type {any} */ (error)?.message || error);
        this.report('connect_failed', message, { cause: error });
        this.stop(message);
      }
      return undefined;
    }
  }

  /**
   * Asks the application for a token, bounded by the connect timeout.
   * @returns {Promise<string>}
   */
  fetchToken() {
    return fetchToken(this.settings.token, this.host.timers, this.settings.connectTimeoutMs);
  }

  /**
   * Either closes for good or waits out the backoff (none for a first token renewal) and retries.
   * @param {AdviceName} advice
   * @param {string} why
   */
  proceed(advice, why) {
    if (this.state === ConnectionState.CLOSED) return;
    if (advice === Advice.TERMINAL) {
      this.stop(why);
      return;
    }
    if (this.state === ConnectionState.CONNECTED) this.setState(ConnectionState.RECONNECTING);
    this.retry(advice);
  }

  /** @param {AdviceName} advice */
  retry(advice) {
    let delay;
    if (advice === Advice.RENEW_TOKEN && !this.renewedAtOnce) {
      this.renewedAtOnce = true;
      delay = 0;
    } else {
      delay = this.backoff.next();
    }
    const generation = this.generation;
    const timers = this.host.timers;
    timers.clearTimeout(this.retryTimer);
    this.retryTimer = timers.setTimeout(() => {
      if (generation === this.generation) this.attempt();
    }, delay);
  }

  /**
   * @param {Connection} conn
   * @returns {boolean}
   */
  isCurrent(conn) {
    return this.current === conn && this.state !== ConnectionState.CLOSED;
  }

  /** Forgets the current connection (already ended) and its timers. */
  dropCurrent() {
    this.current = undefined;
    this.dropTimers();
  }

  dropTimers() {
    this.channels.detached();
    this.host.timers.clearTimeout(this.stableTimer);
    this.stableTimer = undefined;
    if (this.refresh) this.refresh.cancel();
    this.refresh = undefined;
    this.counters.connectedSince = undefined;
  }

  // ---- Connection owner: the connection's lifecycle ----

  /** @type {Owner['ready']} */
  ready(conn) {
    if (!this.isCurrent(conn)) return;
    const { settings, host } = this;
    this.renewedAtOnce = false;
    this.counters.connects++;
    if (this.everConnected) this.counters.reconnects++;
    this.everConnected = true;
    this.counters.connectedSince = host.now();
    host.timers.clearTimeout(this.stableTimer);
    this.stableTimer = host.timers.setTimeout(() => {
      if (this.isCurrent(conn)) this.backoff.reset();
    }, settings.stableAfterMs);
    if (this.refresh) this.refresh.cancel();
    this.refresh = new TokenRefresh({
      connection: conn,
      fetchToken: () => this.fetchToken(),
      isCurrent: () => this.isCurrent(conn),
      report: this.report,
      timers: host.timers,
      now: host.now,
      fraction: settings.refreshFraction,
      minDelayMs: settings.minRefreshDelayMs,
    });
    this.refresh.schedule();
    this.setState(ConnectionState.CONNECTED);
    this.channels.attached(conn);
  }

  /** @type {Owner['openFailed']} */
  openFailed(conn, why) {
    if (!this.isCurrent(conn)) return;
    this.current = undefined;
    this.report('connect_failed', `cannot connect to ${this.settings.url}: ${why}`);
    // A browser cannot see the HTTP status of a refused upgrade; an expired token is the one
    // refusal it can predict, and a fresh token cures it at once.
    const expired = conn.claims.expMs !== undefined && conn.claims.expMs <= this.host.now();
    this.proceed(expired ? Advice.RENEW_TOKEN : Advice.RETRY, why);
  }

  /** @type {Owner['lost']} */
  lost(conn, code, reason) {
    if (!this.isCurrent(conn)) return;
    this.dropCurrent();
    this.report('disconnected', `connection closed with ${code}${reason ? ` (${reason})` : ''}`, { closeCode: code });
    this.proceed(adviceForClose(code), `close code ${code} ${reason}`);
  }

  /** @type {Owner['subscribeRefused']} */
  subscribeRefused(conn, channel, code, message, hadCursor) {
    if (!this.isCurrent(conn)) return;
    this.report('subscribe_refused', `subscribe to ${channel} refused: ${code} ${message}`, { code, channel });
    if (code === 'bad_request' && hadCursor) {
      // A stored cursor the gateway cannot read (an older format, a damaged storage): a browser
      // would stay closed for good with it. Forget it and subscribe live; `subscribed` then says
      // recovered:false (followed by a snapshot under `initialState`), so the app knows to reload
      // its state.
      this.cursors.forget(channel);
      const hold = this.holds.get(channel);
      if (hold) conn.subscribe(channel, this.requestFor(channel, hold.types));
      return;
    }
    const advice = adviceForError(code);
    if (advice !== Advice.TERMINAL) {
      conn.abort();
      this.dropCurrent();
    }
    this.proceed(advice, `subscribe to ${channel} refused: ${code} ${message}`);
  }

  /** @type {Owner['tick']} */
  tick(conn) {
    if (this.isCurrent(conn) && this.refresh) this.refresh.check();
  }

  /** @type {Owner['refreshed']} */
  refreshed(conn) {
    if (this.isCurrent(conn) && this.refresh) this.refresh.accepted();
  }

  /** @type {Owner['refreshRefused']} */
  refreshRefused(conn, code, message) {
    if (this.isCurrent(conn) && this.refresh) this.refresh.refused(code, message);
  }

  // ---- Connection owner: what the connection read, for the application ----

  /** @type {Owner['subscribed']} */
  subscribed(conn, frame) {
    if (this.isCurrent(conn)) this.delivery.subscribed(frame);
  }

  /** @type {Owner['snapshot']} */
  snapshot(conn, frame) {
    if (this.isCurrent(conn)) this.delivery.snapshot(frame);
  }

  /** @type {Owner['event']} */
  event(conn, frame) {
    if (this.isCurrent(conn)) this.delivery.event(frame);
  }

  /** @type {Owner['channelFrame']} */
  channelFrame(conn, frame) {
    if (this.isCurrent(conn)) this.channels.received(frame);
  }

  /** @type {Owner['channelError']} */
  channelError(conn, frame) {
    return this.isCurrent(conn) && this.channels.error(frame);
  }

  /** @type {Owner['serverError']} */
  serverError(conn, frame) {
    if (this.isCurrent(conn)) this.report('server_error', `${frame.code}: ${frame.message ?? ''}`, { code: frame.code });
  }

  /** @type {Owner['badFrame']} */
  badFrame(conn, why) {
    if (this.isCurrent(conn)) this.report('bad_frame', why);
  }

  // ---- host: network and wake-ups ----

  attachNetwork() {
    const network = this.host.network;
    if (network) this.detachNetwork = network.subscribe((signal) => this.onNetwork(signal)) || noop;
  }

  /** @param {NetworkSignal} signal */
  onNetwork(signal) {
    const state = this.state;
    if (state === ConnectionState.CLOSED || state === ConnectionState.IDLE) return;
    if (signal === 'offline') {
      if (state !== ConnectionState.OFFLINE) this.goOffline('network');
    } else if (signal === 'online') {
      if (state === ConnectionState.OFFLINE && this.offlineReason === 'network') this.startConnecting();
      else if (this.current) this.current.wake(); // a network change without 'offline' may have killed the socket
    } else if (signal === 'wake') {
      if (this.current) {
        this.current.wake();
        if (this.refresh) this.refresh.check();
      } else if (this.retryTimer !== undefined) {
        // the backoff timer may be throttled while hidden: try now
        this.host.timers.clearTimeout(this.retryTimer);
        this.attempt();
      }
    }
  }
}
