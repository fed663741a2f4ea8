import { Backoff } from './backoff.js';
import { Advice, adviceForClose, adviceForError } from './codes.js';
import { Connection } from './connection.js';
import { CrossTab } from './cross-tab.js';
import { CursorBook } from './cursors.js';
import { Delivery } from './delivery.js';
import { Emitter } from './emitter.js';
import {
  defaultBroadcast, defaultNetwork, defaultNow, defaultStorage, defaultTimers, defaultWebSocket,
} from './environment.js';
import { readClaims, refreshAt } from './token.js';

/** The client's connection states. */
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

const DEFAULTS = Object.freeze({
  channels: ['user'],
  backoff: { baseMs: 500, capMs: 30_000 },
  stableAfterMs: 10_000,
  connectTimeoutMs: 10_000,
  pingIntervalMs: 20_000,
  pongTimeoutMs: 10_000,
  closeTimeoutMs: 2_000,
  dedupCapacity: 10_000,
  refreshFraction: 0.8,
  minRefreshDelayMs: 1_000,
  crossTabTypes: ['credits.updated'],
  crossTabName: 'tidewire',
  storageKey: 'tidewire.cursors',
});

const noop = () => {};

/**
 * A Tidewire client that stays subscribed: reconnects with exponential backoff and full jitter,
 * resumes every channel from the cursor of the last event the application handled, drops duplicate
 * events by `(channel, id)`, refreshes its token in-band before it expires, follows the host's
 * online/offline state, keeps a heartbeat that survives background-tab timer throttling, and shares
 * selected events (credit updates by default) with the user's other tabs. Same rules as the Java
 * client (`java-client/README.md`).
 *
 * Listeners run synchronously, in frame order; a throwing listener is reported as an `error`
 * (`listener_failed`) and its event still counts as handled. Nothing touches the network before
 * `connect()`.
 */
export class TidewireClient {
  /** @param {import('../types/index.js').ClientOptions} options */
  constructor(options) {
    if (!options || typeof options !== 'object') throw new TypeError('options are required');
    this.url = normalizeUrl(options.url);
    if (typeof options.token !== 'string' && typeof options.token !== 'function') {
      throw new TypeError('token must be a string or a function returning one (or a promise of one)');
    }
    this.tokenSource = options.token;
    const o = { ...DEFAULTS, ...options, backoff: { ...DEFAULTS.backoff, ...(options.backoff || {}) } };
    this.settings = o;
    this.WebSocketImpl = options.WebSocket || defaultWebSocket();
    this.timers = options.timers || defaultTimers;
    this.now = options.now || defaultNow;
    this.network = options.network === undefined ? defaultNetwork() : options.network;
    const storage = options.storage !== undefined ? options.storage
      : (options.persistCursors ? defaultStorage() : null);
    const broadcast = options.crossTab === false ? null
      : (options.broadcast !== undefined ? options.broadcast : defaultBroadcast());
    this.crossTab = broadcast ? new CrossTab(broadcast, o.crossTabName, o.crossTabTypes,
      (error) => this.reportError('broadcast_failed', `cross-tab sharing failed: ${error}`, { cause: error })) : undefined;
    this.backoff = new Backoff(o.backoff.baseMs, o.backoff.capMs, options.random || Math.random);
    this.emitter = new Emitter((name, error) => {
      if (name !== 'error') this.reportError('listener_failed', `a ${name} listener threw: ${error}`, { cause: error });
    });
    this.cursorBook = new CursorBook({
      initial: options.cursors || {},
      storage,
      keyPrefix: o.storageKey,
      onStorageError: (error) => this.reportError('storage_failed', `cursor storage failed: ${error}`, { cause: error }),
    });
    this.delivery = new Delivery({
      capacity: o.dedupCapacity, cursors: this.cursorBook, now: this.now,
      emit: (event) => this.emitter.emit('event', event),
    });
    /** channel name → {count, types} */
    this.holds = new Map();
    for (const channel of o.channels) {
      const spec = typeof channel === 'string' ? { name: channel } : channel;
      if (!spec || typeof spec.name !== 'string' || !spec.name) throw new TypeError('a channel needs a name');
      this.holds.set(spec.name, { count: 1, types: spec.types });
    }
    this._state = ConnectionState.IDLE;
    this.offlineReason = undefined;
    this.current = undefined;
    this.generation = 0;
    this.refCounter = 0;
    this.retryTimer = undefined;
    this.stableTimer = undefined;
    this.refreshTimer = undefined;
    this.refreshDueAt = undefined;
    this.renewedAtOnce = false;
    this.everConnected = false;
    this.userId = undefined;
    this.waiters = [];
    this.closing = undefined;
    this.detachNetwork = noop;
    this.counters = { attempts: 0, connects: 0, reconnects: 0, snapshots: 0, connectedSince: undefined };
  }

  /** The current state, one of {@link ConnectionState}. */
  get state() {
    return this._state;
  }

  /** Whether the client is connected with every held channel confirmed. */
  get isConnected() {
    return this._state === ConnectionState.CONNECTED;
  }

  /**
   * Listens to `event` (each event once, `(event) => …`), `state` (`(state) => …`), `snapshot`,
   * `subscribed` or `error`. Returns a function that removes the listener.
   */
  on(name, listener) {
    return this.emitter.on(name, listener);
  }

  /**
   * Starts (or, after `disconnect()`, resumes) connecting. Resolves when connected; rejects if the
   * client closes first. While the gateway is unreachable it does not settle: bound the wait.
   */
  connect() {
    if (this._state === ConnectionState.CLOSED) return Promise.reject(new Error('the client is closed'));
    const promise = this.whenConnected();
    if (this._state === ConnectionState.IDLE) {
      this.attachHost();
      this.startConnecting();
    } else if (this._state === ConnectionState.OFFLINE && this.offlineReason === 'manual') {
      this.startConnecting();
    }
    return promise;
  }

  /**
   * Drops the connection on purpose and stays `offline` until `connect()` or `reconnect()`. Cursors,
   * de-duplication and cross-tab sharing are kept: a later `connect()` catches up on what was missed.
   */
  disconnect() {
    if (this._state === ConnectionState.CLOSED || this._state === ConnectionState.IDLE) return;
    this.goOffline('manual');
  }

  /** Drops the current connection (if any) and connects again at once, with a fresh token. */
  reconnect() {
    if (this._state === ConnectionState.CLOSED) return Promise.reject(new Error('the client is closed'));
    if (this._state === ConnectionState.IDLE) return this.connect();
    const promise = this.whenConnected();
    this.invalidate();
    const conn = this.current;
    this.current = undefined;
    if (conn) conn.close();
    this.startConnecting();
    return promise;
  }

  /**
   * Closes for good (e.g. on logout): a normal close (1000), no reconnect, every timer and host
   * listener released. With `forgetCursors`, the stored cursors of the user are deleted too.
   * Resolves when the gateway answered the close (or after `closeTimeoutMs`).
   */
  close({ forgetCursors = false } = {}) {
    const closed = this.stop('closed by the application');
    if (forgetCursors) this.cursorBook.clear();
    return closed;
  }

  /**
   * Holds a channel: subscribes it (now, or with the next connection) and keeps it subscribed
   * across reconnects until every holder released it. Returns the release function (idempotent).
   * A channel released by its last holder is unsubscribed and its cursor forgotten: holding it
   * again starts live.
   * @param {string} name 'user' | 'feed'
   */
  subscribe(name, { types } = {}) {
    if (typeof name !== 'string' || !name) throw new TypeError('a channel needs a name');
    const hold = this.holds.get(name);
    if (hold) {
      hold.count++;
    } else {
      this.holds.set(name, { count: 1, types });
      const conn = this.current;
      if (conn) conn.subscribe(name, { types, cursor: this.cursorBook.get(name) });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(name);
    };
  }

  /** The cursor `channel` would resume from now, or undefined. */
  cursor(channel) {
    return this.cursorBook.get(channel);
  }

  /** Every channel's cursor. */
  cursors() {
    return this.cursorBook.all();
  }

  /** The channels held now. */
  channels() {
    return [...this.holds.keys()];
  }

  /** Counters for monitoring. */
  stats() {
    return {
      state: this._state,
      offlineReason: this.offlineReason,
      userId: this.userId,
      cursors: this.cursorBook.all(),
      ...this.counters,
      eventsDelivered: this.delivery.delivered,
      duplicatesDropped: this.delivery.duplicates,
      peerEvents: this.delivery.fromPeers,
      lastEventAt: this.delivery.lastEventAt,
    };
  }

  // ---- states ----

  whenConnected() {
    if (this._state === ConnectionState.CONNECTED) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  setState(next) {
    if (this._state === next) return;
    this._state = next;
    if (next === ConnectionState.CONNECTED) {
      const waiters = this.waiters.splice(0);
      for (const w of waiters) w.resolve();
    } else if (next === ConnectionState.CLOSED) {
      const waiters = this.waiters.splice(0);
      for (const w of waiters) w.reject(new Error('the client closed before connecting'));
    }
    this.emitter.emit('state', next);
  }

  startConnecting() {
    this.backoff.reset();
    this.renewedAtOnce = false;
    if (this.network && !this.network.isOnline()) {
      this.goOffline('network');
      return;
    }
    this.offlineReason = undefined;
    this.setState(this.everConnected ? ConnectionState.RECONNECTING : ConnectionState.CONNECTING);
    this.attempt();
  }

  /** No connection until the network is back ('network') or the app connects again ('manual'). */
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
    this.timers.clearTimeout(this.retryTimer);
    this.timers.clearTimeout(this.stableTimer);
    this.timers.clearTimeout(this.refreshTimer);
    this.retryTimer = this.stableTimer = this.refreshTimer = undefined;
    this.refreshDueAt = undefined;
    this.counters.connectedSince = undefined;
  }

  stop(why) {
    if (this._state === ConnectionState.CLOSED) return this.closing || Promise.resolve();
    this.invalidate();
    const conn = this.current;
    this.current = undefined;
    this.closing = conn ? conn.close() : Promise.resolve();
    this.detachNetwork();
    this.detachNetwork = noop;
    if (this.crossTab) this.crossTab.close();
    this.offlineReason = undefined;
    this.stopReason = why;
    this.setState(ConnectionState.CLOSED);
    return this.closing;
  }

  // ---- connection attempts ----

  async attempt() {
    this.retryTimer = undefined;
    const generation = ++this.generation;
    this.counters.attempts++;
    let token;
    try {
      token = await this.fetchToken();
    } catch (error) {
      if (generation !== this.generation) return;
      this.reportError('token_failed', `the token provider failed: ${error && error.message || error}`, { cause: error });
      this.retry(Advice.RETRY);
      return;
    }
    if (generation !== this.generation) return;
    const claims = readClaims(token);
    await this.cursorBook.useUser(claims.sub);
    if (generation !== this.generation) return;
    this.userId = claims.sub;
    const conn = new Connection({
      id: generation,
      url: withToken(this.url, token),
      token,
      claims,
      obtainedAt: this.now(),
      WebSocket: this.WebSocketImpl,
      timers: this.timers,
      now: this.now,
      owner: this,
      nextRef: () => String(++this.refCounter),
      connectTimeoutMs: this.settings.connectTimeoutMs,
      pingIntervalMs: this.settings.pingIntervalMs,
      pongTimeoutMs: this.settings.pongTimeoutMs,
      closeTimeoutMs: this.settings.closeTimeoutMs,
    });
    this.current = conn;
    const channels = new Map();
    for (const [name, hold] of this.holds) channels.set(name, { types: hold.types, cursor: this.cursorBook.get(name) });
    conn.open(channels);
  }

  /** Asks the token source, bounded by the connect timeout. */
  fetchToken() {
    return new Promise((resolve, reject) => {
      const timer = this.timers.setTimeout(
        () => reject(new Error(`no token within ${this.settings.connectTimeoutMs} ms`)), this.settings.connectTimeoutMs);
      Promise.resolve()
        .then(() => (typeof this.tokenSource === 'function' ? this.tokenSource() : this.tokenSource))
        .then((value) => {
          if (typeof value !== 'string' || value.trim() === '') throw new Error('the token provider returned no token');
          return value;
        })
        .then(resolve, reject)
        .finally(() => this.timers.clearTimeout(timer));
    });
  }

  /** Either closes for good or waits out the backoff (none for a first token renewal) and retries. */
  proceed(advice, why) {
    if (this._state === ConnectionState.CLOSED) return;
    if (advice === Advice.TERMINAL) {
      this.stop(why);
      return;
    }
    if (this._state === ConnectionState.CONNECTED) this.setState(ConnectionState.RECONNECTING);
    this.retry(advice);
  }

  retry(advice) {
    let delay;
    if (advice === Advice.RENEW_TOKEN && !this.renewedAtOnce) {
      this.renewedAtOnce = true;
      delay = 0;
    } else {
      delay = this.backoff.next();
    }
    const generation = this.generation;
    this.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.timers.setTimeout(() => {
      if (generation === this.generation) this.attempt();
    }, delay);
  }

  // ---- Connection owner callbacks ----

  isCurrent(conn) {
    return this.current === conn && this._state !== ConnectionState.CLOSED;
  }

  ready(conn) {
    if (!this.isCurrent(conn)) return;
    this.renewedAtOnce = false;
    this.counters.connects++;
    if (this.everConnected) this.counters.reconnects++;
    this.everConnected = true;
    this.counters.connectedSince = this.now();
    this.timers.clearTimeout(this.stableTimer);
    this.stableTimer = this.timers.setTimeout(() => {
      if (this.isCurrent(conn)) this.backoff.reset();
    }, this.settings.stableAfterMs);
    this.scheduleRefresh(conn);
    this.setState(ConnectionState.CONNECTED);
  }

  openFailed(conn, why) {
    if (!this.isCurrent(conn)) return;
    this.current = undefined;
    this.reportError('connect_failed', `cannot connect to ${this.url}: ${why}`);
    // A browser cannot see the HTTP status of a refused upgrade; an expired token is the one
    // refusal it can predict, and a fresh token cures it at once.
    const expired = conn.claims.expMs !== undefined && conn.claims.expMs <= this.now();
    this.proceed(expired ? Advice.RENEW_TOKEN : Advice.RETRY, why);
  }

  lost(conn, code, reason) {
    if (!this.isCurrent(conn)) return;
    this.dropCurrent();
    this.reportError('disconnected', `connection closed with ${code}${reason ? ` (${reason})` : ''}`, { closeCode: code });
    this.proceed(adviceForClose(code), `close code ${code} ${reason}`);
  }

  subscribeRefused(conn, channel, code, message, hadCursor) {
    if (!this.isCurrent(conn)) return;
    this.reportError('subscribe_refused', `subscribe to ${channel} refused: ${code} ${message}`, { code, channel });
    if (code === 'bad_request' && hadCursor) {
      // A stored cursor the gateway cannot read (an older format, a damaged storage): a browser
      // would stay closed for good with it. Forget it and subscribe live; `subscribed` then says
      // recovered:false, so the app knows to reload its state.
      this.cursorBook.forget(channel);
      const hold = this.holds.get(channel);
      if (hold) conn.subscribe(channel, { types: hold.types });
      return;
    }
    const advice = adviceForError(code);
    if (advice !== Advice.TERMINAL) {
      conn.abort();
      this.dropCurrent();
    }
    this.proceed(advice, `subscribe to ${channel} refused: ${code} ${message}`);
  }

  subscribed(conn, frame) {
    if (!this.isCurrent(conn)) return;
    this.cursorBook.subscribed(frame.channel, frame.recovered === true, frame.cursor);
    this.emitter.emit('subscribed', { channel: frame.channel, recovered: frame.recovered === true, cursor: frame.cursor });
  }

  snapshot(conn, frame) {
    if (!this.isCurrent(conn)) return;
    const channel = typeof frame.channel === 'string' ? frame.channel : 'user';
    this.counters.snapshots++;
    this.emitter.emit('snapshot', { channel, cursor: frame.cursor, data: frame.data ?? {} });
    this.cursorBook.snapshotHandled(channel, frame.cursor);
  }

  event(conn, frame) {
    if (!this.isCurrent(conn)) return;
    const event = {
      channel: frame.channel, id: frame.id, type: frame.type, cursor: frame.cursor,
      ts: typeof frame.ts === 'number' ? frame.ts : undefined, data: frame.data ?? {},
    };
    if (this.delivery.socket(event) && this.crossTab) this.crossTab.share(this.userId, event);
  }

  serverError(conn, frame) {
    if (!this.isCurrent(conn)) return;
    this.reportError('server_error', `${frame.code}: ${frame.message ?? ''}`, { code: frame.code });
  }

  badFrame(conn, why) {
    if (!this.isCurrent(conn)) return;
    this.reportError('bad_frame', why);
  }

  tick(conn) {
    if (this.isCurrent(conn)) this.maybeRefresh();
  }

  refreshed(conn) {
    if (!this.isCurrent(conn)) return;
    conn.refreshing = false;
    this.scheduleRefresh(conn);
  }

  refreshRefused(conn, code, message) {
    if (!this.isCurrent(conn)) return;
    conn.refreshing = false;
    this.reportError('refresh_refused', `token refresh refused: ${code} ${message}`, { code });
    if (adviceForError(code) !== Advice.TERMINAL) this.refreshLater(conn);
  }

  dropCurrent() {
    this.current = undefined;
    this.timers.clearTimeout(this.stableTimer);
    this.timers.clearTimeout(this.refreshTimer);
    this.stableTimer = this.refreshTimer = undefined;
    this.refreshDueAt = undefined;
    this.counters.connectedSince = undefined;
  }

  // ---- token refresh ----

  scheduleRefresh(conn) {
    this.timers.clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    this.refreshDueAt = undefined;
    const at = refreshAt(conn.claims, conn.obtainedAt, this.settings.refreshFraction);
    if (at !== undefined) this.refreshIn(conn, at - this.now());
  }

  refreshIn(conn, delay) {
    const wait = Math.max(delay, this.settings.minRefreshDelayMs);
    this.refreshDueAt = this.now() + wait;
    this.timers.clearTimeout(this.refreshTimer);
    // The timer may fire late in a background tab; the heartbeat tick and wake() also check the
    // (wall-clock) due time.
    this.refreshTimer = this.timers.setTimeout(() => this.maybeRefresh(), wait);
  }

  /** If the current token's refresh is due, fetch a fresh one and send it with `auth`. */
  maybeRefresh() {
    const conn = this.current;
    if (!conn || !conn.ready || conn.refreshing || this.refreshDueAt === undefined) return;
    if (this.now() < this.refreshDueAt) return;
    conn.refreshing = true;
    this.refreshDueAt = undefined;
    this.fetchToken().then((token) => {
      if (!this.isCurrent(conn)) return;
      if (token === conn.token) {
        conn.refreshing = false;
        this.refreshLater(conn);
      } else if (!conn.refresh(token, readClaims(token), this.now())) {
        conn.refreshing = false;
      }
    }, (error) => {
      if (!this.isCurrent(conn)) return;
      conn.refreshing = false;
      this.reportError('token_failed', `the token provider failed on refresh: ${error && error.message || error}`, { cause: error });
      this.refreshLater(conn);
    });
  }

  /** Tries again halfway to the current token's expiry, if that is still ahead. */
  refreshLater(conn) {
    if (conn.claims.expMs === undefined) return;
    const left = conn.claims.expMs - this.now();
    if (left > 0) this.refreshIn(conn, left / 2);
  }

  // ---- host: network, wake-ups, other tabs ----

  attachHost() {
    if (this.network) {
      this.detachNetwork = this.network.subscribe((signal) => this.onNetwork(signal)) || noop;
    }
    if (this.crossTab) {
      this.crossTab.open(() => this.userId, (event) => {
        if (this._state !== ConnectionState.CLOSED && this.holds.has(event.channel)) this.delivery.peer(event);
      });
    }
  }

  onNetwork(signal) {
    const state = this._state;
    if (state === ConnectionState.CLOSED || state === ConnectionState.IDLE) return;
    if (signal === 'offline') {
      if (state !== ConnectionState.OFFLINE) this.goOffline('network');
    } else if (signal === 'online') {
      if (state === ConnectionState.OFFLINE && this.offlineReason === 'network') this.startConnecting();
      else if (this.current) this.current.wake(); // a network change without 'offline' may have killed the socket
    } else if (signal === 'wake') {
      if (this.current) {
        this.current.wake();
        this.maybeRefresh();
      } else if (this.retryTimer !== undefined) {
        // the backoff timer may be throttled while hidden: try now
        this.timers.clearTimeout(this.retryTimer);
        this.attempt();
      }
    }
  }

  release(name) {
    const hold = this.holds.get(name);
    if (!hold) return;
    hold.count--;
    if (hold.count > 0) return;
    this.holds.delete(name);
    this.cursorBook.forget(name);
    if (this.current) this.current.unsubscribe(name);
  }

  reportError(kind, message, extra = {}) {
    this.emitter.emit('error', { kind, message, ...extra });
  }
}

function normalizeUrl(url) {
  if (typeof url !== 'string' || url === '') throw new TypeError('url is required, e.g. wss://host/v1/realtime');
  if (/^https?:\/\//i.test(url)) return url.replace(/^http/i, 'ws');
  if (!/^wss?:\/\//i.test(url)) throw new TypeError(`url must start with ws://, wss://, http:// or https://, was ${url}`);
  return url;
}

/** The endpoint with the `token` query parameter (browsers cannot set an Authorization header on a WebSocket). */
export function withToken(url, token) {
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}
