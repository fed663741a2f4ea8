// Types of @tidewire/client/react.
import type { ReactNode } from 'react';
import type {
  ClientOptions, ConnectionStateName, CreditUpdate, FeedUpdate, GenerationJob, Notification,
  RealtimeStore, StoreOptions, TidewireClient, TidewireEvent, TokenSource, TrainingJob,
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
