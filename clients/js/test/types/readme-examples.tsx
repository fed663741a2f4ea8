// The README's examples, imported by the package's name (so through package.json `exports` and
// the declarations in types/), with the app's own components and services declared below.
// Compiled only (npm run typecheck): an example the declarations no longer accept fails the build.
import { useEffect, type ReactNode } from 'react';
import {
  ConnectionState, RealtimeStore, TidewireClient, type ClientError, type CursorStorage, type NetworkAdapter,
  type TidewireEvent,
} from '@tidewire/client';
import {
  TidewireProvider, useCreditUpdates, useFeedUpdates, useGenerationProgress, useRealtime, useRealtimeEvent,
  useRealtimeNotifications, useTrainingProgress,
} from '@tidewire/client/react';
import { fileCursorStorage } from '@tidewire/client/node';

// ---- the app's side: React Native components, services ----

declare function Pressable(props: { onPress: () => void; children?: ReactNode }): ReactNode;
declare function Text(props: { children?: ReactNode }): ReactNode;
declare function View(props: { children?: ReactNode }): ReactNode;
declare function ActivityIndicator(): ReactNode;
declare function ProgressBar(props: { value: number; label?: string }): ReactNode;
declare function AnimatedNumber(props: { value: number }): ReactNode;
declare function NewContentPill(props: { count: number }): ReactNode;
declare function Badge(props: { count: number; onPress: () => void }): ReactNode;
declare function Screens(): ReactNode;
declare const auth: { getAccessToken(): Promise<string> };
declare const NetInfo: { addEventListener(listener: (state: { isConnected: boolean | null }) => void): () => void };
declare const AppState: { addEventListener(type: 'change', listener: (state: string) => void): { remove(): void } };
declare const AsyncStorage: {
  getItem(key: string): Promise<string | null>;
  setItem(key: string, value: string): Promise<void>;
  removeItem(key: string): Promise<void>;
};
declare function apply(type: string, data: unknown): void;
declare function mintServiceToken(): Promise<string>;
declare function handle(event: TidewireEvent): void;
declare function replaceState(data: unknown): void;
declare function reloadFeed(): void;
type FeedItemData = { type: string; id: string; counts: { likes: number; comments: number } };
declare function FeedItem(props: { item: FeedItemData; counts: { likes: number; comments: number } }): ReactNode;

// ---- React: the seed app's hooks ----

export function App() {
  return (
    <TidewireProvider url="wss://realtime.example.com/v1/realtime" token={() => auth.getAccessToken()}>
      <Screens />
    </TidewireProvider>
  );
}

export function AppOwningItsClient({ client }: { client: TidewireClient }) {
  return (
    <TidewireProvider client={client} connect={false}>
      <Screens />
    </TidewireProvider>
  );
}

export function ConnectionStatus() {
  const { isConnected, state, reconnect } = useRealtime();
  return (
    <Pressable onPress={reconnect}>
      <Text>{isConnected ? 'Live' : state /* connecting | reconnecting | offline | closed */}</Text>
    </Pressable>
  );
}

export function RealtimeProgress({ jobId, onComplete, onError }: {
  jobId: string;
  onComplete?: (progress: object) => void;
  onError?: (error: string | undefined) => void;
}) {
  const { progress, isLoading } = useGenerationProgress(jobId);
  useEffect(() => {
    if (progress?.status === 'completed') onComplete?.(progress);
    if (progress?.status === 'failed') onError?.(progress.error);
  }, [progress?.status]);
  if (isLoading) return <ActivityIndicator />;
  return <ProgressBar value={progress?.progress ?? 0} label={progress?.status} />;
}

export function TrainingStep({ trainingId }: { trainingId: string }) {
  const { progress } = useTrainingProgress(trainingId);
  return <Text>{progress ? `step ${progress.step}/${progress.totalSteps}` : 'queued'}</Text>;
}

export function RealtimeCreditDisplay({ initialCredits }: { initialCredits: number }) {
  const { balance, latestUpdate } = useCreditUpdates(initialCredits);
  return (
    <View>
      <AnimatedNumber value={balance ?? 0} />
      {latestUpdate && <Text>{latestUpdate.delta > 0 ? '+' : ''}{latestUpdate.delta} · {latestUpdate.reason}</Text>}
    </View>
  );
}

export function RealtimeFeed({ initialData }: { initialData: FeedItemData[] }) {
  const { updates, counts, removed } = useFeedUpdates();
  const fresh = updates.filter((u) => u.type === 'feed.content_published');
  const items = initialData.filter((i) => !removed[`${i.type}:${i.id}`]);
  return (
    <>
      {fresh.length > 0 && <NewContentPill count={fresh.length} />}
      {items.map((item) => <FeedItem key={item.id} item={item} counts={counts[`${item.type}:${item.id}`] ?? item.counts} />)}
    </>
  );
}

export function NotificationBadge() {
  const { notifications, unreadCount, markAllRead } = useRealtimeNotifications();
  return <Badge count={unreadCount + 0 * notifications.length} onPress={markAllRead} />;
}

export function OrdersListener() {
  useRealtimeEvent('row.orders', (event: TidewireEvent) => apply(event.type, event.data));
  return null;
}

// ---- React Native ----

let online = true;
const network: NetworkAdapter = {
  isOnline: () => online,
  subscribe(listener) {
    const offNet = NetInfo.addEventListener((s) => {
      online = s.isConnected !== false;
      listener(online ? 'online' : 'offline');
    });
    const sub = AppState.addEventListener('change', (s) => s === 'active' && listener('wake'));
    return () => { offNet(); sub.remove(); };
  },
};
const storage: CursorStorage = AsyncStorage;

export function NativeApp({ url, getToken }: { url: string; getToken: () => Promise<string> }) {
  return <TidewireProvider url={url} token={getToken} options={{ network, storage: AsyncStorage }}><Screens /></TidewireProvider>;
}

// ---- the client without React ----

export async function withoutReact() {
  const client = new TidewireClient({
    url: 'wss://realtime.example.com/v1/realtime',
    token: () => fetch('/api/realtime-token').then((r) => r.json()).then((b: { token: string }) => b.token),
    channels: ['user', { name: 'feed', types: ['feed.*'] }],
    persistCursors: true,
  });
  client.on('state', (state) => console.log('tidewire', state));
  client.on('event', (e) => apply(e.type, e.data)); // once per (channel, id), in order
  client.on('snapshot', (s) => replaceState(s.data)); // could not resume: state first
  client.on('subscribed', (s) => { if (!s.recovered && s.channel === 'feed') reloadFeed(); });
  client.on('error', (e: ClientError) => console.debug(e.kind, e.message));
  await client.connect();
  const release = client.subscribe('feed', { types: ['feed.counts'] });
  release();
  const where: string | undefined = client.cursor('user');
  const all: Record<string, string> = client.cursors();
  const stats = client.stats();
  console.log(where, all, client.channels(), stats.reconnects, stats.eventsDelivered, client.isConnected,
    client.state === ConnectionState.CONNECTED, client.url, client.userId);
  client.disconnect();
  await client.reconnect();
  // … on logout
  await client.close({ forgetCursors: true });

  const store = new RealtimeStore(client);
  const detach = store.attach();
  const stop = store.subscribe(() => console.log(store.getState().balance, store.getState().feed.counts));
  stop();
  detach();
}

export function injectedHost(clock: { setTimeout(fn: () => void, ms: number): number; clearTimeout(id: unknown): void }) {
  return new TidewireClient({
    url: 'https://gateway.example.com/v1/realtime',
    token: 'a.b.c',
    WebSocket,
    timers: clock,
    now: Date.now,
    random: Math.random,
    network: null,
    broadcast: (name) => new BroadcastChannel(name),
    storage,
  });
}

// ---- Node.js ----

export async function nodeService() {
  const client = new TidewireClient({
    url: 'wss://realtime.example.com/v1/realtime',
    token: () => mintServiceToken(),
    persistCursors: true,
    storage: fileCursorStorage('/var/lib/my-service/tidewire-cursors.json'),
  });
  client.on('event', (e) => handle(e));
  await client.connect();
}
