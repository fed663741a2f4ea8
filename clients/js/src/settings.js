/**
 * The client's options, checked and completed once at construction (the Java client's
 * `ClientSettings`): every default in one place, the host's adapters resolved (see
 * `environment.js`). Frozen: the other parts only read it.
 */
import {
  defaultBroadcast, defaultNetwork, defaultNow, defaultStorage, defaultTimers, defaultWebSocket, hasLocalStorage,
} from './environment.js';

/**
 * @import {
 *   BroadcastLike, ChannelName, ChannelSpec, ClientOptions, CursorStorage, NetworkAdapter, Timers, TokenSource,
 * } from '../types/index.js'
 */

/**
 * @typedef {object} Host what the client takes from its host (injectable for tests and React Native)
 * @property {(new (url: string) => WebSocket) | undefined} WebSocket the option's or the host's; else
 *   the `ws` package is imported on the first connect (see `loadWebSocket`)
 * @property {Timers} timers
 * @property {() => number} now wall clock, ms
 * @property {() => number} random uniform in [0, 1)
 * @property {NetworkAdapter | null} network
 * @property {CursorStorage | null} storage where cursors persist, or nowhere
 * @property {((name: string) => BroadcastLike) | null} broadcast opens a BroadcastChannel, or no sharing
 */

/**
 * The options as the parts read them (see `ClientOptions` for their meaning).
 * @typedef {object} Settings
 * @property {string} url ws:// or wss://
 * @property {TokenSource} token
 * @property {Array<ChannelName | ChannelSpec>} channels
 * @property {Record<string, string>} [cursors]
 * @property {{baseMs: number, capMs: number}} backoff
 * @property {number} stableAfterMs
 * @property {number} connectTimeoutMs
 * @property {number} pingIntervalMs
 * @property {number} pongTimeoutMs
 * @property {number} closeTimeoutMs
 * @property {number} dedupCapacity
 * @property {number} refreshFraction
 * @property {number} minRefreshDelayMs
 * @property {string[]} crossTabTypes
 * @property {string} crossTabName
 * @property {string} storageKey
 * @property {boolean} initialState
 * @property {Host} host
 */

/** @type {Readonly<Omit<Settings, 'url' | 'token' | 'cursors' | 'host'>>} */
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
  initialState: false,
});

/** Why `persistCursors: true` cannot work on this host, and the fix. */
export const NO_STORAGE = 'persistCursors: true needs a storage and this host has no localStorage: pass one as the '
  + "storage option, e.g. fileCursorStorage('tidewire-cursors.json') from '@tidewire/client/node' (Node.js) "
  + 'or AsyncStorage (React Native)';

/**
 * The settings of `options`; throws a TypeError for a missing url or token, or for
 * `persistCursors: true` on a host without localStorage and no `storage`. (The parts built from
 * them check the rest: `Backoff` the delays, `RecentIds` the capacity, the client the channels.)
 * @param {ClientOptions} options
 * @returns {Readonly<Settings>}
 */
export function settingsOf(options) {
  if (!options || typeof options !== 'object') throw new TypeError('options are required');
  const url = normalizeUrl(options.url);
  if (typeof options.token !== 'string' && typeof options.token !== 'function') {
    throw new TypeError('token must be a string or a function returning one (or a promise of one)');
  }
  if (options.persistCursors && options.storage === undefined && !hasLocalStorage()) throw new TypeError(NO_STORAGE);
  /** @type {Host} */
  const host = {
    WebSocket: options.WebSocket || defaultWebSocket(),
    timers: options.timers || defaultTimers,
    now: options.now || defaultNow,
    random: options.random || Math.random,
    network: options.network === undefined ? defaultNetwork() : options.network,
    storage: options.storage !== undefined ? options.storage
      : (options.persistCursors ? defaultStorage() : null),
    broadcast: options.crossTab === false ? null
      : (options.broadcast !== undefined ? options.broadcast : defaultBroadcast()),
  };
  const backoff = { ...DEFAULTS.backoff, ...(options.backoff || {}) };
  return Object.freeze({ ...DEFAULTS, ...options, url, backoff, host });
}

/**
 * @param {unknown} url
 * @returns {string}
 */
function normalizeUrl(url) {
  if (typeof url !== 'string' || url === '') throw new TypeError('url is required, e.g. wss://host/v1/realtime');
  if (/^https?:\/\//i.test(url)) return url.replace(/^http/i, 'ws');
  if (!/^wss?:\/\//i.test(url)) throw new TypeError(`url must start with ws://, wss://, http:// or https://, was ${url}`);
  return url;
}

/**
 * The endpoint with the `token` query parameter (browsers cannot set an Authorization header on a WebSocket).
 * @param {string} url
 * @param {string} token
 * @returns {string}
 */
export function withToken(url, token) {
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}
