// Hook tests with a real React renderer: react-dom's concurrent root on happy-dom's DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { FakeServer, FakeNetwork, FakeClock, flush, harness, jwt } from './support/fakes.js';
import { useReactDom } from './support/react-dom.js';

const dom = useReactDom();
const h = (...args) => dom.h(...args);
const act = (fn) => dom.act(fn);
const { render, server } = dom;
const hooks = new Proxy({}, { get: (_, name) => dom.hooks[name] });

function Dashboard({ jobId, trainingId }) {
  const { isConnected, state } = hooks.useRealtime();
  const { balance, latestUpdate } = hooks.useCreditUpdates(500);
  const generation = hooks.useGenerationProgress(jobId);
  const training = hooks.useTrainingProgress(trainingId);
  const { notifications, unreadCount, markAllRead } = hooks.useRealtimeNotifications();
  return h('div', null,
    h('span', { 'data-t': 'state' }, `${state}/${isConnected}`),
    h('span', { 'data-t': 'balance' }, String(balance)),
    h('span', { 'data-t': 'reason' }, latestUpdate ? latestUpdate.reason : '-'),
    h('span', { 'data-t': 'gen' }, generation.isLoading ? 'loading' : generation.progress ? `${generation.progress.status}:${generation.progress.progress}` : 'no job'),
    h('span', { 'data-t': 'train' }, training.isLoading ? 'loading' : training.progress ? `${training.progress.step}/${training.progress.totalSteps}` : 'no job'),
    h('span', { 'data-t': 'notes' }, `${notifications.map((n) => n.title).join(',')}|${unreadCount}`),
    h('button', { 'data-t': 'read', onClick: markAllRead }, 'read'));
}

function Feed() {
  const { updates, latestUpdate, counts } = hooks.useFeedUpdates();
  return h('div', null,
    h('span', { 'data-t': 'feed' }, `${updates.length}:${latestUpdate ? latestUpdate.type : '-'}`),
    h('span', { 'data-t': 'likes' }, String(counts['video:v1'] ? counts['video:v1'].likes : '-')));
}

function Counts() {
  const counts = hooks.useContentCounts('video', 'v1');
  return h('span', { 'data-t': 'cc' }, counts ? `${counts.likes}/${counts.comments}` : 'none');
}

test('hooksShowLiveValuesFromTheGateway', async () => {
  const t = harness();
  const view = await render(h(hooks.TidewireProvider, { client: t.client }, h(Dashboard, { jobId: 'g1', trainingId: 't1' })));
  assert.equal(view.text('state'), 'connecting/false');
  assert.equal(view.text('balance'), '500', 'the balance the app loaded until an update comes');
  assert.equal(view.text('gen'), 'loading');
  await server(() => {
    t.server.last().accept();
    t.server.last().confirm();
  });
  assert.equal(view.text('state'), 'connected/true');
  await server(() => {
    const s = t.server.last();
    s.event('user', 'e1', 'generation.progress', { jobId: 'g1', kind: 'video', status: 'active', progress: 40 });
    s.event('user', 'e2', 'generation.progress', { jobId: 'other', kind: 'video', status: 'active', progress: 90 });
    s.event('user', 'e3', 'training.progress', { jobId: 't1', status: 'active', step: 3, totalSteps: 10, progress: 30 });
    s.event('user', 'e4', 'credits.updated', { balance: 493, delta: -7, reason: 'video generation' });
    s.event('user', 'n1', 'notification', { id: 'n1', kind: 'like', title: 'New like', body: '', refs: {} });
  });
  assert.equal(view.text('gen'), 'active:40');
  assert.equal(view.text('train'), '3/10');
  assert.equal(view.text('balance'), '493');
  assert.equal(view.text('reason'), 'video generation');
  assert.equal(view.text('notes'), 'New like|1');
  await act(async () => view.container.querySelector('[data-t="read"]').click());
  assert.equal(view.text('notes'), 'New like|0');
  await view.unmount();
});

test('theFeedChannelIsHeldOnlyWhileAFeedHookIsMounted', async () => {
  const t = harness();
  const app = (showFeed) => h(hooks.TidewireProvider, { client: t.client },
    h(Dashboard, {}), showFeed ? h(Feed) : null, showFeed ? h(Counts) : null);
  const view = await render(app(true));
  const socket = t.server.last();
  await server(() => socket.accept());
  assert.deepEqual(socket.frames('subscribe').map((f) => f.channel).sort(), ['feed', 'user']);
  await server(() => {
    socket.confirm();
    socket.event('feed', 'f1', 'feed.content_published', { contentType: 'video', contentId: 'v1', userId: 'u' });
    socket.event('feed', 'f2', 'feed.counts', { contentType: 'video', contentId: 'v1', likes: 4, comments: 2 });
  });
  assert.equal(view.text('feed'), '2:feed.counts');
  assert.equal(view.text('likes'), '4');
  assert.equal(view.text('cc'), '4/2');
  assert.equal(socket.frames('unsubscribe').length, 0);
  await view.rerender(app(false));
  assert.deepEqual(socket.frames('unsubscribe').map((f) => f.channel), ['feed'], 'unsubscribed when the last feed hook unmounted');
  assert.equal(t.client.state, 'connected');
  await view.unmount();
  assert.deepEqual(t.client.channels(), ['user'], 'hooks released their holds; the client itself stays the app\'s');
});

test('reconnectFromUseRealtimeOpensANewConnection', async () => {
  const t = harness();
  let api;
  function Status() {
    api = hooks.useRealtime();
    return h('span', { 'data-t': 'state' }, api.state);
  }
  const view = await render(h(hooks.TidewireProvider, { client: t.client }, h(Status)));
  await server(() => {
    t.server.last().accept();
    t.server.last().confirm();
  });
  await act(async () => {
    api.reconnect();
    await flush();
  });
  assert.equal(view.text('state'), 'reconnecting');
  assert.equal(t.server.sockets.length, 2);
  await server(() => {
    t.server.last().accept();
    t.server.last().confirm();
  });
  assert.equal(view.text('state'), 'connected');
  await act(async () => api.disconnect());
  assert.equal(view.text('state'), 'offline');
  await view.unmount();
});

test('anOwnedClientSurvivesStrictModeAndIsClosedOnUnmount', async () => {
  const fake = new FakeServer();
  const clock = new FakeClock();
  const options = { WebSocket: fake.WebSocket, timers: clock, now: clock.now, network: new FakeNetwork(), broadcast: null };
  const token = () => jwt({ sub: 'u9', exp: clock.now() / 1000 + 3600 });
  const view = await render(h(dom.React.StrictMode, null,
    h(hooks.TidewireProvider, { url: 'ws://gw.test/v1/realtime', token, options }, h(Dashboard, {}))));
  await server(() => {});
  assert.equal(fake.sockets.length, 1, 'one connection, not one per StrictMode mount');
  await server(() => {
    fake.last().accept();
    fake.last().confirm();
    fake.last().event('user', 'c', 'credits.updated', { balance: 1, delta: 1 });
  });
  assert.equal(view.text('state'), 'connected/true');
  assert.equal(view.text('balance'), '1');
  await view.unmount();
  await flush();
  assert.deepEqual(fake.last().closedByClient, { code: 1000, reason: 'client closed' });
});

test('theProvidersOwnClientAsksForTheStateSoTheHooksShowItBeforeAnyEvent', async () => {
  const fake = new FakeServer();
  const clock = new FakeClock();
  const options = { WebSocket: fake.WebSocket, timers: clock, now: clock.now, network: new FakeNetwork(), broadcast: null };
  const token = () => jwt({ sub: 'u9', exp: clock.now() / 1000 + 3600 });
  const view = await render(h(hooks.TidewireProvider, { url: 'ws://gw.test/v1/realtime', token, options },
    h(Dashboard, { jobId: 'g1', trainingId: 't1' })));
  await server(() => fake.last().accept());
  const [subscribe] = fake.last().frames('subscribe');
  assert.equal(subscribe.snapshot, true);
  await server(() => {
    const s = fake.last();
    s.push({ op: 'subscribed', ref: subscribe.ref, channel: 'user', recovered: false, cursor: 'user-live' });
    s.push({
      op: 'snapshot', channel: 'user', cursor: 'user-live', data: {
        userId: 'u9', balance: 120, updatedAt: 5, activeJobs: [
          { jobId: 'g1', kind: 'generation', generationKind: 'video', status: 'active', progress: 40, updatedAt: 4 },
          { jobId: 't1', kind: 'training', status: 'active', progress: 30, step: 300, totalSteps: 1000, updatedAt: 5 },
        ],
      },
    });
  });
  assert.equal(view.text('state'), 'connected/true');
  assert.equal(view.text('balance'), '120', 'the snapshot\'s balance, not the one passed in');
  assert.equal(view.text('gen'), 'active:40');
  assert.equal(view.text('train'), '300/1000');
  await server(() => fake.last().event('user', 'e1', 'generation.progress', { jobId: 'g1', kind: 'video', status: 'active', progress: 55 }));
  assert.equal(view.text('gen'), 'active:55', 'live events follow the snapshot');
  await view.unmount();
});

test('hooksOutsideAProviderSayWhatIsMissing', async () => {
  function Lost() {
    hooks.useRealtime();
    return null;
  }
  const root = dom.createRoot(document.createElement('div'));
  await assert.rejects(async () => { await act(async () => root.render(h(Lost))); }, /TidewireProvider/);
});

test('theHookLayerUsesNoDomOnlyApi', () => {
  // React Native has no window, document, localStorage, navigator.onLine or BroadcastChannel.
  for (const file of ['../src/react/index.js', '../src/store.js']) {
    const code = readFileSync(new URL(file, import.meta.url), 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const api of ['window', 'document', 'localStorage', 'sessionStorage', 'navigator', 'BroadcastChannel', 'addEventListener', 'requestAnimationFrame']) {
      assert.equal(new RegExp(`\\b${api}\\b`).test(code), false, `${file} uses ${api}`);
    }
  }
});
