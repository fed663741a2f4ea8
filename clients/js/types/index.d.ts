// Types of @tidewire/client (hand-written; the sources are plain JavaScript ES modules).

/** The client's connection states. `idle` is only the state before `connect()`. */
export type ConnectionStateName = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';

export declare const ConnectionState: Readonly<{
  IDLE: 'idle';
  CONNECTING: 'connecting';
  CONNECTED: 'connected';
  RECONNECTING: 'reconnecting';
  OFFLINE: 'offline';
  CLOSED: 'closed';
}>;

/** `user` (your own events) or `feed` (public events); `user:<your id>` is an alias of `user`. */
export type ChannelName = 'user' | 'feed' | (string & {});

export interface ChannelSpec {
  name: ChannelName;
  /** Type globs, e.g. `['generation.*']`; all types when absent. */
  types?: string[];
}

// ---- event payloads (docs/EVENTS.md) ----

export type JobStatus = 'waiting' | 'active' | 'completed' | 'failed';

export interface GenerationProgress {
  jobId: string;
  kind: 'image' | 'video';
  status: JobStatus;
  /** 0..100 */
  progress: number;
  error?: string;
  resultUrl?: string;
}

export interface TrainingProgress {
  jobId: string;
  status: JobStatus;
  step: number;
  /** 0 = unknown */
  totalSteps: number;
  /** 0..100 (100 once completed) */
  progress: number;
  error?: string;
  modelId?: string;
}

export interface CreditsUpdated {
  /** balance after the change */
  balance: number;
  /** after - before (negative when spent) */
  delta: number;
  transactionId?: string;
  reason?: string;
}

export type NotificationKind = 'like' | 'comment' | 'generation_completed' | 'generation_failed' | 'model_ready';

export interface NotificationData {
  /** equal to the event id: the mark-as-read key */
  id: string;
  kind: NotificationKind | (string & {});
  title: string;
  body: string;
  refs: Record<string, string>;
}

export type ContentType = 'video' | 'image' | (string & {});

export interface ContentPublished {
  contentType: ContentType;
  contentId: string;
  userId: string;
  url?: string;
  caption?: string;
  /** epoch ms */
  createdAt?: number;
}

export interface FeedCounts {
  contentType: ContentType;
  contentId: string;
  likes: number;
  comments: number;
}

export interface ContentRemoved {
  contentType: ContentType;
  contentId: string;
  reason: 'deleted' | 'private' | (string & {});
}

export interface EventDataByType {
  'generation.progress': GenerationProgress;
  'training.progress': TrainingProgress;
  'credits.updated': CreditsUpdated;
  notification: NotificationData;
  'feed.content_published': ContentPublished;
  'feed.counts': FeedCounts;
  'feed.content_removed': ContentRemoved;
}

/** One event, delivered once per `(channel, id)`. */
export type TidewireEvent = {
  [T in keyof EventDataByType]: BaseEvent<T, EventDataByType[T]>;
}[keyof EventDataByType] | BaseEvent<string, Record<string, unknown>>;

export interface BaseEvent<T extends string, D> {
  channel: ChannelName;
  /** deterministic id: a redelivered change keeps it */
  id: string;
  type: T;
  /** position right after this event; undefined for an event shared by another tab */
  cursor?: string;
  /** epoch ms of the PostgreSQL commit */
  ts?: number;
  data: D;
  /** set when another tab of the same user received it first (BroadcastChannel) */
  fromOtherTab?: true;
}

export interface SnapshotJob {
  jobId: string;
  kind: 'generation' | 'training';
  generationKind?: 'image' | 'video';
  status: JobStatus;
  progress: number;
  step?: number;
  totalSteps?: number;
  updatedAt: number;
}

/**
 * The user's state (user channel only), before any event of the subscription: sent when the gateway
 * could not resume from the cursor, and on a subscribe without a cursor under `initialState`.
 */
export interface Snapshot {
  channel: ChannelName;
  cursor?: string;
  data: { userId?: string; balance?: number; activeJobs?: SnapshotJob[]; updatedAt?: number; [k: string]: unknown };
}

export interface Subscribed {
  channel: ChannelName;
  /** false: the cursor was absent or unusable; delivery starts at `cursor` (reload state for the feed) */
  recovered: boolean;
  cursor?: string;
}

export type ClientErrorKind =
  | 'connect_failed' | 'disconnected' | 'subscribe_refused' | 'server_error' | 'token_failed'
  | 'refresh_refused' | 'bad_frame' | 'listener_failed' | 'storage_failed' | 'broadcast_failed'
  | 'join_refused';

export interface ClientError {
  kind: ClientErrorKind;
  message: string;
  /** error code of the gateway, e.g. `rate_limited` */
  code?: string;
  /** WebSocket close code, for `disconnected` */
  closeCode?: number;
  channel?: string;
  cause?: unknown;
}

// ---- host adapters (inject for tests or React Native) ----

export type NetworkSignal = 'online' | 'offline' | 'wake';

export interface NetworkAdapter {
  isOnline(): boolean;
  /** Calls `listener` on changes; returns the function that stops it. */
  subscribe(listener: (signal: NetworkSignal) => void): () => void;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(id: unknown): void;
}

/** localStorage, AsyncStorage, or anything alike (sync or async). */
export interface CursorStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): void | Promise<void>;
  removeItem(key: string): void | Promise<void>;
}

export interface BroadcastLike {
  postMessage(message: unknown): void;
  close(): void;
  onmessage: ((event: MessageEvent) => void) | null;
}

export type TokenSource = string | (() => string | Promise<string>);

export interface ClientOptions {
  /** `wss://host/v1/realtime` (http(s) URLs are turned into ws(s)) */
  url: string;
  /** A token, or a function asked for one on every connection attempt and refresh. */
  token: TokenSource;
  /** Channels held for the client's lifetime; default `['user']`. Hooks hold more on demand. */
  channels?: Array<ChannelName | ChannelSpec>;
  /** Cursors to resume from (channel → cursor), e.g. ones your app stored. */
  cursors?: Record<string, string>;
  /**
   * Persist cursors in localStorage (per user, key `tidewire.cursors:<sub>`); default false. On a
   * host without localStorage (Node.js, React Native) pass `storage` too, or the constructor throws.
   */
  persistCursors?: boolean;
  /**
   * Where to persist cursors (overrides persistCursors); null for nowhere. In Node.js:
   * `fileCursorStorage(path)` from `@tidewire/client/node`; in React Native: AsyncStorage.
   */
  storage?: CursorStorage | null;
  /** Storage key prefix; default `tidewire.cursors`. */
  storageKey?: string;
  /**
   * Ask for the user's state whenever the user channel is subscribed without a cursor (the frame
   * carries `"snapshot": true`): the gateway answers `subscribed`, then a `snapshot` consistent with
   * its cursor, then live events, so a fresh page shows its state at once. With a cursor the gateway
   * resumes from it instead (no snapshot). Default false; `TidewireProvider`'s own client sets it.
   */
  initialState?: boolean;
  /** Reconnect delays: uniform in [0, min(capMs, baseMs * 2^n)]; default 500 ms / 30 s. */
  backoff?: { baseMs?: number; capMs?: number };
  /** Connected this long, the backoff starts over; default 10 s. */
  stableAfterMs?: number;
  /** Token + upgrade + every `subscribed`; default 10 s. */
  connectTimeoutMs?: number;
  /** Ping an idle connection after this long; 0 disables the heartbeat; default 20 s. */
  pingIntervalMs?: number;
  /** A ping without any frame in reply for this long (wall clock) drops the connection; default 10 s. */
  pongTimeoutMs?: number;
  /** How long close() waits for the gateway's close; default 2 s. */
  closeTimeoutMs?: number;
  /** Event keys remembered for de-duplication; default 10,000. */
  dedupCapacity?: number;
  /** Share of the token lifetime after which it is refreshed in-band; default 0.8. */
  refreshFraction?: number;
  /** Share events with the user's other tabs (BroadcastChannel); default true where available. */
  crossTab?: boolean;
  /** Event types shared with other tabs; default `['credits.updated']`. */
  crossTabTypes?: string[];
  /** BroadcastChannel name; default `tidewire`. */
  crossTabName?: string;
  /**
   * WebSocket constructor; default the host's global one, else (Node.js 20 and 21) the `ws`
   * package, imported on the first connect. With neither, `connect()` rejects at once.
   */
  WebSocket?: new (url: string) => WebSocket;
  timers?: Timers;
  /** Wall clock in ms; default Date.now. */
  now?: () => number;
  /** Uniform in [0, 1); default Math.random. */
  random?: () => number;
  /** Online/offline/wake signals; default: window events in a browser, none elsewhere. null: none. */
  network?: NetworkAdapter | null;
  /** BroadcastChannel factory; null: no cross-tab sharing. */
  broadcast?: ((name: string) => BroadcastLike) | null;
}

export interface ClientStats {
  state: ConnectionStateName;
  offlineReason?: 'network' | 'manual';
  userId?: string;
  cursors: Record<string, string>;
  attempts: number;
  connects: number;
  reconnects: number;
  eventsDelivered: number;
  duplicatesDropped: number;
  peerEvents: number;
  snapshots: number;
  lastEventAt?: number;
  connectedSince?: number;
}

export interface ClientEvents {
  event: TidewireEvent;
  state: ConnectionStateName;
  snapshot: Snapshot;
  subscribed: Subscribed;
  error: ClientError;
}

// ---- broadcast and presence channels (docs/PROTOCOL.md) ----

export interface ChannelOptions {
  /** receive this client's own broadcasts too (default false) */
  self?: boolean;
  /** the gateway acknowledges each broadcast: `broadcast()` resolves with its id (default false) */
  ack?: boolean;
}

export type ChannelStateName = 'left' | 'joining' | 'joined' | 'refused';

/** A message broadcast on a channel; each id is handed over once per channel. */
export interface Broadcast {
  channel: string;
  /** the message id the gateway gave it */
  id: string;
  event: string;
  /** the sender's user id (the token's `sub`), as the gateway vouches for it */
  from: string;
  payload: Record<string, any>;
}

/** One tracked connection of a user: its ref (unique per channel) and the meta it tracked. */
export interface PresenceEntry {
  ref: string;
  meta: Record<string, any>;
}

/** User id → that user's tracked connections (never empty). */
export type PresenceMap = Readonly<Record<string, readonly PresenceEntry[]>>;

/** A change of who is on a channel: the state after it, and what joined and left. */
export interface PresenceChange {
  channel: string;
  state: PresenceMap;
  joins: PresenceMap;
  leaves: PresenceMap;
}

/**
 * A broadcast and presence channel: joined again after every reconnect until `leave()`, the last
 * tracked meta tracked again, broadcasts de-duplicated by id, nothing queued while offline.
 */
export interface RealtimeChannel {
  readonly name: string;
  readonly options: Readonly<Required<ChannelOptions>>;
  readonly state: ChannelStateName;
  /** who is on the channel now (a new object on every change) */
  readonly presence: PresenceMap;
  onBroadcast(event: string, handler: (broadcast: Broadcast) => void): () => void;
  onPresence(listener: (change: PresenceChange) => void): () => void;
  /** resolves with the presence state once joined */
  join(): Promise<PresenceMap>;
  /** joined while held: the first holder joins, the last release leaves; returns the release */
  hold(): () => void;
  leave(): Promise<void>;
  /** with `ack`: resolves with the message id; without: once sent */
  broadcast(event: string, payload?: Record<string, any>): Promise<string | undefined>;
  track(meta: Record<string, any>): Promise<void>;
  untrack(): Promise<void>;
}

export declare class TidewireClient {
  constructor(options: ClientOptions);
  /** The endpoint (an http(s) URL turned into ws(s)). */
  readonly url: string;
  readonly state: ConnectionStateName;
  readonly isConnected: boolean;
  /** The token's `sub`, once a token was obtained. */
  readonly userId: string | undefined;
  on<K extends keyof ClientEvents>(name: K, listener: (value: ClientEvents[K]) => void): () => void;
  /** Starts (or after disconnect() resumes); resolves when connected, rejects if closed first. */
  connect(): Promise<void>;
  /** Drops the connection and stays offline until connect()/reconnect(); keeps cursors. */
  disconnect(): void;
  /** Drops the current connection and connects again at once. */
  reconnect(): Promise<void>;
  /** Closes for good (logout). */
  close(options?: { forgetCursors?: boolean }): Promise<void>;
  /** Holds a channel while needed; returns the release function. */
  subscribe(channel: ChannelName, options?: { types?: string[] }): () => void;
  /**
   * The broadcast and presence channel `name` (`room:lobby`, `call:<id>`, `item:video:<id>`), the
   * same object on every call; `options` are fixed by the first call that gives them.
   */
  channel(name: string, options?: ChannelOptions): RealtimeChannel;
  cursor(channel: ChannelName): string | undefined;
  cursors(): Record<string, string>;
  channels(): string[];
  stats(): ClientStats;
}

export declare function withToken(url: string, token: string): string;

// ---- store ----

export interface GenerationJob extends Partial<GenerationProgress> {
  jobId: string;
  status: JobStatus;
  progress: number;
  updatedAt?: number;
}

export interface TrainingJob extends Partial<TrainingProgress> {
  jobId: string;
  status: JobStatus;
  progress: number;
  updatedAt?: number;
}

export interface CreditUpdate extends CreditsUpdated {
  id: string;
  ts?: number;
  fromOtherTab?: true;
}

export interface FeedUpdate {
  id: string;
  type: 'feed.content_published' | 'feed.counts' | 'feed.content_removed';
  ts?: number;
  /** `contentType:contentId` */
  key: string;
  data: ContentPublished | FeedCounts | ContentRemoved;
}

export interface Notification extends NotificationData {
  ts?: number;
  read: boolean;
}

export interface RealtimeState {
  connection: ConnectionStateName;
  balance: number | null;
  latestCreditUpdate: CreditUpdate | null;
  generationJobs: Readonly<Record<string, GenerationJob>>;
  trainingJobs: Readonly<Record<string, TrainingJob>>;
  feed: {
    updates: readonly FeedUpdate[];
    latestUpdate: FeedUpdate | null;
    counts: Readonly<Record<string, { likes: number; comments: number }>>;
    removed: Readonly<Record<string, string>>;
  };
  notifications: readonly Notification[];
  unreadCount: number;
}

export interface StoreOptions {
  maxFeedUpdates?: number;
  maxNotifications?: number;
  maxJobs?: number;
}

/** The app's real-time state folded from a client's events (immutable snapshots). */
export declare class RealtimeStore {
  constructor(client: TidewireClient | null, options?: StoreOptions);
  /** Starts following the client (reference-counted); returns detach. */
  attach(): () => void;
  getState(): RealtimeState;
  subscribe(listener: () => void): () => void;
  setBalance(balance: number): void;
  markNotificationRead(id: string): void;
  markAllNotificationsRead(): void;
  clearNotifications(): void;
  clearFeedUpdates(): void;
  applyEvent(event: TidewireEvent): void;
  applySnapshot(snapshot: Snapshot): void;
}

export declare function contentKey(contentType: string, contentId: string): string;

// ---- protocol codes ----

export type AdviceName = 'retry' | 'renew_token' | 'terminal';
export declare const Advice: Readonly<{ RETRY: 'retry'; RENEW_TOKEN: 'renew_token'; TERMINAL: 'terminal' }>;
export declare const ERROR_CODES: Readonly<Record<string, AdviceName>>;
export declare const CLOSE_CODES: Readonly<Record<number, AdviceName>>;
export declare function adviceForClose(code: number): AdviceName;
export declare function adviceForError(code: string): AdviceName;

export declare class Backoff {
  constructor(baseMs: number, capMs: number, random?: () => number);
  readonly attempt: number;
  ceiling(attempt: number): number;
  delay(attempt: number): number;
  next(): number;
  reset(): void;
}

/** `sub`, `exp` and `iat` of a JWT, read without verifying. */
export declare function readClaims(token: string): { sub?: string; expMs?: number; iatMs?: number };
