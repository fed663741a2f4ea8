// Types of @tidewire/client/react.
import type { ReactNode } from 'react';
import type {
  ClientOptions, ConnectionStateName, CreditUpdate, FeedUpdate, GenerationJob, Notification,
  RealtimeStore, StoreOptions, TidewireClient, TidewireEvent, TokenSource, TrainingJob,
  Broadcast, PresenceEntry, Timers,
} from './index.js';

export type TidewireProviderProps = {
  children?: ReactNode;
  /** Connect on mount (default true). */
  connect?: boolean;
  storeOptions?: StoreOptions;
} & (
  | {
      /** A client you own: create it at login, `client.close()` at logout. */
      client: TidewireClient;
      url?: never;
      token?: never;
      options?: never;
    }
  | {
      client?: undefined;
      /** The provider creates, connects and closes its own client. */
      url: string;
      token: TokenSource;
      /** Its options; `initialState` defaults to true here (the hooks show the state at once). */
      options?: Omit<ClientOptions, 'url' | 'token'>;
    }
);

export declare function TidewireProvider(props: TidewireProviderProps): ReactNode;

export declare function useTidewire(): { client: TidewireClient | null; store: RealtimeStore | null };

export declare function useRealtime(): {
  isConnected: boolean;
  state: ConnectionStateName;
  reconnect(): Promise<void>;
  disconnect(): void;
  connect(): Promise<void>;
  client: TidewireClient | null;
};

export declare function useGenerationProgress(jobId: string | null | undefined): {
  progress: GenerationJob | null;
  isLoading: boolean;
};

export declare function useTrainingProgress(jobId: string | null | undefined): {
  progress: TrainingJob | null;
  isLoading: boolean;
};

export declare function useCreditUpdates(initialBalance?: number | null): {
  balance: number | null;
  latestUpdate: CreditUpdate | null;
};

export declare function useFeedUpdates(): {
  updates: readonly FeedUpdate[];
  latestUpdate: FeedUpdate | null;
  counts: Readonly<Record<string, { likes: number; comments: number }>>;
  removed: Readonly<Record<string, string>>;
  clear(): void;
};

export declare function useContentCounts(contentType: string, contentId: string): { likes: number; comments: number } | null;

export declare function useRealtimeNotifications(): {
  notifications: readonly Notification[];
  unreadCount: number;
  markRead(id: string): void;
  markAllRead(): void;
  clear(): void;
};

export declare function useRealtimeEvent(
  type: string,
  handler: (event: TidewireEvent) => void,
  options?: { channel?: string },
): void;

/** One user on a broadcast channel: the meta of the first tracked connection, and all of them. */
export type OnlineUser = { userId: string; meta: Record<string, any>; connections: readonly PresenceEntry[] };

export type TypingOptions = {
  /** the broadcast event (default `typing`) */
  event?: string;
  /** least time between two `typing: true` broadcasts of this user (default 2000) */
  sendEveryMs?: number;
  /** `typing: false` after this long without `notifyTyping()` (default 3000) */
  idleMs?: number;
  /** how long another user shows as typing after their last `typing: true` (default 5000) */
  expireMs?: number;
  /** timers and clock (tests); default the global ones */
  timers?: Timers;
  now?: () => number;
};

/** Who is on `channel`; tracks `meta` (when given) while mounted. */
export declare function usePresence(channel: string | null | undefined, meta?: Record<string, any> | null): OnlineUser[];

/** Who is typing on `channel`, and the functions that say this user is (debounced) or stopped. */
export declare function useTypingIndicator(channel: string | null | undefined, options?: TypingOptions): {
  typing: string[];
  notifyTyping: (extra?: Record<string, any>) => void;
  stopTyping: () => void;
};

/** Calls `handler` for each broadcast of `event` on `channel` while mounted; returns `send(payload)`. */
export declare function useBroadcast(
  channel: string | null | undefined,
  event: string,
  handler?: (broadcast: Broadcast) => void,
): (payload?: Record<string, any>) => Promise<string | undefined>;
