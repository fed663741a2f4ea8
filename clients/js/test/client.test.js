import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TidewireClient } from '../src/client.js';
import { BroadcastHub, FakeClock, FakeNetwork, FakeServer, MemoryStorage, flush, harness, jwt } from './support/fakes.js';

/** Connects a harness client and confirms its subscriptions. */
async function connected(overrides) {
  const h = harness(overrides);
  const done = h.client.connect();
  await flush();
  h.server.last().accept();
  h.server.last().confirm();
  await done;
  return h;
}

test('connectsWithTheTokenAsQueryParameterAndSubscribesEveryChannel', async () => {
  const h = harness({ options: { channels: ['user', { name: 'feed', types: ['feed.counts'] }] } });
  const done = h.client.connect();
  assert.equal(h.client.state, 'connecting');
  await flush();
  const socket = h.server.last();
  assert.match(socket.url, /^ws:\/\/gateway\.test\/v1\/realtime\?token=ey/);
  socket.accept();
  const subs = socket.frames('subscribe');
  assert.deepEqual(subs.map((f) => [f.channel, f.cursor, f.types]), [['user', undefined, undefined], ['feed', undefined, ['feed.counts']]]);
  assert.equal(new Set(subs.map((f) => f.ref)).size, 2, 'distinct refs');
  socket.push({ op: 'subscribed', ref: subs[0].ref, channel: 'user', recovered: false, cursor: 'user-live' });
  assert.equal(h.client.state, 'connecting', 'not connected before every subscription is confirmed');
  socket.confirm();
  await done;
  assert.equal(h.client.state, 'connected');
  assert.deepEqual(h.states, ['connecting', 'connected']);
  assert.equal(h.client.userId, 'u1');
  assert.deepEqual(h.client.cursors(), { user: 'user-live', feed: 'feed-live' }, 'recovered:false adopts the live cursor');
});

test('resumesEveryChannelFromTheLastHandledCursorAfterTheConnectionDrops', async () => {
  const h = await connected({ options: { channels: ['user', 'feed'] } });
  const first = h.server.last();
  first.event('user', 'e1', 'generation.progress', { jobId: 'j', progress: 10 }, 'u-1');
  first.event('user', 'e2', 'generation.progress', { jobId: 'j', progress: 20 }, 'u-2');
  first.event('feed', 'f1', 'feed.counts', { contentType: 'video', contentId: 'v', likes: 1, comments: 0 }, 'f-1');
  first.serverClose(1001, 'going away');
  assert.equal(h.client.state, 'reconnecting');
  await h.clock.advance(249);
  assert.equal(h.server.sockets.length, 1, 'waits out the backoff: random 0.5 of [0, 500]');
  await h.clock.advance(1);
  const second = h.server.last();
  assert.equal(h.server.sockets.length, 2);
  second.accept();
  assert.deepEqual(second.frames('subscribe').map((f) => [f.channel, f.cursor]), [['user', 'u-2'], ['feed', 'f-1']]);
  second.confirm();
  await flush();
  assert.equal(h.client.state, 'connected');
  assert.deepEqual(h.client.cursors(), { user: 'u-2', feed: 'f-1' }, 'recovered:true keeps the cursor sent');
  assert.equal(h.client.stats().reconnects, 1);
  assert.deepEqual(h.states, ['connecting', 'connected', 'reconnecting', 'connected']);
});

test('dropsDuplicateEventsByChannelAndIdWithoutMovingTheCursor', async () => {
  const h = await connected({ options: { channels: ['user', 'feed'] } });
  const socket = h.server.last();
  socket.event('user', 'same', 'credits.updated', { balance: 5, delta: 5 }, 'u-1');
  socket.event('user', 'next', 'credits.updated', { balance: 6, delta: 1 }, 'u-2');
  socket.event('user', 'same', 'credits.updated', { balance: 5, delta: 5 }, 'u-1');
  socket.event('feed', 'same', 'feed.counts', { contentType: 'v', contentId: 'x', likes: 1, comments: 0 }, 'f-1');
  assert.deepEqual(h.events.map((e) => `${e.channel}/${e.id}`), ['user/same', 'user/next', 'feed/same']);
  assert.equal(h.client.cursor('user'), 'u-2', 'a duplicate never moves the cursor back');
  assert.equal(h.client.stats().duplicatesDropped, 1);
});

test('replayedEventsAcrossAReconnectAreDeliveredOnce', async () => {
  const h = await connected();
  h.server.last().event('user', 'a', 'notification', { id: 'a' }, 'c-a');
  h.server.last().fail();
  await h.clock.advance(250);
  const again = h.server.last();
  again.accept();
  again.confirm();
  // a gateway (or a stale stored cursor) replaying an event already handled
  again.event('user', 'a', 'notification', { id: 'a' }, 'c-a');
  again.event('user', 'b', 'notification', { id: 'b' }, 'c-b');
  assert.deepEqual(h.events.map((e) => e.id), ['a', 'b']);
});

test('aThrowingListenerIsReportedAndItsEventStillCountsAsHandled', async () => {
  const h = await connected();
  h.client.on('event', () => { throw new Error('boom'); });
  h.server.last().event('user', 'x', 'notification', {}, 'c-x');
  assert.equal(h.client.cursor('user'), 'c-x');
  assert.equal(h.errors.at(-1).kind, 'listener_failed');
  h.server.last().event('user', 'x', 'notification', {}, 'c-x');
  assert.equal(h.events.length, 1);
});

test('snapshotMovesTheCursorAfterItsListenersRan', async () => {
  const h = await connected({ options: { cursors: { user: 'too-old' } } });
  const snapshots = [];
  h.client.on('snapshot', (s) => snapshots.push([s.cursor, h.client.cursor('user')]));
  h.server.last().push({ op: 'snapshot', channel: 'user', cursor: 'snap', data: { balance: 7, activeJobs: [] } });
  assert.deepEqual(snapshots, [['snap', 'too-old']]);
  assert.equal(h.client.cursor('user'), 'snap');
});

test('initialStateAsksForTheSnapshotOnAFreshUserSubscribeAndResumesFromTheCursorAfter', async () => {
  const h = harness({ options: { channels: ['user', 'feed'], initialState: true } });
  const snapshots = [];
  h.client.on('snapshot', (s) => snapshots.push([s.data.balance, h.client.cursor('user')]));
  const done = h.client.connect();
  await flush();
  const first = h.server.last();
  first.accept();
  assert.deepEqual(first.frames('subscribe').map((f) => [f.channel, f.cursor, f.snapshot]),
    [['user', undefined, true], ['feed', undefined, undefined]], 'only the user channel has a state');
  const user = first.frames('subscribe')[0];
  first.push({ op: 'subscribed', ref: user.ref, channel: 'user', recovered: false, cursor: 'user-live' });
  first.push({ op: 'snapshot', channel: 'user', cursor: 'user-live', data: { balance: 42, activeJobs: [] } });
  first.confirm();
  await done;
  assert.deepEqual(snapshots, [[42, 'user-live']]);
  first.event('user', 'e1', 'credits.updated', { balance: 40, delta: -2 }, 'u-1');
  first.serverClose(1001, 'going away');
  await h.clock.advance(250);
  const second = h.server.last();
  second.accept();
  assert.deepEqual(second.frames('subscribe').map((f) => [f.channel, f.cursor, f.snapshot]),
    [['user', 'u-1', undefined], ['feed', 'feed-live', undefined]], 'a cursor resumes: no snapshot asked for');
});

test('withoutInitialStateAFreshSubscribeAsksForNoSnapshot', async () => {
  const h = harness();
  h.client.connect();
  await flush();
  h.server.last().accept();
  assert.deepEqual(h.server.last().frames('subscribe').map((f) => 'snapshot' in f), [false]);
});

test('backoffGrowsWithFullJitterWhileTheGatewayIsUnreachableAndStartsOverOnceStable', async () => {
  const h = harness({ options: { random: () => 0.999999 } });
  h.client.connect();
  const gaps = [];
  for (let i = 0; i < 8; i++) {
    await flush();
    h.server.last().fail();
    await flush();
    gaps.push(h.clock.delays().at(-1));
    await h.clock.advance(h.clock.delays().at(-1));
  }
  assert.deepEqual(gaps, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  assert.equal(h.client.state, 'connecting', 'never connected yet');
  await flush();
  h.server.last().accept();
  h.server.last().confirm();
  await flush();
  assert.equal(h.client.state, 'connected');
  await h.clock.advance(10_000); // stable
  h.server.last().serverClose(1011);
  await flush();
  assert.equal(h.clock.delays()[0] <= 500, true, 'the backoff started over');
});

test('aTokenExpiredCloseReconnectsAtOnceWithANewTokenThenBacksOff', async () => {
  let issued = 0;
  const clock = new FakeClock();
  const h = await connected({
    clock,
    token: () => jwt({ sub: 'u1', n: ++issued, exp: clock.now() / 1000 + 3600 }),
  });
  h.server.last().serverClose(4001, 'token expired');
  await h.clock.advance(0);
  assert.equal(h.server.sockets.length, 2, 'no backoff for a first renewal');
  assert.equal(issued, 2);
  assert.notEqual(h.server.sockets[1].token, h.server.sockets[0].token);
  h.server.last().fail();
  await flush();
  assert.equal(h.server.sockets.length, 2, 'a second failure in a row backs off');
  await h.clock.advance(250);
  assert.equal(h.server.sockets.length, 3);
});

for (const [code, why] of [[1000, 'normal'], [1009, 'frame too big'], [1008, 'policy']]) {
  test(`closeCode${code}IsTerminal`, async () => {
    const h = await connected();
    h.server.last().serverClose(code, why);
    await h.clock.advance(60_000);
    assert.equal(h.client.state, 'closed');
    assert.equal(h.server.sockets.length, 1);
    await assert.rejects(h.client.connect(), /closed/);
  });
}

for (const code of [1001, 1006, 1011, 4008, 1012, 4999]) {
  test(`closeCode${code}Reconnects`, async () => {
    const h = await connected();
    h.server.last().serverClose(code);
    assert.equal(h.client.state, 'reconnecting');
    await h.clock.advance(250);
    assert.equal(h.server.sockets.length, 2);
  });
}

test('aMalformedStoredCursorIsForgottenAndTheChannelSubscribedLive', async () => {
  const h = harness({ options: { cursors: { user: 'garbage' } } });
  const done = h.client.connect();
  await flush();
  const socket = h.server.last();
  socket.accept();
  const sub = socket.frames('subscribe')[0];
  assert.equal(sub.cursor, 'garbage');
  socket.push({ op: 'error', ref: sub.ref, code: 'bad_request', message: 'invalid cursor' });
  const retry = socket.frames('subscribe')[1];
  assert.equal(retry.cursor, undefined);
  socket.push({ op: 'subscribed', ref: retry.ref, channel: 'user', recovered: false, cursor: 'live' });
  await done;
  assert.equal(h.client.cursor('user'), 'live');
  assert.equal(h.errors[0].kind, 'subscribe_refused');
});

test('aForbiddenOrBadSubscribeWithoutCursorClosesTheClient', async () => {
  for (const code of ['forbidden', 'bad_request']) {
    const h = harness();
    const done = h.client.connect();
    await flush();
    h.server.last().accept();
    const sub = h.server.last().frames('subscribe')[0];
    h.server.last().push({ op: 'error', ref: sub.ref, code, message: 'no' });
    await assert.rejects(done);
    assert.equal(h.client.state, 'closed');
    assert.deepEqual(h.server.last().closedByClient, { code: 1000, reason: 'client closed' });
  }
});

test('aRateLimitedResumeDropsTheConnectionAndRetriesWithBackoff', async () => {
  const h = harness({ options: { cursors: { user: 'old' } } });
  h.client.connect();
  await flush();
  h.server.last().accept();
  const sub = h.server.last().frames('subscribe')[0];
  h.server.last().push({ op: 'error', ref: sub.ref, code: 'rate_limited', message: 'busy' });
  assert.equal(h.client.state, 'connecting');
  await h.clock.advance(250);
  assert.equal(h.server.sockets.length, 2);
  h.server.last().accept();
  assert.equal(h.server.last().frames('subscribe')[0].cursor, 'old');
});

test('anUpgradeThatNeverCompletesTimesOutAndIsRetried', async () => {
  const h = harness();
  h.client.connect();
  await flush();
  await h.clock.advance(9_999);
  assert.equal(h.server.sockets.length, 1);
  await h.clock.advance(1);
  assert.equal(h.errors.at(-1).kind, 'connect_failed');
  await h.clock.advance(250);
  assert.equal(h.server.sockets.length, 2);
});

test('aTokenProviderFailureIsReportedAndRetriedWithBackoff', async () => {
  let calls = 0;
  const h = harness({ token: async () => { if (++calls === 1) throw new Error('auth server down'); return jwt({ sub: 'u1' }); } });
  h.client.connect();
  await flush();
  assert.equal(h.server.sockets.length, 0);
  assert.equal(h.errors[0].kind, 'token_failed');
  await h.clock.advance(250);
  assert.equal(h.server.sockets.length, 1);
});

// ---- token refresh ----

test('refreshesTheTokenInBandAtEightyPercentOfItsLifetime', async () => {
  const clock = new FakeClock();
  let n = 0;
  const token = () => {
    n++;
    const now = clock.now() / 1000;
    return jwt({ sub: 'u1', n, iat: now, exp: now + 100 });
  };
  const h = await connected({ clock, token, options: { pingIntervalMs: 0 } });
  const socket = h.server.last();
  await clock.advance(79_000);
  assert.equal(socket.frames('auth').length, 0);
  await clock.advance(1_000);
  const auth = socket.frames('auth');
  assert.equal(auth.length, 1);
  assert.equal(n, 2);
  socket.push({ op: 'authenticated', ref: auth[0].ref, exp: clock.now() / 1000 + 100 });
  await clock.advance(79_000);
  assert.equal(socket.frames('auth').length, 1, 'the next refresh is 80 s after the new token was issued');
  await clock.advance(1_000);
  assert.equal(socket.frames('auth').length, 2);
  assert.equal(h.server.sockets.length, 1, 'no reconnect needed');
});

test('aRefusedOrUnchangedRefreshIsRetriedHalfwayToExpiry', async () => {
  const clock = new FakeClock();
  const now = clock.now() / 1000;
  const fixed = jwt({ sub: 'u1', iat: now, exp: now + 100 });
  let fresh = false;
  const h = await connected({ clock, options: { pingIntervalMs: 0 }, token: () => (fresh ? jwt({ sub: 'u1', iat: clock.now() / 1000, exp: clock.now() / 1000 + 100 }) : fixed) });
  const socket = h.server.last();
  await clock.advance(80_000); // same token back: nothing sent, retry at 80 + 10
  assert.equal(socket.frames('auth').length, 0);
  fresh = true;
  await clock.advance(9_999);
  assert.equal(socket.frames('auth').length, 0);
  await clock.advance(1);
  assert.equal(socket.frames('auth').length, 1);
  socket.push({ op: 'error', ref: socket.frames('auth')[0].ref, code: 'unauthorized', message: 'bad signature' });
  await clock.advance(5_000); // halfway between 90 and 100
  assert.equal(socket.frames('auth').length, 2);
  assert.equal(h.errors.at(-1).kind, 'refresh_refused');
});

test('aRefreshDueWhileTimersWereThrottledHappensOnTheNextTick', async () => {
  const clock = new FakeClock();
  const token = () => {
    const now = clock.now() / 1000;
    return jwt({ sub: 'u1', iat: now, exp: now + 100 });
  };
  const h = await connected({ clock, token, options: { pingIntervalMs: 20_000 } });
  const socket = h.server.last();
  await clock.advance(1_000);
  socket.push({ op: 'pong', ref: 'x' });
  clock.jump(85_000); // background tab: no timer fired
  h.network.signal('wake');
  await flush();
  assert.equal(socket.frames('auth').length, 1, 'the overdue refresh is done as soon as the tab wakes');
});

test('aTokenWithoutLifetimeIsNeverRefreshedInBand', async () => {
  const h = await connected({ token: 'opaque-token' });
  await h.clock.advance(3_600_000);
  assert.equal(h.server.last().frames('auth').length, 0);
});

// ---- heartbeat ----

test('pingsAnIdleConnectionAndDropsOneThatStaysSilent', async () => {
  const h = await connected();
  const socket = h.server.last();
  await h.clock.advance(19_999);
  assert.equal(socket.frames('ping').length, 0);
  await h.clock.advance(1);
  assert.equal(socket.frames('ping').length, 1, 'idle for a ping interval: ping');
  await h.clock.advance(9_999);
  assert.equal(h.client.state, 'connected');
  await h.clock.advance(1);
  assert.equal(h.client.state, 'reconnecting', 'no reply for the pong timeout: dead');
  assert.equal(h.errors.at(-1).closeCode, 1006);
});

test('aReplyToThePingKeepsTheConnection', async () => {
  const h = await connected();
  const socket = h.server.last();
  for (let i = 0; i < 10; i++) {
    await h.clock.advance(10_000);
    const pings = socket.frames('ping');
    if (pings.length > 0 && !socket.answeredPings?.has(pings.at(-1).ref)) {
      socket.answeredPings = socket.answeredPings || new Set();
      socket.answeredPings.add(pings.at(-1).ref);
      socket.push({ op: 'pong', ref: pings.at(-1).ref });
    }
  }
  assert.equal(h.client.state, 'connected');
  assert.ok(socket.frames('ping').length >= 3);
});

test('aTickDelayedByBackgroundThrottlingDoesNotKillAHealthyConnection', async () => {
  const h = await connected();
  const socket = h.server.last();
  h.clock.jump(5 * 60_000); // the tab was hidden for five minutes; one late tick fires now
  await h.clock.advance(0);
  assert.equal(h.client.state, 'connected');
  assert.equal(socket.frames('ping').length, 1, 'it pings instead of judging by the idle time');
  socket.push({ op: 'pong', ref: socket.frames('ping')[0].ref });
  h.clock.jump(60_000); // the next tick is late again, but the pong came
  await h.clock.advance(0);
  assert.equal(h.client.state, 'connected');
});

test('aSilentConnectionIsDetectedOnTheFirstLateTickAfterThePongDeadline', async () => {
  const h = await connected();
  h.clock.jump(5 * 60_000);
  await h.clock.advance(0); // late tick: ping
  h.clock.jump(60_000); // throttled: the pong check fires a minute late, no reply came
  await h.clock.advance(0);
  assert.equal(h.client.state, 'reconnecting');
});

test('anOnlineSignalWhileConnectedChecksTheConnectionAtOnce', async () => {
  const h = await connected();
  h.clock.jump(2_000);
  h.network.signal('online'); // e.g. a Wi-Fi switch the browser reported without 'offline'
  assert.equal(h.server.last().frames('ping').length, 1);
  await h.clock.advance(10_000);
  assert.equal(h.client.state, 'reconnecting', 'the old socket did not answer');
});

test('wakingUpPingsAtOnce', async () => {
  const h = await connected();
  h.clock.jump(3_000);
  h.network.signal('wake');
  assert.equal(h.server.last().frames('ping').length, 1);
});

// ---- online / offline, disconnect, close ----

test('goesOfflineWithTheNetworkAndReconnectsAtOnceWhenItIsBack', async () => {
  const h = await connected();
  h.server.last().event('user', 'a', 'notification', {}, 'c-a');
  h.network.signal('offline');
  assert.equal(h.client.state, 'offline');
  assert.equal(h.client.stats().offlineReason, 'network');
  await h.clock.advance(10 * 60_000);
  assert.equal(h.server.sockets.length, 1, 'no attempts while offline');
  h.network.signal('online');
  assert.equal(h.client.state, 'reconnecting');
  await flush();
  assert.equal(h.server.sockets.length, 2);
  h.server.last().accept();
  assert.equal(h.server.last().frames('subscribe')[0].cursor, 'c-a');
  h.server.last().confirm();
  await flush();
  assert.deepEqual(h.states, ['connecting', 'connected', 'offline', 'reconnecting', 'connected']);
});

test('startingOfflineWaitsForTheNetwork', async () => {
  const h = harness({ network: new FakeNetwork(false) });
  h.client.connect();
  await flush();
  assert.equal(h.client.state, 'offline');
  assert.equal(h.server.sockets.length, 0);
  h.network.signal('online');
  await flush();
  assert.equal(h.server.sockets.length, 1);
  assert.equal(h.client.state, 'connecting');
});

test('disconnectStaysOfflineAndConnectCatchesUpFromTheCursor', async () => {
  const h = await connected();
  h.server.last().event('user', 'a', 'credits.updated', { balance: 1 }, 'c-a');
  h.client.disconnect();
  assert.equal(h.client.state, 'offline');
  assert.equal(h.client.stats().offlineReason, 'manual');
  assert.deepEqual(h.server.last().closedByClient, { code: 1000, reason: 'client closed' });
  h.network.signal('online');
  await h.clock.advance(60_000);
  assert.equal(h.server.sockets.length, 1);
  const back = h.client.connect();
  await flush();
  h.server.last().accept();
  assert.equal(h.server.last().frames('subscribe')[0].cursor, 'c-a');
  h.server.last().confirm();
  await back;
  h.server.last().event('user', 'b', 'credits.updated', { balance: 2 }, 'c-b');
  assert.deepEqual(h.events.map((e) => e.id), ['a', 'b']);
  assert.deepEqual(h.states, ['connecting', 'connected', 'offline', 'reconnecting', 'connected']);
});

test('reconnectDropsTheConnectionAndConnectsAgainAtOnce', async () => {
  const h = await connected();
  const done = h.client.reconnect();
  assert.equal(h.client.state, 'reconnecting');
  await flush();
  assert.equal(h.server.sockets.length, 2);
  h.server.last().accept();
  h.server.last().confirm();
  await done;
  assert.equal(h.client.state, 'connected');
});

test('closeOnLogoutClosesNormallyReleasesEverythingAndForgetsCursors', async () => {
  const storage = new MemoryStorage();
  const hub = new BroadcastHub();
  const h = await connected({ options: { storage, broadcast: hub.factory } });
  h.server.last().event('user', 'a', 'credits.updated', { balance: 1 }, 'c-a');
  assert.ok(storage.getItem('tidewire.cursors:u1'));
  assert.equal(hub.channels.size, 1);
  await h.client.close({ forgetCursors: true });
  assert.equal(h.client.state, 'closed');
  assert.deepEqual(h.server.last().closedByClient, { code: 1000, reason: 'client closed' });
  assert.equal(storage.getItem('tidewire.cursors:u1'), null);
  assert.equal(hub.channels.size, 0);
  assert.equal(h.network.listeners.size, 0);
  assert.deepEqual(h.clock.delays(), [], 'no timer left');
  h.network.signal('online');
  await h.clock.advance(60_000);
  assert.equal(h.server.sockets.length, 1);
});

test('persistedCursorsResumeANewClientOfTheSameUser', async () => {
  const storage = new MemoryStorage();
  const first = await connected({ options: { storage, channels: ['user', 'feed'] } });
  first.server.last().event('user', 'a', 'notification', {}, 'c-a');
  first.server.last().event('feed', 'f', 'feed.counts', {}, 'f-1');
  await first.client.close();
  const second = harness({ options: { storage, channels: ['user', 'feed'] } });
  second.client.connect();
  await flush();
  second.server.last().accept();
  assert.deepEqual(second.server.last().frames('subscribe').map((f) => f.cursor), ['c-a', 'f-1']);
});

test('persistCursorsTrueUsesLocalStorageWhereThereIsOne', async () => {
  const storage = new MemoryStorage();
  globalThis.localStorage = storage;
  try {
    const h = await connected({ options: { persistCursors: true } });
    h.server.last().event('user', 'a', 'notification', {}, 'c-a');
    assert.equal(JSON.parse(storage.getItem('tidewire.cursors:u1')).user, 'c-a');
  } finally {
    delete globalThis.localStorage;
  }
});

// ---- channels held on demand ----

test('channelsHeldWhileConnectedAreSubscribedAndUnsubscribedByTheLastHolder', async () => {
  const h = await connected();
  const socket = h.server.last();
  const releaseA = h.client.subscribe('feed');
  const releaseB = h.client.subscribe('feed');
  assert.deepEqual(socket.frames('subscribe').map((f) => f.channel), ['user', 'feed']);
  socket.confirm();
  socket.event('feed', 'f', 'feed.counts', {}, 'f-1');
  releaseA();
  releaseA();
  assert.equal(socket.frames('unsubscribe').length, 0);
  releaseB();
  assert.deepEqual(socket.frames('unsubscribe').map((f) => f.channel), ['feed']);
  assert.equal(h.client.cursor('feed'), undefined, 'a channel held again starts live');
  assert.deepEqual(h.client.channels(), ['user']);
});

test('channelsHeldBeforeConnectingAreSubscribedWithTheConnection', async () => {
  const h = harness({ options: { channels: [] } });
  h.client.subscribe('feed');
  h.client.connect();
  await flush();
  h.server.last().accept();
  assert.deepEqual(h.server.last().frames('subscribe').map((f) => f.channel), ['feed']);
});

test('noChannelMeansConnectedAsSoonAsOpen', async () => {
  const h = harness({ options: { channels: [] } });
  const done = h.client.connect();
  await flush();
  h.server.last().accept();
  await done;
  assert.equal(h.client.state, 'connected');
});

// ---- cross-tab ----

async function twoTabs(userB = 'u1') {
  const hub = new BroadcastHub();
  const clock = new FakeClock();
  const now = clock.now() / 1000;
  const a = await connected({ clock, options: { broadcast: hub.factory } });
  const b = await connected({ clock, token: jwt({ sub: userB, exp: now + 3600 }), options: { broadcast: hub.factory } });
  return { a, b };
}

test('creditUpdatesReachTheOtherTabsEvenWhileTheirSocketIsDown', async () => {
  const { a, b } = await twoTabs();
  b.server.last().serverClose(1006);
  assert.equal(b.client.state, 'reconnecting');
  a.server.last().event('user', 'cr1', 'credits.updated', { balance: 42, delta: 2 }, 'a-1');
  a.server.last().event('user', 'n1', 'notification', { id: 'n1' }, 'a-2');
  assert.deepEqual(b.events.map((e) => [e.id, e.data.balance, e.fromOtherTab]), [['cr1', 42, true]], 'only credit updates are shared');
  assert.equal(b.client.cursor('user'), 'user-live', "another tab's event does not move the cursor");
  await b.clock.advance(250);
  b.server.last().accept();
  b.server.last().confirm();
  b.server.last().event('user', 'cr1', 'credits.updated', { balance: 42, delta: 2 }, 'b-1');
  b.server.last().event('user', 'n1', 'notification', { id: 'n1' }, 'b-2');
  assert.deepEqual(b.events.map((e) => e.id), ['cr1', 'n1'], 'the own copy is not delivered again');
  assert.equal(b.client.cursor('user'), 'b-2', 'but moves the cursor');
  assert.equal(a.events.filter((e) => e.fromOtherTab).length, 0, 'events from other tabs are not echoed back');
});

test('anotherUsersTabIsIgnored', async () => {
  const { a, b } = await twoTabs('someone-else');
  a.server.last().event('user', 'cr1', 'credits.updated', { balance: 42, delta: 2 }, 'a-1');
  assert.equal(b.events.length, 0);
});

test('crossTabFalseNeverOpensABroadcastChannel', async () => {
  const hub = new BroadcastHub();
  await connected({ options: { broadcast: hub.factory, crossTab: false } });
  assert.equal(hub.channels.size, 0);
});

test('optionsAreValidated', () => {
  assert.throws(() => new TidewireClient({ token: 't' }), /url/);
  assert.throws(() => new TidewireClient({ url: 'ftp://x', token: 't' }), /ws:\/\//);
  assert.throws(() => new TidewireClient({ url: 'ws://x' }), /token/);
  assert.throws(() => new TidewireClient({ url: 'ws://x', token: 't', channels: [{}] }), /name/);
  const c = new TidewireClient({ url: 'https://x/v1/realtime', token: 't', WebSocket: new FakeServer().WebSocket, network: null, broadcast: null });
  assert.equal(c.url, 'wss://x/v1/realtime');
  assert.equal(c.state, 'idle');
});
