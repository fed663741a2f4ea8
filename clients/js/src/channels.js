import { adviceForError, Advice } from './codes.js';
import { presenceMapOf, syncDiff, syncState } from './presence.js';
import { RecentIds } from './recent-ids.js';

/**
 * @import {
 *   Broadcast, ChannelOptions, ChannelStateName, PresenceChange, PresenceMap, Timers,
 * } from '../types/index.js'
 * @import { Report } from './client.js'
 * @import { Frame } from './connection.js'
 */

/**
 * A ready connection as the channels see it: sends a request built for a fresh ref, returns the ref.
 * @typedef {{request: (frame: (ref: string) => Request) => string}} Link
 */

/**
 * A request frame.
 * @typedef {{op: string, ref: string, [field: string]: unknown}} Request
 */

/** The channel ops a gateway answers with (docs/PROTOCOL.md); routed to the channel they name. */
export const CHANNEL_OPS = new Set(['joined', 'left', 'broadcast', 'broadcast_ack', 'tracked', 'untracked',
  'presence_diff']);

/** Delay before a join refused with a retryable code (`rate_limited`, `internal`) is sent again. */
const JOIN_RETRY_MS = 1000;

/**
 * The client's broadcast and presence channels and the connection they talk through (the Java
 * client's `BroadcastChannels`): joins (and re-tracks) every wanted channel on each ready
 * connection, routes channel frames and errors, and drops broadcasts already seen (by channel and id).
 */
export class Channels {
  /**
   * @param {object} o
   * @param {Timers} o.timers
   * @param {number} o.timeoutMs how long an acknowledged broadcast, a track or a leave waits for its answer
   * @param {number} o.dedupCapacity
   * @param {Report} o.report tells the `error` listeners (refused joins, throwing listeners)
   */
  constructor(o) {
    this.timers = o.timers;
    this.timeoutMs = o.timeoutMs;
    this.report = o.report;
    this.recent = new RecentIds(o.dedupCapacity);
    /** @type {(name: string, error: unknown) => void} */
    this.listenerFailed = (name, error) => o.report('listener_failed', `a ${name} listener threw: ${error}`, { cause: error });
    /** @type {Map<string, RealtimeChannel>} */
    this.byName = new Map();
    /** @type {Link | undefined} */
    this.link = undefined;
  }

  /**
   * The channel called `name`, created on first use.
   * @param {string} name
   * @param {ChannelOptions} [options]
   * @returns {RealtimeChannel}
   */
  channel(name, options = {}) {
    if (typeof name !== 'string' || !name.trim()) throw new TypeError('a channel needs a name');
    const wanted = { self: Boolean(options.self), ack: Boolean(options.ack) };
    let channel = this.byName.get(name);
    if (!channel) {
      channel = new RealtimeChannel(name, wanted, this);
      this.byName.set(name, channel);
    } else if (options.self !== undefined || options.ack !== undefined) {
      if (channel.options.self !== wanted.self || channel.options.ack !== wanted.ack) {
        throw new TypeError(`channel ${name} is already in use with ${JSON.stringify(channel.options)}`);
      }
    }
    return channel;
  }

  /**
   * Whether a broadcast is new (and remembers it).
   * @param {Broadcast} broadcast
   */
  firstSeen(broadcast) {
    const key = `${broadcast.channel}\u0000${broadcast.id}`;
    if (this.recent.get(key) !== undefined) return false;
    this.recent.set(key, 'socket');
    return true;
  }

  /** @param {Link} link a connection became ready */
  attached(link) {
    this.link = link;
    for (const channel of this.byName.values()) channel.attached(link);
  }

  /** The connection ended: requests in flight fail, joined channels wait for the next connection. */
  detached() {
    if (!this.link) return;
    this.link = undefined;
    for (const channel of this.byName.values()) channel.detached();
  }

  /** The client closed for good. */
  closed() {
    this.link = undefined;
    for (const channel of this.byName.values()) channel.closed();
  }

  /** @param {Frame} frame a channel op */
  received(frame) {
    const channel = typeof frame.channel === 'string' ? this.byName.get(frame.channel) : undefined;
    if (channel) channel.received(frame);
  }

  /**
   * An error frame with a ref; true if it answered one of the channels' requests.
   * @param {Frame} frame
   */
  error(frame) {
    for (const channel of this.byName.values()) if (channel.error(frame)) return true;
    return false;
  }
}

/**
 * A broadcast and presence channel (`room:lobby`, `call:<id>`, `item:video:<id>`): messages between
 * clients, and who is on it. Get one with `client.channel(name, {self, ack})`. Same rules as the
 * Java client's `BroadcastChannel`: joined again on every new connection until `leave()`, the last
 * tracked meta tracked again, the rejoin's state compared with the one held (so `onPresence` hears
 * who came and went meanwhile), broadcasts de-duplicated by id, nothing queued while offline.
 */
export class RealtimeChannel {
  /**
   * @param {string} name
   * @param {Required<ChannelOptions>} options
   * @param {Channels} owner
   */
  constructor(name, options, owner) {
    /** The channel's name. */
    this.name = name;
    /** How it is joined: `self` (receive own broadcasts), `ack` (acknowledged broadcasts). */
    this.options = Object.freeze(options);
    /** @private */
    this.owner = owner;
    /** @private @type {ChannelStateName} */
    this.current = 'left';
    /** @private @type {PresenceMap} */
    this.presenceMap = Object.freeze({});
    /** @private @type {Set<{event: string, handler: (b: Broadcast) => void}>} */
    this.handlers = new Set();
    /** @private @type {Set<(change: PresenceChange) => void>} */
    this.presenceListeners = new Set();
    /** @private */
    this.wanted = false;
    /** @private */
    this.holders = 0;
    /** @private @type {object | undefined} */
    this.meta = undefined;
    /** @private @type {string | undefined} */
    this.joinRef = undefined;
    /** @private @type {Array<{resolve: (p: PresenceMap) => void, reject: (e: Error) => void}>} */
    this.joinWaiters = [];
    /** @private @type {Array<{resolve: () => void, reject: (e: Error) => void}>} */
    this.trackWaiters = [];
    /** @private @type {Map<string, {resolve: (id: string | undefined) => void, reject: (e: Error) => void, timer: unknown}>} */
    this.pending = new Map();
  }

  /**
   * `left`, `joining` (waiting for a connection or the gateway's answer), `joined`, or `refused`
   * (the gateway refused the join for good, e.g. `forbidden`).
   * @returns {ChannelStateName}
   */
  get state() {
    return this.current;
  }

  /**
   * Who is on the channel: user id → tracked connections `[{ref, meta}]` (empty before joining).
   * A new object on every change.
   * @returns {PresenceMap}
   */
  get presence() {
    return this.presenceMap;
  }

  /**
   * Calls `handler` with each broadcast of `event` (`'*'`: every event). Returns the remover.
   * @param {string} event
   * @param {(broadcast: Broadcast) => void} handler
   * @returns {() => void}
   */
  onBroadcast(event, handler) {
    if (typeof handler !== 'function') throw new TypeError('handler must be a function');
    const entry = { event, handler };
    this.handlers.add(entry);
    return () => { this.handlers.delete(entry); };
  }

  /**
   * Calls `listener` with each change of who is on the channel (the first: the state on join).
   * Returns the remover.
   * @param {(change: PresenceChange) => void} listener
   * @returns {() => void}
   */
  onPresence(listener) {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const entry = (/** @type {PresenceChange} */ change) => listener(change);
    this.presenceListeners.add(entry);
    return () => { this.presenceListeners.delete(entry); };
  }

  /**
   * Joins, now if connected, else once connected, and again after every reconnect until `leave()`.
   * Resolves with the presence state once joined; rejects if the gateway refuses, on `leave()` or
   * when the client closes. Does not settle while the gateway stays unreachable: bound the wait.
   * @returns {Promise<PresenceMap>}
   */
  join() {
    if (this.current === 'joined') return Promise.resolve(this.presenceMap);
    this.wanted = true;
    const promise = new Promise((/** @type {(p: PresenceMap) => void} */ resolve, reject) => {
      this.joinWaiters.push({ resolve, reject });
    });
    if (this.current !== 'joining') {
      this.current = 'joining';
      if (this.owner.link) this.sendJoin(this.owner.link);
    }
    return promise;
  }

  /**
   * Joins while held (the React hooks' way): the first holder joins, the last release leaves.
   * Returns the release function (idempotent). Rejections of the join are reported as `error`s.
   * @returns {() => void}
   */
  hold() {
    this.holders++;
    if (this.holders === 1) this.join().catch(() => {}); // refusals reach the error listeners
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders--;
      if (this.holders === 0) this.leave().catch(() => {});
    };
  }

  /**
   * Leaves: untracks, stops rejoining, forgets the presence (listeners see everyone leave).
   * Resolves when the gateway confirmed, at once if not joined.
   * @returns {Promise<void>}
   */
  leave() {
    this.wanted = false;
    this.meta = undefined;
    this.rejectAll(this.trackWaiters, `left ${this.name}`);
    this.rejectAll(this.joinWaiters, `left ${this.name} before it was joined`);
    const joined = this.current === 'joined' || this.joinRef !== undefined;
    this.current = 'left';
    this.joinRef = undefined;
    this.emit(syncState(this.presenceMap, {}), false);
    const link = this.owner.link;
    if (joined && link) return this.request(link, 'left', (ref) => ({ op: 'leave', ref, channel: this.name })).then(() => {});
    return Promise.resolve();
  }

  /**
   * Sends `payload` (an object) as `event` to everyone on the channel (and to this client with
   * `self`). With `ack`: resolves with the message id once the gateway took it; without: resolves
   * (undefined) once sent. Rejects if not joined on a live connection, if the gateway refuses
   * (`rate_limited`, `payload_too_large`, …), or if the connection ends before the ack.
   * @param {string} event
   * @param {object} [payload]
   * @returns {Promise<string | undefined>}
   */
  broadcast(event, payload = {}) {
    if (typeof event !== 'string' || !event.trim()) return Promise.reject(new TypeError('event must not be blank'));
    if (!isObject(payload)) return Promise.reject(new TypeError('payload must be an object'));
    const link = this.owner.link;
    if (this.current !== 'joined' || !link) {
      return Promise.reject(new Error(`cannot broadcast on ${this.name}: not joined (${this.current})`));
    }
    /** @param {string} ref */
    const frame = (ref) => ({ op: 'broadcast', ref, channel: this.name, event, payload });
    if (this.options.ack) return this.request(link, 'broadcast_ack', frame);
    link.request(frame);
    return Promise.resolve(undefined);
  }

  /**
   * Tracks this connection with `meta` (an object), replacing what it tracked before; tracked again
   * after every reconnect until `untrack()` or `leave()`. Resolves when the gateway confirmed (if
   * the channel is still joining: once joined and tracked); rejects if the channel is neither joined
   * nor joining, or the gateway refuses (`too_many_presences`, `rate_limited`, …).
   * @param {object} meta
   * @returns {Promise<void>}
   */
  track(meta) {
    if (!isObject(meta)) return Promise.reject(new TypeError('meta must be an object'));
    if (!this.wanted) return Promise.reject(new Error(`join ${this.name} before tracking`));
    this.meta = meta;
    const link = this.owner.link;
    if (this.current === 'joined' && link) return this.sendTrack(link, meta);
    return new Promise((resolve, reject) => this.trackWaiters.push({ resolve, reject }));
  }

  /**
   * Stops tracking this connection; resolves when the gateway confirmed, at once if not tracked.
   * @returns {Promise<void>}
   */
  untrack() {
    const was = this.meta !== undefined;
    this.meta = undefined;
    this.rejectAll(this.trackWaiters, 'untracked');
    const link = this.owner.link;
    if (was && this.current === 'joined' && link) {
      return this.request(link, 'untracked', (ref) => ({ op: 'untrack', ref, channel: this.name })).then(() => {});
    }
    return Promise.resolve();
  }

  // ---- from Channels ----

  /**
   * A connection is ready (from {@link Channels}; not for the application).
   * @param {Link} link
   */
  attached(link) {
    if (this.wanted && this.current !== 'joined') {
      this.current = 'joining';
      this.sendJoin(link);
    }
  }

  /** The connection ended (from {@link Channels}; not for the application). */
  detached() {
    this.joinRef = undefined;
    if (this.current === 'joined') this.current = 'joining';
    this.failPending('the connection ended before the gateway answered (a broadcast may still have gone out)');
  }

  /** The client closed (from {@link Channels}; not for the application). */
  closed() {
    this.wanted = false;
    this.current = 'left';
    this.joinRef = undefined;
    this.rejectAll(this.joinWaiters, 'the client is closed');
    this.rejectAll(this.trackWaiters, 'the client is closed');
    this.failPending('the client is closed');
  }

  /**
   * A frame about this channel (from {@link Channels}; not for the application).
   * @param {Frame} frame
   */
  received(frame) {
    switch (frame.op) {
      case 'joined':
        if (this.joinRef === undefined || frame.ref !== this.joinRef) return;
        this.joinRef = undefined;
        this.current = 'joined';
        if (frame.presence !== undefined) this.replacePresence(presenceMapOf(frame.presence));
        if (this.meta !== undefined) {
          const waiters = this.trackWaiters.splice(0);
          const link = this.owner.link;
          if (link) {
            this.sendTrack(link, this.meta).then(() => waiters.forEach((w) => w.resolve()),
              (error) => waiters.forEach((w) => w.reject(error)));
          }
        }
        for (const w of this.joinWaiters.splice(0)) w.resolve(this.presenceMap);
        return;
      case 'broadcast': {
        if (this.current !== 'joined' || typeof frame.id !== 'string' || typeof frame.event !== 'string') return;
        /** @type {Broadcast} */
        const broadcast = {
          channel: this.name, id: frame.id, event: frame.event,
          from: typeof frame.from === 'string' ? frame.from : '',
          payload: isObject(frame.payload) ? frame.payload : {},
        };
        if (!this.owner.firstSeen(broadcast)) return;
        for (const entry of [...this.handlers]) {
          if (entry.event !== '*' && entry.event !== broadcast.event) continue;
          try {
            entry.handler(broadcast);
          } catch (error) {
            this.owner.listenerFailed('broadcast', error);
          }
        }
        return;
      }
      case 'broadcast_ack':
        this.settle(frame.ref, typeof frame.id === 'string' ? frame.id : undefined);
        return;
      case 'tracked':
      case 'untracked':
      case 'left':
        this.settle(frame.ref, undefined);
        return;
      case 'presence_diff':
        if (this.current === 'joined') {
          this.emit(syncDiff(this.presenceMap, presenceMapOf(frame.joins), presenceMapOf(frame.leaves)), false);
        }
        return;
      default:
    }
  }

  /**
   * An error frame; true if it answered this channel's request (from {@link Channels}).
   * @param {Frame} frame
   * @returns {boolean}
   */
  error(frame) {
    const error = new Error(`${this.name}: ${frame.code}: ${frame.message ?? ''}`);
    Object.assign(error, { code: frame.code });
    if (this.joinRef !== undefined && frame.ref === this.joinRef) {
      this.joinRef = undefined;
      this.owner.report('join_refused', error.message, { code: String(frame.code), channel: this.name });
      if (adviceForError(String(frame.code)) === Advice.TERMINAL) {
        this.wanted = false;
        this.current = 'refused';
        this.rejectAll(this.trackWaiters, error.message);
        this.rejectAll(this.joinWaiters, error.message);
      } else {
        this.owner.timers.setTimeout(() => {
          if (this.owner.link) this.attached(this.owner.link);
        }, JOIN_RETRY_MS);
      }
      return true;
    }
    const waiting = typeof frame.ref === 'string' ? this.pending.get(frame.ref) : undefined;
    if (!waiting) return false;
    this.pending.delete(/** @type {string} */ (frame.ref));
    this.owner.timers.clearTimeout(waiting.timer);
    waiting.reject(error);
    return true;
  }

  // ---- internals ----

  /**
   * @private
   * @param {Link} link
   */
  sendJoin(link) {
    this.joinRef = link.request((ref) => ({ op: 'join', ref, channel: this.name, self: this.options.self, ack: this.options.ack }));
  }

  /**
   * @private
   * @param {Link} link
   * @param {object} meta
   * @returns {Promise<void>}
   */
  sendTrack(link, meta) {
    return this.request(link, 'tracked', (ref) => ({ op: 'track', ref, channel: this.name, meta })).then(() => {});
  }

  /**
   * Sends a request whose answer (or error) settles the promise, bounded by the timeout.
   * @private
   * @param {Link} link
   * @param {string} answer
   * @param {(ref: string) => Request} frame
   * @returns {Promise<string | undefined>}
   */
  request(link, answer, frame) {
    return new Promise((resolve, reject) => {
      const ref = link.request(frame);
      const timer = this.owner.timers.setTimeout(() => {
        if (this.pending.delete(ref)) reject(new Error(`${this.name}: no ${answer} within ${this.owner.timeoutMs} ms`));
      }, this.owner.timeoutMs);
      this.pending.set(ref, { resolve, reject, timer });
    });
  }

  /**
   * @private
   * @param {unknown} ref
   * @param {string | undefined} value
   */
  settle(ref, value) {
    const waiting = typeof ref === 'string' ? this.pending.get(ref) : undefined;
    if (!waiting) return;
    this.pending.delete(/** @type {string} */ (ref));
    this.owner.timers.clearTimeout(waiting.timer);
    waiting.resolve(value);
  }

  /**
   * @private
   * @param {string} why
   */
  failPending(why) {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const w of all) {
      this.owner.timers.clearTimeout(w.timer);
      w.reject(new Error(`${this.name}: ${why}`));
    }
  }

  /**
   * @private
   * @param {Array<{reject: (e: Error) => void}>} waiters
   * @param {string} why
   */
  rejectAll(waiters, why) {
    for (const w of waiters.splice(0)) w.reject(new Error(why.startsWith(this.name) ? why : `${this.name}: ${why}`));
  }

  /**
   * @private
   * @param {PresenceMap} next
   */
  replacePresence(next) {
    this.emit(syncState(this.presenceMap, next), true);
  }

  /**
   * @private
   * @param {{state: PresenceMap, joins: PresenceMap, leaves: PresenceMap}} t
   * @param {boolean} always
   */
  emit(t, always) {
    this.presenceMap = Object.freeze(t.state);
    if (!always && !Object.keys(t.joins).length && !Object.keys(t.leaves).length) return;
    /** @type {PresenceChange} */
    const change = { channel: this.name, state: this.presenceMap, joins: t.joins, leaves: t.leaves };
    for (const listener of [...this.presenceListeners]) {
      try {
        listener(change);
      } catch (error) {
        this.owner.listenerFailed('presence', error);
      }
    }
  }
}

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isObject(value) {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}
