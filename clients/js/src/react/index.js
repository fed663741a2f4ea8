/**
 * React bindings for @tidewire/client: a provider and the hooks of the seed app's screens
 * (`useRealtime`, `useGenerationProgress`, `useTrainingProgress`, `useCreditUpdates`,
 * `useFeedUpdates`, `useRealtimeNotifications`), and of its collaboration features on broadcast and
 * presence channels (`usePresence`, `useTypingIndicator`, `useBroadcast`). React >= 18 is a peer
 * dependency.
 *
 * No DOM API is used here (React Native works the same): the hooks read a {@link RealtimeStore}
 * with `useSyncExternalStore`, and hold the channel they need while mounted — the feed channel is
 * subscribed only while a feed hook is mounted, and unsubscribed when the last one unmounts.
 */
import {
  createContext, createElement, useCallback, useContext, useEffect, useMemo, useRef, useState,
  useSyncExternalStore,
} from 'react';
import { TidewireClient } from '../client.js';
import { RealtimeStore, contentKey } from '../store.js';

/**
 * @import { ReactNode } from 'react'
 * @import {
 *   ConnectionStateName, GenerationJob, RealtimeState, TidewireClient as Client, RealtimeStore as Store, TidewireEvent, TokenSource,
 *   TrainingJob, Broadcast, PresenceMap, RealtimeChannel, Timers,
 * } from '../../types/index.js'
 * @import { OnlineUser, TidewireProviderProps, TypingOptions } from '../../types/react.js'
 */

/**
 * What the hooks share; they use the client's and the store's public API only.
 * @typedef {{client: Client | null, store: Store | null}} Tidewire
 */

const TidewireContext = createContext(/** @type {Tidewire | null} */ (null));
const noop = () => {};
const noSubscription = () => noop;
/** @type {() => ConnectionStateName} */
const idle = () => 'idle';

/**
 * Provides a client (and the store folded from its events) to the hooks below.
 *
 * Either pass a `client` you own (create it at login, `client.close()` at logout), or `url` +
 * `token` (a string, or a function returning a token or a promise of one) and the provider creates,
 * connects and closes its own client. `connect` (default true) connects on mount. The provider's own
 * client asks for the user's state on a fresh subscribe (`initialState: true`, unless `options`
 * say otherwise), so the hooks show balance and running jobs at once; give a client you own the
 * same option.
 * @param {TidewireProviderProps} props
 * @returns {ReactNode}
 */
export function TidewireProvider({ client, url, token, options, storeOptions, connect = true, children }) {
  const [owned, setOwned] = useState(/** @type {Client | null} */ (null));
  const tokenRef = useRef(token);
  tokenRef.current = token;
  const tokenKey = typeof token === 'string' ? token : null;

  useEffect(() => {
    if (client || !url) return undefined;
    const created = new TidewireClient({
      initialState: true,
      ...options,
      url,
      token: () => {
        const current = /** @type {TokenSource} */ (tokenRef.current); // props with a url have a token
        return typeof current === 'function' ? current() : current;
      },
    });
    setOwned(created);
    return () => {
      created.close();
      setOwned((current) => (current === created ? null : current));
    };
    // options are read once per client: pass a new url (or key the provider) to change them
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [client, url, tokenKey]);

  const active = client || owned;
  const store = useMemo(() => (active ? new RealtimeStore(active, storeOptions) : null), [active]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!store) return undefined;
    const detach = store.attach();
    if (connect && active) active.connect().catch(noop);
    return detach;
  }, [store, active, connect]);

  const value = useMemo(() => ({ client: active, store }), [active, store]);
  return createElement(TidewireContext.Provider, { value }, children);
}

/**
 * The provider's `{ client, store }` (both null until an owned client exists).
 * @returns {Tidewire}
 */
export function useTidewire() {
  const value = useContext(TidewireContext);
  if (value === null) throw new Error('Tidewire hooks need a <TidewireProvider> above them');
  return value;
}

/** Connection status: `{ isConnected, state, reconnect, disconnect, connect, client }`. */
export function useRealtime() {
  const { client } = useTidewire();
  const subscribe = useCallback((/** @type {() => void} */ onChange) => (client ? client.on('state', onChange) : noop), [client]);
  /** @type {() => ConnectionStateName} */
  const getState = () => (client ? client.state : 'idle');
  const state = useSyncExternalStore(subscribe, getState, idle);
  const reconnect = useCallback(() => (client ? client.reconnect().catch(noop) : Promise.resolve()), [client]);
  const disconnect = useCallback(() => (client ? client.disconnect() : undefined), [client]);
  const connect = useCallback(() => (client ? client.connect().catch(noop) : Promise.resolve()), [client]);
  return { isConnected: state === 'connected', state, reconnect, disconnect, connect, client };
}

/**
 * The latest state of a generation job: `{ progress, isLoading }` where `progress` is the last
 * `generation.progress` data (`{ jobId, kind, status, progress, error?, resultUrl?, updatedAt }`)
 * or null, and `isLoading` is true while a job id is given and nothing is known about it yet.
 */
/** @param {string | null | undefined} jobId */
export function useGenerationProgress(jobId) {
  return useJob(selectGenerationJobs, jobId);
}

/**
 * The latest state of a training job: `{ progress, isLoading }`, `progress` being the last
 * `training.progress` data (`{ jobId, status, step, totalSteps, progress, error?, modelId?, updatedAt }`).
 */
/** @param {string | null | undefined} jobId */
export function useTrainingProgress(jobId) {
  return useJob(selectTrainingJobs, jobId);
}

/**
 * The credit balance: `{ balance, latestUpdate }`. `balance` is the last known balance (from a
 * `credits.updated`, a snapshot, or another tab), else `initialBalance`, else null: the gateway sends
 * changes, so pass the balance your app loaded. `latestUpdate` is `{ id, ts, balance, delta,
 * transactionId?, reason?, fromOtherTab? }` or null.
 * @param {number | null} [initialBalance]
 */
export function useCreditUpdates(initialBalance) {
  const { client, store } = useTidewire();
  useHold(client, 'user');
  const balance = useSelect(store, selectBalance, null);
  const latestUpdate = useSelect(store, selectLatestCredit, null);
  return { balance: balance ?? (typeof initialBalance === 'number' ? initialBalance : null), latestUpdate };
}

/**
 * The public feed while mounted: `{ updates, latestUpdate, counts, removed, clear }`. `updates` are
 * the recent feed events, newest first (`{ id, type, ts, key, data }`); `counts` maps
 * `contentType:contentId` to `{ likes, comments }`; `removed` maps it to the removal reason.
 */
export function useFeedUpdates() {
  const { client, store } = useTidewire();
  useHold(client, 'feed');
  const feed = useSelect(store, selectFeed, EMPTY_FEED);
  const clear = useCallback(() => store && store.clearFeedUpdates(), [store]);
  return { updates: feed.updates, latestUpdate: feed.latestUpdate, counts: feed.counts, removed: feed.removed, clear };
}

/**
 * Live like/comment counts of one feed item: `{ likes, comments }`, or null until the first `feed.counts`.
 * @param {string} contentType
 * @param {string} contentId
 */
export function useContentCounts(contentType, contentId) {
  const { client, store } = useTidewire();
  useHold(client, 'feed');
  const key = contentKey(contentType, contentId);
  const select = useCallback((/** @type {RealtimeState} */ s) => s.feed.counts[key] ?? null, [key]);
  return useSelect(store, select, null);
}

/**
 * Notifications, newest first: `{ notifications, unreadCount, markRead(id), markAllRead(), clear() }`;
 * each notification is `{ id, kind, title, body, refs, ts, read }`.
 */
export function useRealtimeNotifications() {
  const { client, store } = useTidewire();
  useHold(client, 'user');
  const notifications = useSelect(store, selectNotifications, EMPTY_LIST);
  const unreadCount = useSelect(store, selectUnread, 0);
  const markRead = useCallback((/** @type {string} */ id) => store && store.markNotificationRead(id), [store]);
  const markAllRead = useCallback(() => store && store.markAllNotificationsRead(), [store]);
  const clear = useCallback(() => store && store.clearNotifications(), [store]);
  return { notifications, unreadCount, markRead, markAllRead, clear };
}

/**
 * Calls `handler(event)` for every event whose type equals `type` (or ends with `.*` and matches the
 * prefix), while mounted — for event types without a dedicated hook, e.g. `row.orders`. Holds
 * `channel` (default `user`).
 * @param {string} type
 * @param {(event: TidewireEvent) => void} handler
 * @param {{channel?: string}} [options]
 */
export function useRealtimeEvent(type, handler, { channel = 'user' } = {}) {
  const { client } = useTidewire();
  useHold(client, channel);
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  useEffect(() => {
    if (!client) return undefined;
    /** @type {(t: string) => boolean} */
    const matches = type.endsWith('.*') ? (t) => t.startsWith(type.slice(0, -1)) : (t) => t === type;
    return client.on('event', (event) => {
      if (event.channel === channel && matches(event.type)) handlerRef.current(event);
    });
  }, [client, type, channel]);
}

/**
 * Who is on broadcast channel `channel` (e.g. `room:lobby`), live: one entry per user online, with
 * the meta of the user's first tracked connection. Joins the channel while mounted (shared with
 * other hooks of the same channel); with `meta` (an object), tracks this client with it — tracked
 * again when its JSON changes, untracked on unmount. Components that track the same channel with
 * different metas overwrite each other: track in one place.
 * @param {string | null | undefined} channel
 * @param {Record<string, any> | null} [meta]
 * @returns {OnlineUser[]}
 */
export function usePresence(channel, meta) {
  const room = useChannel(channel);
  const metaKey = meta ? JSON.stringify(meta) : null;
  useEffect(() => {
    if (!room || metaKey === null) return undefined;
    room.track(JSON.parse(metaKey)).catch(noop); // refusals reach the client's error listeners
    return () => {
      room.untrack().catch(noop);
    };
  }, [room, metaKey]);
  const subscribe = useCallback((/** @type {() => void} */ changed) => (room ? room.onPresence(changed) : noop), [room]);
  const get = () => (room ? room.presence : NOBODY);
  const presence = useSyncExternalStore(subscribe, get, get);
  return useMemo(() => Object.entries(presence).map(([userId, connections]) => (
    { userId, meta: connections[0].meta, connections })), [presence]);
}

/**
 * Who is typing on broadcast channel `channel` (e.g. `item:video:<id>` under a content item's
 * comments), and the functions to say that this user is. `notifyTyping(extra?)` — call it on every
 * keystroke — sends a `typing` broadcast (`{typing: true, ...extra}`) at most once per `sendEveryMs`
 * (default 2000), and `{typing: false}` after `idleMs` without a call (default 3000) or on
 * `stopTyping()` (call it when the comment is sent). Others are shown from their `typing: true` until
 * `typing: false` or for `expireMs` after their last one (default 5000, longer than `sendEveryMs`, so
 * a steady typist never flickers; a client that vanished never stays "typing"). Joins the channel
 * while mounted; own broadcasts never show (unless the channel was joined with `self`).
 * @param {string | null | undefined} channel
 * @param {TypingOptions} [options]
 * @returns {{typing: string[], notifyTyping: (extra?: Record<string, any>) => void, stopTyping: () => void}}
 */
export function useTypingIndicator(channel, options = {}) {
  const { event = 'typing', sendEveryMs = 2000, idleMs = 3000, expireMs = 5000 } = options;
  const timers = options.timers || defaultTimers;
  const now = options.now || Date.now;
  const room = useChannel(channel);
  const [typing, setTyping] = useState(/** @type {Readonly<Record<string, number>>} */ ({}));
  const mine = useRef({ lastSent: 0, idle: /** @type {unknown} */ (undefined) });

  useEffect(() => {
    if (!room) return undefined;
    setTyping({});
    return room.onBroadcast(event, (b) => {
      setTyping((current) => {
        const next = { ...current };
        if (b.payload.typing === false) delete next[b.from];
        else next[b.from] = now() + expireMs;
        return next;
      });
    });
  }, [room, event, expireMs]); // eslint-disable-line react-hooks/exhaustive-deps

  // drop the expired ones at the earliest expiry
  useEffect(() => {
    const times = Object.values(typing);
    if (!times.length) return undefined;
    const timer = timers.setTimeout(() => {
      const t = now();
      setTyping((current) => Object.fromEntries(Object.entries(current).filter(([, until]) => until > t)));
    }, Math.max(0, Math.min(...times) - now()));
    return () => timers.clearTimeout(timer);
  }, [typing]); // eslint-disable-line react-hooks/exhaustive-deps

  const stopTyping = useCallback(() => {
    const state = mine.current;
    timers.clearTimeout(state.idle);
    state.idle = undefined;
    if (state.lastSent && room) room.broadcast(event, { typing: false }).catch(noop);
    state.lastSent = 0;
  }, [room, event]); // eslint-disable-line react-hooks/exhaustive-deps

  const notifyTyping = useCallback((/** @type {Record<string, any> | undefined} */ extra) => {
    if (!room) return;
    const state = mine.current;
    const t = now();
    if (t - state.lastSent >= sendEveryMs && room.state === 'joined') { // not joined yet: the next keystroke sends
      state.lastSent = t;
      room.broadcast(event, { ...extra, typing: true }).catch(noop);
    }
    timers.clearTimeout(state.idle);
    state.idle = timers.setTimeout(stopTyping, idleMs);
  }, [room, event, sendEveryMs, idleMs, stopTyping]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => () => timers.clearTimeout(mine.current.idle), [room]); // eslint-disable-line react-hooks/exhaustive-deps

  const names = useMemo(() => Object.keys(typing), [typing]);
  return { typing: names, notifyTyping, stopTyping };
}

/**
 * Calls `handler(broadcast)` for every broadcast of `event` (`'*'`: every event) on broadcast
 * channel `channel`, while mounted (joining the channel meanwhile); returns `send(payload)`, which
 * broadcasts `event` there (resolves with the message id if the channel was joined with `ack`;
 * rejects if not joined yet or refused).
 * @param {string | null | undefined} channel
 * @param {string} event
 * @param {(broadcast: Broadcast) => void} [handler]
 * @returns {(payload?: Record<string, any>) => Promise<string | undefined>}
 */
export function useBroadcast(channel, event, handler) {
  const room = useChannel(channel);
  const handlerRef = useRef(handler);
  handlerRef.current = handler;
  useEffect(() => (room ? room.onBroadcast(event, (b) => {
    if (handlerRef.current) handlerRef.current(b);
  }) : undefined), [room, event]);
  return useCallback((/** @type {Record<string, any> | undefined} */ payload) => (room
    ? room.broadcast(event, payload)
    : Promise.reject(new Error('no Tidewire client'))), [room, event]);
}

// ---- internals ----

/** @type {PresenceMap} */
const NOBODY = Object.freeze({});
/** @type {Timers} */
const defaultTimers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (id) => globalThis.clearTimeout(/** @type {any} */ (id)),
};

/**
 * The broadcast channel `name` of the provider's client, held (joined) while mounted.
 * @param {string | null | undefined} name
 * @returns {RealtimeChannel | null}
 */
function useChannel(name) {
  const { client } = useTidewire();
  const room = useMemo(() => (client && name ? client.channel(name) : null), [client, name]);
  useEffect(() => (room ? room.hold() : undefined), [room]);
  return room;
}

/** @type {RealtimeState['notifications']} */
const EMPTY_LIST = Object.freeze([]);
/** @type {RealtimeState['feed']} */
const EMPTY_FEED = Object.freeze({ updates: Object.freeze([]), latestUpdate: null, counts: Object.freeze({}), removed: Object.freeze({}) });
/** @param {RealtimeState} s */
const selectGenerationJobs = (s) => s.generationJobs;
/** @param {RealtimeState} s */
const selectTrainingJobs = (s) => s.trainingJobs;
/** @param {RealtimeState} s */
const selectBalance = (s) => s.balance;
/** @param {RealtimeState} s */
const selectLatestCredit = (s) => s.latestCreditUpdate;
/** @param {RealtimeState} s */
const selectFeed = (s) => s.feed;
/** @param {RealtimeState} s */
const selectNotifications = (s) => s.notifications;
/** @param {RealtimeState} s */
const selectUnread = (s) => s.unreadCount;

/**
 * @template {GenerationJob | TrainingJob} J
 * @param {(state: RealtimeState) => Readonly<Record<string, J>>} jobs
 * @param {string | null | undefined} jobId
 * @returns {{progress: J | null, isLoading: boolean}}
 */
function useJob(jobs, jobId) {
  const { client, store } = useTidewire();
  useHold(client, 'user');
  const select = useCallback((/** @type {RealtimeState} */ s) => (jobId ? jobs(s)[jobId] ?? null : null), [jobs, jobId]);
  const progress = useSelect(store, select, null);
  return { progress, isLoading: Boolean(jobId) && progress === null };
}

/**
 * Holds `channel` on `client` while mounted.
 * @param {Client | null} client
 * @param {string} channel
 */
function useHold(client, channel) {
  useEffect(() => (client ? client.subscribe(channel) : undefined), [client, channel]);
}

/**
 * `select(store.getState())`, re-rendering when it changes (by reference).
 * @template T
 * @param {Store | null} store
 * @param {(state: RealtimeState) => T} select
 * @param {T} fallback
 * @returns {T}
 */
function useSelect(store, select, fallback) {
  const subscribe = store ? store.subscribe : noSubscription;
  const get = () => (store ? select(store.getState()) : fallback);
  return useSyncExternalStore(subscribe, get, get);
}
