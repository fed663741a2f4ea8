import { Backoff } from './backoff.js';
import { Channels } from './channels.js';
import { ConnectionState } from './connection-state.js';
import { CrossTab } from './cross-tab.js';
import { CursorBook } from './cursors.js';
import { Delivery } from './delivery.js';
import { Emitter } from './emitter.js';
import { settingsOf } from './settings.js';
import { Supervisor } from './supervisor.js';

/**
 * @import {
 *   ChannelName, ChannelOptions, ClientErrorKind, ClientEvents, ClientOptions, ClientStats, ConnectionStateName,
 * } from '../types/index.js'
 * @import { RealtimeChannel } from './channels.js'
 */

/** @typedef {{count: number, types?: string[]}} Hold a held channel: how many holders, which types */
/** @typedef {(kind: ClientErrorKind, message: string, extra?: object) => void} Report tells the `error` listeners */

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
 *
 * The public API and the parts' wiring; the lifecycle is the {@link Supervisor}'s, one socket's
 * protocol the `Connection`'s, what reaches the application the {@link Delivery}'s.
 */
export class TidewireClient {
  /** @param {ClientOptions} options */
  constructor(options) {
    const settings = settingsOf(options);
    const { host } = settings;
    /** @private */
    this.settings = settings;
    const crossTab = host.broadcast ? new CrossTab(host.broadcast, settings.crossTabName, settings.crossTabTypes,
      (error) => this.report('broadcast_failed', `cross-tab sharing failed: ${error}`, { cause: error })) : undefined;
    /** @private */
    this.crossTab = crossTab;
    const backoff = new Backoff(settings.backoff.baseMs, settings.backoff.capMs, host.random);
    /** @private */
    this.emitter = new Emitter((name, error) => {
      if (name !== 'error') this.report('listener_failed', `a ${name} listener threw: ${error}`, { cause: error });
    });
    /** @private */
    this.cursorBook = new CursorBook({
      initial: settings.cursors || {},
      storage: host.storage,
      keyPrefix: settings.storageKey,
      onStorageError: (error) => this.report('storage_failed', `cursor storage failed: ${error}`, { cause: error }),
    });
    /** @private */
    this.delivery = new Delivery({
      capacity: settings.dedupCapacity, cursors: this.cursorBook, emitter: this.emitter, now: host.now,
      share: (event) => {
        if (crossTab) crossTab.share(this.supervisor.userId, event);
      },
    });
    /** @private @type {Map<string, Hold>} channel name → holders */
    this.holds = new Map();
    for (const channel of settings.channels) {
      const spec = typeof channel === 'string' ? { name: channel } : channel;
      if (!spec || typeof spec.name !== 'string' || !spec.name) throw new TypeError('a channel needs a name');
      this.holds.set(spec.name, { count: 1, types: spec.types });
    }
    /** @private */
    this.realtimeChannels = new Channels({
      timers: host.timers, timeoutMs: settings.connectTimeoutMs, dedupCapacity: settings.dedupCapacity,
      report: (kind, message, extra) => this.report(kind, message, extra),
    });
    /** @private */
    this.supervisor = new Supervisor({
      settings, backoff, cursors: this.cursorBook, holds: this.holds, delivery: this.delivery,
      channels: this.realtimeChannels, emitter: this.emitter,
      report: (kind, message, extra) => this.report(kind, message, extra),
      onStarted: () => this.openCrossTab(),
      onStopped: () => {
        if (crossTab) crossTab.close();
      },
    });
  }

  /**
   * The endpoint (an http(s) URL turned into ws(s)).
   * @returns {string}
   */
  get url() {
    return this.settings.url;
  }

  /**
   * The current state, one of {@link ConnectionState}.
   * @returns {ConnectionStateName}
   */
  get state() {
    return this.supervisor.state;
  }

  /** Whether the client is connected with every held channel confirmed. */
  get isConnected() {
    return this.supervisor.state === ConnectionState.CONNECTED;
  }

  /**
   * The token's `sub`, once a token was obtained.
   * @returns {string | undefined}
   */
  get userId() {
    return this.supervisor.userId;
  }

  /**
   * Listens to `event` (each event once, `(event) => …`), `state` (`(state) => …`), `snapshot`,
   * `subscribed` or `error`. Returns a function that removes the listener.
   * @template {keyof ClientEvents} K
   * @param {K} name
   * @param {(value: ClientEvents[K]) => void} listener
   * @returns {() => void}
   */
  on(name, listener) {
    return this.emitter.on(name, listener);
  }

  /**
   * Starts (or, after `disconnect()`, resumes) connecting. Resolves when connected; rejects if the
   * client closes first. While the gateway is unreachable it does not settle: bound the wait.
   * @returns {Promise<void>}
   */
  connect() {
    return this.supervisor.connect();
  }

  /**
   * Drops the connection on purpose and stays `offline` until `connect()` or `reconnect()`. Cursors,
   * de-duplication and cross-tab sharing are kept: a later `connect()` catches up on what was missed.
   */
  disconnect() {
    this.supervisor.disconnect();
  }

  /**
   * Drops the current connection (if any) and connects again at once, with a fresh token.
   * @returns {Promise<void>}
   */
  reconnect() {
    return this.supervisor.reconnect();
  }

  /**
   * Closes for good (e.g. on logout): a normal close (1000), no reconnect, every timer and host
   * listener released. With `forgetCursors`, the stored cursors of the user are deleted too.
   * Resolves when the gateway answered the close (or after `closeTimeoutMs`).
   * @param {{forgetCursors?: boolean}} [options]
   * @returns {Promise<void>}
   */
  close({ forgetCursors = false } = {}) {
    const closed = this.supervisor.stop('closed by the application');
    if (forgetCursors) this.cursorBook.clear();
    return closed;
  }

  /**
   * Holds a channel: subscribes it (now, or with the next connection) and keeps it subscribed
   * across reconnects until every holder released it. Returns the release function (idempotent).
   * A channel released by its last holder is unsubscribed and its cursor forgotten: holding it
   * again starts live.
   * @param {ChannelName} name 'user' | 'feed'
   * @param {{types?: string[]}} [options]
   * @returns {() => void}
   */
  subscribe(name, { types } = {}) {
    if (typeof name !== 'string' || !name) throw new TypeError('a channel needs a name');
    const hold = this.holds.get(name);
    if (hold) {
      hold.count++;
    } else {
      this.holds.set(name, { count: 1, types });
      this.supervisor.subscribe(name, types);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(name);
    };
  }

  /**
   * The broadcast and presence channel `name` (e.g. `room:lobby`, `call:<id>`, `item:video:<id>`),
   * created on first use; the same object on every call. `options` (`self`: receive own broadcasts,
   * `ack`: acknowledged broadcasts) are fixed by the first call that gives them.
   * @param {string} name
   * @param {ChannelOptions} [options]
   * @returns {RealtimeChannel}
   */
  channel(name, options) {
    return this.realtimeChannels.channel(name, options);
  }

  /**
   * The cursor `channel` would resume from now, or undefined.
   * @param {ChannelName} channel
   * @returns {string | undefined}
   */
  cursor(channel) {
    return this.cursorBook.get(channel);
  }

  /**
   * Every channel's cursor.
   * @returns {Record<string, string>}
   */
  cursors() {
    return this.cursorBook.all();
  }

  /**
   * The channels held now.
   * @returns {string[]}
   */
  channels() {
    return [...this.holds.keys()];
  }

  /**
   * Counters for monitoring.
   * @returns {ClientStats}
   */
  stats() {
    const { counters } = this.supervisor;
    const delivery = this.delivery;
    return {
      state: this.supervisor.state,
      offlineReason: this.supervisor.offlineReason,
      userId: this.supervisor.userId,
      cursors: this.cursorBook.all(),
      attempts: counters.attempts,
      connects: counters.connects,
      reconnects: counters.reconnects,
      snapshots: delivery.snapshots,
      connectedSince: counters.connectedSince,
      eventsDelivered: delivery.delivered,
      duplicatesDropped: delivery.duplicates,
      peerEvents: delivery.fromPeers,
      lastEventAt: delivery.lastEventAt,
    };
  }

  /**
   * Receives the events of this user that other tabs share, for the channels held.
   * @private
   */
  openCrossTab() {
    if (!this.crossTab) return;
    this.crossTab.open(() => this.supervisor.userId, (event) => {
      if (this.supervisor.state !== ConnectionState.CLOSED && this.holds.has(event.channel)) this.delivery.peer(event);
    });
  }

  /**
   * @private
   * @param {string} name
   */
  release(name) {
    const hold = this.holds.get(name);
    if (!hold) return;
    hold.count--;
    if (hold.count > 0) return;
    this.holds.delete(name);
    this.cursorBook.forget(name);
    this.supervisor.unsubscribe(name);
  }

  /**
   * @private
   * @type {Report}
   */
  report(kind, message, extra = {}) {
    this.emitter.emit('error', { kind, message, ...extra });
  }
}
