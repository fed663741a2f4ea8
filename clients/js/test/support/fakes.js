/**
 * Test doubles: a fake clock (wall clock + timers, with "throttling" — time that passes without
 * timers firing), a scripted WebSocket "server", a network adapter, a BroadcastChannel hub and a
 * storage. No real time passes in any test.
 */
import { TidewireClient } from '../../src/client.js';

/** Lets every pending promise callback run. */
export function flush() {
  return new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock {
  constructor(start = 1_800_000_000_000) {
    this.time = start;
    this.pending = new Map();
    this.seq = 0;
    this.now = () => this.time;
    this.setTimeout = (fn, ms) => {
      const id = ++this.seq;
      this.pending.set(id, { at: this.time + Math.max(0, Number(ms) || 0), fn, id });
      return id;
    };
    this.clearTimeout = (id) => {
      this.pending.delete(id);
    };
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order, flushing promises after each. */
  async advance(ms) {
    const end = this.time + ms;
    await flush();
    for (;;) {
      let next;
      for (const t of this.pending.values()) {
        if (t.at <= end && (!next || t.at < next.at || (t.at === next.at && t.id < next.id))) next = t;
      }
      if (!next) break;
      this.pending.delete(next.id);
      this.time = Math.max(this.time, next.at);
      next.fn();
      await flush();
    }
    this.time = end;
    await flush();
  }

  /**
   * Moves the wall clock forward WITHOUT firing timers — what a background tab or a sleeping laptop
   * sees: the timers fire late, at the next advance().
   */
  jump(ms) {
    this.time += ms;
  }

  /** Delays of the pending timers, from now. */
  delays() {
    return [...this.pending.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }
}

export class FakeServer {
  constructor() {
    this.sockets = [];
    const server = this;
    this.WebSocket = class FakeWebSocket {
      constructor(url) {
        this.url = url;
        this.readyState = 0;
        this.sent = [];
        this.onopen = null;
        this.onmessage = null;
        this.onclose = null;
        this.onerror = null;
        server.sockets.push(this);
      }

      send(text) {
        if (this.readyState !== 1) throw new Error('not open');
        this.sent.push(JSON.parse(text));
      }

      close(code = 1000, reason = '') {
        if (this.readyState >= 2) return;
        this.readyState = 2;
        this.closedByClient = { code, reason };
        // the server answers the close handshake on the next turn
        queueMicrotask(() => {
          this.readyState = 3;
          if (this.onclose) this.onclose({ code, reason, wasClean: true });
        });
      }

      // ---- server side ----

      accept() {
        this.readyState = 1;
        if (this.onopen) this.onopen({});
      }

      /** Sends a frame to the client. */
      push(frame) {
        if (this.onmessage) this.onmessage({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
      }

      /** The server closes with `code`. */
      serverClose(code, reason = '') {
        this.readyState = 3;
        if (this.onclose) this.onclose({ code, reason, wasClean: true });
      }

      /** The upgrade fails (what a browser reports for an HTTP 401 or a refused TCP connection). */
      fail() {
        this.readyState = 3;
        if (this.onerror) this.onerror({});
        if (this.onclose) this.onclose({ code: 1006, reason: '', wasClean: false });
      }

      frames(op) {
        return this.sent.filter((f) => f.op === op);
      }

      /** Answers every unanswered subscribe; `cursorFor(channel, frame)` names the reply's cursor. */
      confirm({ recovered, cursorFor = (channel, f) => f.cursor ?? `${channel}-live` } = {}) {
        this.answered = this.answered || new Set();
        for (const f of this.frames('subscribe')) {
          if (this.answered.has(f.ref)) continue;
          this.answered.add(f.ref);
          this.push({
            op: 'subscribed', ref: f.ref, channel: f.channel,
            recovered: recovered ?? Boolean(f.cursor), cursor: cursorFor(f.channel, f),
          });
        }
      }

      event(channel, id, type, data = {}, cursor = `${channel}-after-${id}`, ts = 1) {
        this.push({ op: 'event', channel, id, type, cursor, ts, data });
      }

      get token() {
        return new URL(this.url).searchParams.get('token');
      }
    };
  }

  last() {
    return this.sockets[this.sockets.length - 1];
  }
}

export class FakeNetwork {
  constructor(online = true) {
    this.online = online;
    this.listeners = new Set();
  }

  isOnline() {
    return this.online;
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  signal(what) {
    if (what === 'online') this.online = true;
    if (what === 'offline') this.online = false;
    for (const l of [...this.listeners]) l(what);
  }
}

/** In-memory BroadcastChannel semantics: delivered to every other open channel of the same name. */
export class BroadcastHub {
  constructor() {
    this.channels = new Set();
    this.factory = (name) => {
      const hub = this;
      const channel = {
        name,
        onmessage: null,
        closed: false,
        postMessage(data) {
          const copy = structuredClone(data);
          for (const other of hub.channels) {
            if (other !== channel && other.name === name && !other.closed && other.onmessage) other.onmessage({ data: copy });
          }
        },
        close() {
          channel.closed = true;
          hub.channels.delete(channel);
        },
      };
      this.channels.add(channel);
      return channel;
    };
  }
}

export class MemoryStorage {
  constructor() {
    this.map = new Map();
  }

  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }

  setItem(key, value) {
    this.map.set(key, String(value));
  }

  removeItem(key) {
    this.map.delete(key);
  }
}

/** A compact JWT (unsigned: the client never verifies) with the given claims. */
export function jwt(claims) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}.c2lnbmF0dXJl`;
}

/** A client wired to fakes; returns it with its clock, server, network and recorded output. */
export function harness(overrides = {}) {
  const clock = overrides.clock || new FakeClock();
  const server = overrides.server || new FakeServer();
  const network = overrides.network || new FakeNetwork();
  const client = new TidewireClient({
    url: 'ws://gateway.test/v1/realtime',
    token: overrides.token || jwt({ sub: 'u1', iat: clock.now() / 1000, exp: clock.now() / 1000 + 3600 }),
    WebSocket: server.WebSocket,
    timers: clock,
    now: clock.now,
    random: () => 0.5,
    network,
    broadcast: null,
    ...overrides.options,
  });
  const states = [];
  const events = [];
  const errors = [];
  client.on('state', (s) => states.push(s));
  client.on('event', (e) => events.push(e));
  client.on('error', (e) => errors.push(e));
  return { client, clock, server, network, states, events, errors };
}
