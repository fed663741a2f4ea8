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

/** @returns {new (url: string) => WebSocket} */
export function defaultWebSocket() {
  return globalThis.WebSocket;
}
