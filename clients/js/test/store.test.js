import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RealtimeStore } from '../src/store.js';
import { harness, flush } from './support/fakes.js';

function ev(type, data, id = `${type}-${Math.random()}`, ts = 1000) {
  return { channel: type.startsWith('feed.') ? 'feed' : 'user', id, type, cursor: 'c', ts, data };
}

test('foldsCreditsJobsFeedAndNotifications', () => {
  const store = new RealtimeStore(null);
  store.applyEvent(ev('credits.updated', { balance: 93, delta: -7, transactionId: 't1', reason: 'video generation' }, 'cr1'));
  store.applyEvent(ev('generation.progress', { jobId: 'g1', kind: 'video', status: 'active', progress: 40 }));
  store.applyEvent(ev('training.progress', { jobId: 't1', status: 'active', step: 3, totalSteps: 10, progress: 30 }));
  store.applyEvent(ev('feed.content_published', { contentType: 'video', contentId: 'v1', userId: 'u', caption: 'dusk' }));
  store.applyEvent(ev('feed.counts', { contentType: 'video', contentId: 'v1', likes: 3, comments: 1 }));
  store.applyEvent(ev('notification', { id: 'n1', kind: 'like', title: 'New like', body: 'b', refs: {} }, 'n1'));
  const s = store.getState();
  assert.equal(s.balance, 93);
  assert.deepEqual({ ...s.latestCreditUpdate }, { id: 'cr1', ts: 1000, balance: 93, delta: -7, transactionId: 't1', reason: 'video generation' });
  assert.equal(s.generationJobs.g1.progress, 40);
  assert.equal(s.generationJobs.g1.updatedAt, 1000);
  assert.equal(s.trainingJobs.t1.step, 3);
  assert.equal(s.feed.updates.length, 2);
  assert.equal(s.feed.latestUpdate.type, 'feed.counts');
  assert.deepEqual({ ...s.feed.counts['video:v1'] }, { likes: 3, comments: 1 });
  assert.equal(s.notifications[0].id, 'n1');
  assert.equal(s.unreadCount, 1);
});

test('unchangedSlicesKeepTheirIdentitySoSelectorsDoNotRerender', () => {
  const store = new RealtimeStore(null);
  store.applyEvent(ev('generation.progress', { jobId: 'g1', status: 'active', progress: 1 }));
  const before = store.getState();
  store.applyEvent(ev('credits.updated', { balance: 1, delta: 1 }));
  const after = store.getState();
  assert.notEqual(after, before);
  assert.equal(after.generationJobs, before.generationJobs);
  assert.equal(after.generationJobs.g1, before.generationJobs.g1);
  assert.equal(after.feed, before.feed);
  assert.ok(Object.isFrozen(after) && Object.isFrozen(after.generationJobs.g1));
});

test('removedContentIsRememberedUntilPublishedAgain', () => {
  const store = new RealtimeStore(null);
  store.applyEvent(ev('feed.content_removed', { contentType: 'image', contentId: 'i', reason: 'private' }));
  assert.equal(store.getState().feed.removed['image:i'], 'private');
  store.applyEvent(ev('feed.content_published', { contentType: 'image', contentId: 'i', userId: 'u' }));
  assert.equal(store.getState().feed.removed['image:i'], undefined);
});

test('notificationsCanBeMarkedReadAndCleared', () => {
  const store = new RealtimeStore(null);
  for (const id of ['a', 'b', 'c']) store.applyEvent(ev('notification', { id, kind: 'like', title: id, body: '', refs: {} }, id));
  store.applyEvent(ev('notification', { id: 'b', kind: 'like', title: 'b', body: '', refs: {} }, 'b'));
  assert.deepEqual(store.getState().notifications.map((n) => n.id), ['c', 'b', 'a']);
  store.markNotificationRead('b');
  store.markNotificationRead('b');
  assert.equal(store.getState().unreadCount, 2);
  store.markAllNotificationsRead();
  assert.equal(store.getState().unreadCount, 0);
  store.clearNotifications();
  assert.equal(store.getState().notifications.length, 0);
});

test('listsAreBoundedAndFinishedJobsGoFirst', () => {
  const store = new RealtimeStore(null, { maxFeedUpdates: 3, maxNotifications: 2, maxJobs: 2 });
  for (let i = 0; i < 5; i++) {
    store.applyEvent(ev('feed.counts', { contentType: 'v', contentId: String(i), likes: i, comments: 0 }));
    store.applyEvent(ev('notification', { id: `n${i}` }, `n${i}`));
  }
  store.applyEvent(ev('generation.progress', { jobId: 'done', status: 'completed', progress: 100 }, 'x1', 1));
  store.applyEvent(ev('generation.progress', { jobId: 'running', status: 'active', progress: 5 }, 'x2', 2));
  store.applyEvent(ev('generation.progress', { jobId: 'new', status: 'waiting', progress: 0 }, 'x3', 3));
  const s = store.getState();
  assert.equal(s.feed.updates.length, 3);
  assert.deepEqual(s.notifications.map((n) => n.id), ['n4', 'n3']);
  assert.deepEqual(Object.keys(s.generationJobs).sort(), ['new', 'running']);
});

test('aSnapshotReplacesBalanceAndActiveJobs', () => {
  const store = new RealtimeStore(null);
  store.applyEvent(ev('generation.progress', { jobId: 'finished', status: 'completed', progress: 100 }));
  store.applyEvent(ev('generation.progress', { jobId: 'vanished', status: 'active', progress: 50 }));
  store.applySnapshot({
    channel: 'user', cursor: 'c',
    data: {
      balance: 120,
      activeJobs: [
        { jobId: 'g', kind: 'generation', generationKind: 'video', status: 'active', progress: 40, updatedAt: 5 },
        { jobId: 't', kind: 'training', status: 'active', progress: 30, step: 300, totalSteps: 1000, updatedAt: 6 },
      ],
    },
  });
  const s = store.getState();
  assert.equal(s.balance, 120);
  assert.deepEqual(Object.keys(s.generationJobs).sort(), ['finished', 'g']);
  assert.equal(s.generationJobs.g.kind, 'video');
  assert.equal(s.trainingJobs.t.totalSteps, 1000);
});

test('followsTheClientWhileAttached', async () => {
  const h = harness();
  const store = new RealtimeStore(h.client);
  let changes = 0;
  store.subscribe(() => changes++);
  const detach = store.attach();
  const detachAgain = store.attach();
  h.client.connect();
  await flush();
  h.server.last().accept();
  h.server.last().confirm();
  h.server.last().event('user', 'a', 'credits.updated', { balance: 5, delta: 5 });
  assert.equal(store.getState().connection, 'connected');
  assert.equal(store.getState().balance, 5);
  detach();
  h.server.last().event('user', 'b', 'credits.updated', { balance: 6, delta: 1 });
  assert.equal(store.getState().balance, 6, 'still attached once');
  detachAgain();
  detachAgain();
  h.server.last().event('user', 'c', 'credits.updated', { balance: 7, delta: 1 });
  assert.equal(store.getState().balance, 6, 'detached');
  assert.ok(changes >= 3);
  store.setBalance(100);
  assert.equal(store.getState().balance, 100);
});
