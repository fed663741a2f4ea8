/**
 * What the client takes from its host, each replaceable through the client's options (tests inject
 * fakes; React Native passes a network adapter built on NetInfo/AppState). Defaults use only what
 * exists: in a browser all of them; in React Native WebSocket and timers (no BroadcastChannel, no
 * localStorage, no window events: those features turn themselves off).
 */

/** @import { BroadcastLike, CursorStorage, NetworkAdapter, NetworkSignal, Timers } from '../types/index.js' */

/**
 * Timers and clocks. `now` is wall-clock time: it keeps running while a tab sleeps or the machine suspends.
 * @type {Timers}
 */
export const defaultTimers = Object.freeze({
  setTimeout: (/** @type {() => void} */ fn, /** @type {number} */ ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (/** @type {any} */ id) => globalThis.clearTimeout(id),
});

export const defaultNow = () => Date.now();

/**
 * `localStorage` if this host has a usable one (private modes may throw on access), else null.
 * @returns {CursorStorage | null}
 */
export function defaultStorage() {
  try {
    const storage = globalThis.localStorage;
    if (storage && typeof storage.getItem === 'function') return storage;
  } catch {
    // SecurityError in sandboxed frames
  }
  return null;
}

/**
 * A network adapter: `isOnline()` and `subscribe(listener)` → unsubscribe function, where the
 * listener gets `'online'`, `'offline'` or `'wake'` (the page became visible again, or the app came
 * to the foreground: a good moment to check the connection at once, since timers may have been
 * throttled or frozen meanwhile).
 *
 * The browser default listens to window `online`/`offline` and document `visibilitychange`;
 * without those (React Native, Node) it reports always-online and never calls back.
 * @returns {NetworkAdapter}
 */
export function defaultNetwork() {
  const target = globalThis;
  const hasEvents = typeof target.addEventListener === 'function' && typeof target.removeEventListener === 'function';
  return {
    isOnline() {
      const nav = target.navigator;
      return !(nav && nav.onLine === false);
    },
    subscribe(listener) {
      if (!hasEvents) return () => {};
      const online = () => listener('online');
      const offline = () => listener('offline');
      const doc = target.document;
      const visibility = () => {
        if (doc && doc.visibilityState === 'visible') listener('wake');
      };
      target.addEventListener('online', online);
      target.addEventListener('offline', offline);
      if (doc && typeof doc.addEventListener === 'function') doc.addEventListener('visibilitychange', visibility);
      return () => {
        target.removeEventListener('online', online);
        target.removeEventListener('offline', offline);
        if (doc && typeof doc.removeEventListener === 'function') doc.removeEventListener('visibilitychange', visibility);
      };
    },
  };
}

/**
 * A BroadcastChannel factory if this host has them, else null (no cross-tab sharing).
 * @returns {((name: string) => BroadcastLike) | null}
 */
export function defaultBroadcast() {
  const BC = globalThis.BroadcastChannel;
  return typeof BC === 'function' ? (name) => new BC(name) : null;
}

/** @typedef {new (url: string) => WebSocket} WebSocketConstructor */

/**
 * The host's global WebSocket, if it has one (browsers, React Native, Node.js 22+).
 * @returns {WebSocketConstructor | undefined}
 */
export function defaultWebSocket() {
  const WS = globalThis.WebSocket;
  return typeof WS === 'function' ? WS : undefined;
}

/** Why a client without a WebSocket cannot connect, and the fix. */
export const NO_WEBSOCKET = 'no WebSocket implementation: this runtime has no global WebSocket '
  + '(Node.js 20 and 21 have none) and the optional peer dependency ws is not installed; '
  + 'install it (npm install ws) or pass a WebSocket constructor as the WebSocket option';

/**
 * The host's WebSocket, else the `ws` package (an optional peer dependency, for Node.js 20 and
 * 21), imported on first use; rejects with {@link NO_WEBSOCKET} when there is neither.
 * @param {(specifier: string) => Promise<any>} [importer] how to import a package (tests)
 * @returns {Promise<WebSocketConstructor>}
 */
export async function loadWebSocket(importer = (specifier) => import(/* webpackIgnore: true */ /* @vite-ignore */ specifier)) {
  const global = defaultWebSocket();
  if (global) return global;
  const specifier = 'ws'; // a variable: bundlers for browsers must not try to bundle it
  let module;
  try {
    module = await importer(specifier);
  } catch {
    throw new Error(NO_WEBSOCKET);
  }
  const WS = module && (module.WebSocket || module.default);
  if (typeof WS !== 'function') throw new Error(NO_WEBSOCKET);
  return WS;
}

/**
 * Whether this host has a `localStorage` at all (it may still be unusable, e.g. in a sandboxed frame).
 * @returns {boolean}
 */
export function hasLocalStorage() {
  try {
    return globalThis.localStorage !== undefined;
  } catch {
    return true; // it exists, but access is forbidden
  }
}
