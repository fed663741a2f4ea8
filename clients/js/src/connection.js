/**
 * One WebSocket connection's protocol: opens it with a token, subscribes the held channels (each
 * with its cursor), dispatches the gateway's frames to its owner, sends `auth` refreshes and
 * heartbeat pings, and tells the owner when it is ready (every subscription confirmed) or over. It
 * reports its end once, and nothing after it. Mirrors the Java client's `Connection`.
 *
 * Heartbeat: every `pingIntervalMs / 2` a tick compares WALL-CLOCK times, never tick counts —
 * browsers throttle timers in background tabs (down to one per minute) and freeze them while a
 * machine sleeps. A connection idle for `pingIntervalMs` gets a `ping`; it is declared dead only
 * when a ping sent at least `pongTimeoutMs` ago (by the clock) has had no frame in reply. A late
 * tick therefore never kills a healthy connection, and a silent one is caught on the first tick (or
 * `wake()`) after the pong deadline.
 *
 * Not thread-safe in any sense that matters in JavaScript: everything runs on the event loop.
 */

const OPEN = 1;
const CLOSED = 3;
export const ABNORMAL_CLOSE = 1006;

/**
 * @import { Timers } from '../types/index.js'
 * @import { Claims } from './token.js'
 */
import { CHANNEL_OPS } from './channels.js';

/**
 * A frame from the gateway as parsed: `op` checked, every other field as sent (untrusted).
 * @typedef {{op: string, [field: string]: any}} Frame
 */

/**
 * What a connection tells its owner; every call names the connection, so the owner can ignore one
 * that is no longer its current.
 * @typedef {object} Owner
 * @property {(conn: Connection) => void} ready every subscription confirmed
 * @property {(conn: Connection, why: string) => void} openFailed the connection could not be opened
 * @property {(conn: Connection, code: number, reason: string) => void} lost the open connection ended
 * @property {(conn: Connection, channel: string, code: string, message: string, hadCursor: boolean) => void} subscribeRefused
 *   the gateway refused a subscribe; the connection is still open
 * @property {(conn: Connection, frame: Frame) => void} subscribed a subscribe confirmed
 * @property {(conn: Connection, frame: Frame) => void} snapshot
 * @property {(conn: Connection, frame: Frame) => void} event an event with a string channel, id and type
 * @property {(conn: Connection, frame: Frame) => void} channelFrame a broadcast/presence channel op (`channels.js`)
 * @property {(conn: Connection, frame: Frame) => boolean} channelError an `error` with a ref; true if a
 *   channel request waited for it
 * @property {(conn: Connection, frame: Frame) => void} serverError an `error` frame no request waits for
 * @property {(conn: Connection, why: string) => void} badFrame
 * @property {(conn: Connection) => void} tick a heartbeat tick (late in a background tab)
 * @property {(conn: Connection) => void} refreshed the gateway accepted the token sent by `refresh`
 * @property {(conn: Connection, code: string, message: string) => void} refreshRefused the gateway refused it
 */

/**
 * How to subscribe a channel: its type globs, the cursor to resume from, and whether to ask for the
 * user's state (`snapshot: true`, sent only without a cursor: with one the gateway resumes instead).
 * @typedef {{types?: string[], cursor?: string, snapshot?: boolean}} ChannelRequest
 */

export class Connection {
  /**
   * @param {object} o
   * @param {number} o.id attempt number, for messages
   * @param {string} o.url endpoint with the token parameter
   * @param {string} o.token
   * @param {Claims} o.claims readClaims(token)
   * @param {number} o.obtainedAt when the token was obtained (wall clock)
   * @param {new (url: string) => WebSocket} o.WebSocket constructor
   * @param {Timers} o.timers
   * @param {() => number} o.now wall clock, ms
   * @param {Owner} o.owner
   * @param {() => string} o.nextRef request refs, unique per client
   * @param {number} o.connectTimeoutMs
   * @param {number} o.pingIntervalMs 0 disables the heartbeat
   * @param {number} o.pongTimeoutMs
   * @param {number} o.closeTimeoutMs
   */
  constructor(o) {
    this.id = o.id;
    this.url = o.url;
    this.token = o.token;
    this.claims = o.claims;
    this.obtainedAt = o.obtainedAt;
    this.WebSocketImpl = o.WebSocket;
    this.timers = o.timers;
    this.now = o.now;
    this.owner = o.owner;
    this.nextRef = o.nextRef;
    this.connectTimeoutMs = o.connectTimeoutMs;
    this.pingIntervalMs = o.pingIntervalMs;
    this.pongTimeoutMs = o.pongTimeoutMs;
    this.closeTimeoutMs = o.closeTimeoutMs;
    /** @type {WebSocket | undefined} */
    this.socket = undefined;
    this.opened = false;
    this.ready = false;
    this.over = false;
    /** @type {Map<string, ChannelRequest>} held channels to subscribe once open */
    this.initialChannels = new Map();
    /** @type {Map<string, {channel: string, hadCursor: boolean}>} ref → subscribe waiting for its reply */
    this.pendingSubscribes = new Map();
    /** @type {{ref: string, token: string, claims: Claims, obtainedAt: number} | undefined} */
    this.pendingAuth = undefined;
    this.lastInboundAt = o.now();
    /** @type {number | undefined} */
    this.pingSentAt = undefined;
    /** @type {unknown} */
    this.connectTimer = undefined;
    /** @type {unknown} */
    this.tickTimer = undefined;
    /** @type {unknown} */
    this.pongTimer = undefined;
  }

  /**
   * Opens the socket; subscribes `channels` (name → {types?, cursor?}) once open.
   * @param {Map<string, ChannelRequest>} channels
   */
  open(channels) {
    this.initialChannels = channels;
    let socket;
    try {
      socket = new this.WebSocketImpl(this.url);
    } catch (error) {
      this.finish(() => this.owner.openFailed(this, String(/** @type {any} */ (error)?.message || error)));
      return;
    }
    this.socket = socket;
    socket.onopen = () => this.onOpen();
    socket.onmessage = (message) => this.onMessage(message);
    socket.onerror = () => {}; // a close event always follows and carries the code
    socket.onclose = (event) => this.onClose(event);
    this.connectTimer = this.timers.setTimeout(() => this.connectTimedOut(), this.connectTimeoutMs);
  }

  /**
   * Subscribes `channel` on the open connection (a channel held after the connection opened).
   * @param {string} channel
   * @param {ChannelRequest} spec
   */
  subscribe(channel, spec) {
    if (this.over || !this.opened) return; // not open yet: open() subscribes every held channel
    this.sendSubscribe(channel, spec);
  }

  /**
   * Unsubscribes `channel`; a still-pending subscribe of it is forgotten (no reply will come).
   * @param {string} channel
   */
  unsubscribe(channel) {
    if (this.over || !this.opened) return;
    for (const [ref, pending] of this.pendingSubscribes) {
      if (pending.channel === channel) this.pendingSubscribes.delete(ref);
    }
    this.send({ op: 'unsubscribe', ref: this.nextRef(), channel });
    this.checkReady();
  }

  /**
   * Sends `auth` with a fresh token; the outcome arrives as owner.refreshed / owner.refreshRefused.
   * @param {string} token
   * @param {Claims} claims
   * @param {number} obtainedAt
   * @returns {boolean} whether it was sent (false once the connection is over)
   */
  refresh(token, claims, obtainedAt) {
    if (this.over || !this.opened) return false;
    const ref = this.nextRef();
    this.pendingAuth = { ref, token, claims, obtainedAt };
    this.send({ op: 'auth', ref, token });
    return true;
  }

  /**
   * Sends a request (a broadcast channel's) built for a fresh ref; returns the ref.
   * @param {(ref: string) => {op: string, ref: string, [field: string]: unknown}} frame
   * @returns {string}
   */
  request(frame) {
    const ref = this.nextRef();
    if (!this.over && this.opened) this.send(frame(ref));
    return ref;
  }

  /** The host woke up (tab visible again, back online): check the connection now. */
  wake() {
    if (this.over || !this.opened || this.pingIntervalMs <= 0) return;
    const now = this.now();
    if (this.pingOutstanding()) {
      this.checkPong();
    } else if (now - this.lastInboundAt >= 1000) {
      this.ping(now);
    }
  }

  /**
   * Ends the connection from this side with a normal close (1000) without telling the owner.
   * Resolves when the socket closed, or after the close timeout.
   * @returns {Promise<void>}
   */
  close() {
    const socket = this.socket;
    this.end();
    if (!socket) return Promise.resolve();
    return new Promise((/** @type {(value?: undefined) => void} */ resolve) => {
      /** @type {unknown} */
      let timer;
      const done = () => {
        this.timers.clearTimeout(timer);
        resolve();
      };
      timer = this.timers.setTimeout(done, this.closeTimeoutMs);
      socket.onclose = done;
      socket.onmessage = null;
      try {
        socket.close(1000, 'client closed');
      } catch {
        done();
      }
      if (socket.readyState === CLOSED) done();
    });
  }

  /** Ends the connection at once without telling the owner. */
  abort() {
    const socket = this.socket;
    this.end();
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      try {
        socket.close(1000, 'client gave up');
      } catch {
        // already closing
      }
    }
  }

  // ---- socket events ----

  onOpen() {
    if (this.over) return;
    this.opened = true;
    this.lastInboundAt = this.now();
    for (const [channel, spec] of this.initialChannels) this.sendSubscribe(channel, spec);
    this.checkReady();
    if (this.pingIntervalMs > 0) this.scheduleTick();
  }

  /** @param {{data: unknown}} message */
  onMessage(message) {
    if (this.over) return;
    this.lastInboundAt = this.now();
    this.pingSentAt = undefined;
    const text = typeof message.data === 'string' ? message.data : undefined;
    let frame;
    try {
      frame = text === undefined ? undefined : JSON.parse(text);
    } catch {
      frame = undefined;
    }
    if (!frame || typeof frame !== 'object' || typeof frame.op !== 'string') {
      this.owner.badFrame(this, 'unreadable frame from the gateway');
      return;
    }
    switch (frame.op) {
      case 'event':
        if (typeof frame.channel !== 'string' || typeof frame.id !== 'string' || typeof frame.type !== 'string') {
          this.owner.badFrame(this, 'event without channel, id or type');
        } else {
          this.owner.event(this, frame);
        }
        break;
      case 'subscribed':
        this.onSubscribed(frame);
        break;
      case 'snapshot':
        this.owner.snapshot(this, frame);
        break;
      case 'error':
        this.onError(frame);
        break;
      case 'authenticated':
        if (this.pendingAuth && this.pendingAuth.ref === frame.ref) {
          const { token, claims, obtainedAt } = this.pendingAuth;
          this.pendingAuth = undefined;
          this.token = token;
          this.claims = claims;
          this.obtainedAt = obtainedAt;
          this.owner.refreshed(this);
        }
        break;
      default:
        if (CHANNEL_OPS.has(frame.op)) this.owner.channelFrame(this, frame);
        break; // pong, unsubscribed, ops of a newer gateway: the inbound time is all they give
    }
  }

  /** @param {{code?: number, reason?: string}} event */
  onClose(event) {
    if (this.over) return;
    const code = typeof event.code === 'number' && event.code > 0 ? event.code : ABNORMAL_CLOSE;
    const reason = event.reason || '';
    if (!this.opened) {
      this.finish(() => this.owner.openFailed(this, `connection failed (close ${code}${reason ? ' ' + reason : ''})`));
    } else {
      this.finish(() => this.owner.lost(this, code, reason));
    }
  }

  /** @param {Frame} frame */
  onSubscribed(frame) {
    const pending = this.pendingSubscribes.get(frame.ref);
    if (!pending) return; // a reply to a subscribe this connection no longer waits for
    this.pendingSubscribes.delete(frame.ref);
    this.owner.subscribed(this, frame);
    this.checkReady();
  }

  /** @param {Frame} frame */
  onError(frame) {
    if (typeof frame.ref === 'string') {
      const ref = frame.ref;
      const pending = this.pendingSubscribes.get(ref);
      if (pending) {
        this.pendingSubscribes.delete(ref);
        this.owner.subscribeRefused(this, pending.channel, String(frame.code), String(frame.message ?? ''), pending.hadCursor);
        return;
      }
      if (this.pendingAuth && this.pendingAuth.ref === ref) {
        this.pendingAuth = undefined;
        this.owner.refreshRefused(this, String(frame.code), String(frame.message ?? ''));
        return;
      }
      if (this.owner.channelError(this, frame)) return;
    }
    // slow_consumer / token_expired without a ref: the close that follows decides
    this.owner.serverError(this, frame);
  }

  // ---- timers ----

  connectTimedOut() {
    if (this.over || this.ready) return;
    const wasOpen = this.opened;
    this.abort();
    const why = `not connected and subscribed within ${this.connectTimeoutMs} ms`;
    if (wasOpen) this.owner.lost(this, ABNORMAL_CLOSE, why);
    else this.owner.openFailed(this, why);
  }

  scheduleTick() {
    const every = Math.max(250, Math.floor(this.pingIntervalMs / 2));
    this.tickTimer = this.timers.setTimeout(() => {
      if (this.over) return;
      this.tick();
      if (!this.over) this.scheduleTick();
    }, every);
  }

  tick() {
    const now = this.now();
    if (this.pingOutstanding()) {
      this.checkPong();
    } else if (now - this.lastInboundAt >= this.pingIntervalMs) {
      this.ping(now);
    }
    if (!this.over) this.owner.tick(this);
  }

  /** @param {number} now */
  ping(now) {
    this.pingSentAt = now;
    this.send({ op: 'ping', ref: this.nextRef() });
    this.timers.clearTimeout(this.pongTimer);
    this.pongTimer = this.timers.setTimeout(() => this.checkPong(), this.pongTimeoutMs);
  }

  pingOutstanding() {
    return this.pingSentAt !== undefined;
  }

  /** Dead if a ping has waited for any frame at least pongTimeoutMs of wall-clock time. */
  checkPong() {
    if (this.over || !this.pingOutstanding()) return;
    const waited = this.now() - /** @type {number} */ (this.pingSentAt);
    if (waited >= this.pongTimeoutMs) {
      this.abort();
      this.owner.lost(this, ABNORMAL_CLOSE, `no reply to a ping for ${waited} ms`);
    }
  }

  // ---- helpers ----

  /**
   * @param {string} channel
   * @param {ChannelRequest} spec
   */
  sendSubscribe(channel, spec) {
    const ref = this.nextRef();
    /** @type {{op: 'subscribe', ref: string, channel: string, cursor?: string, types?: string[], snapshot?: true}} */
    const frame = { op: 'subscribe', ref, channel };
    if (spec.cursor) frame.cursor = spec.cursor;
    else if (spec.snapshot) frame.snapshot = true;
    if (spec.types && spec.types.length > 0) frame.types = spec.types;
    this.pendingSubscribes.set(ref, { channel, hadCursor: Boolean(spec.cursor) });
    this.send(frame);
  }

  checkReady() {
    if (!this.ready && this.opened && !this.over && this.pendingSubscribes.size === 0) {
      this.ready = true;
      this.timers.clearTimeout(this.connectTimer);
      this.owner.ready(this);
    }
  }

  /** @param {{op: string, ref: string, [field: string]: unknown}} frame */
  send(frame) {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) return;
    try {
      socket.send(JSON.stringify(frame));
    } catch {
      // the close event that follows reports it
    }
  }

  /** @param {() => void} report */
  finish(report) {
    if (this.over) return;
    this.end();
    report();
  }

  end() {
    this.over = true;
    this.timers.clearTimeout(this.connectTimer);
    this.timers.clearTimeout(this.tickTimer);
    this.timers.clearTimeout(this.pongTimer);
  }
}
