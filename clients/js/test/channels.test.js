import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncDiff, syncState } from '../src/presence.js';
import { flush, harness } from './support/fakes.js';

/** Connects a harness client (no stream channels) and returns it with its socket. */
async function connected(overrides) {
  const h = harness({ ...overrides, options: { channels: [], ...overrides?.options } });
  const done = h.client.connect();
  await flush();
  h.server.last().accept();
  await done;
  return { ...h, socket: h.server.last() };
}

/** Answers the socket's last `join` with `joined` and `presence`. */
function answerJoin(socket, presence = {}) {
  const join = socket.frames('join').at(-1);
  socket.push({ op: 'joined', ref: join.ref, channel: join.channel, presence });
  return join;
}

const alice = (ref, meta = { name: 'Alice' }) => ({ ref, meta });

test('presenceSyncStateTellsWhoCameAndWentWhileAway', () => {
  const before = { alice: [alice('a1'), alice('a2')], bob: [{ ref: 'b1', meta: {} }] };
  const server = { alice: [alice('a2'), alice('a3')], carol: [{ ref: 'c1', meta: {} }] };
  const t = syncState(before, server);
  assert.deepEqual(Object.keys(t.state).sort(), ['alice', 'carol']);
  assert.deepEqual(t.joins, { alice: [alice('a3')], carol: [{ ref: 'c1', meta: {} }] });
  assert.deepEqual(t.leaves, { alice: [alice('a1')], bob: [{ ref: 'b1', meta: {} }] });
});

test('presenceSyncDiffIsIdempotentAndKeepsAUserOnlineUntilTheLastConnectionLeaves', () => {
  const two = syncDiff({}, { alice: [alice('a1'), alice('a2')] }, {}).state;
  const again = syncDiff(two, { alice: [alice('a1')] }, {});
  assert.deepEqual(again.joins, {}, 'the same join twice changes nothing');
  const one = syncDiff(two, {}, { alice: [alice('a1')] });
  assert.deepEqual(one.state, { alice: [alice('a2')] });
  const none = syncDiff(one.state, {}, { alice: [alice('a2')] });
  assert.deepEqual(none.state, {});
  assert.deepEqual(syncDiff(none.state, {}, { alice: [alice('a2')] }).leaves, {}, 'an unknown leave is ignored');
  const renamed = syncDiff(two, { alice: [alice('a1', { name: 'Alice B.' })] }, {});
  assert.deepEqual(renamed.state.alice.map((p) => p.meta.name).sort(), ['Alice', 'Alice B.']);
});

test('joinSendsSelfAndAckAndResolvesWithThePresenceState', async () => {
  const { client, socket } = await connected();
  const room = client.channel('room:lobby', { self: true, ack: true });
  const joined = room.join();
  assert.equal(room.state, 'joining');
  const join = answerJoin(socket, { alice: [alice('a1')] });
  assert.deepEqual({ channel: join.channel, self: join.self, ack: join.ack }, { channel: 'room:lobby', self: true, ack: true });
  assert.deepEqual(await joined, { alice: [alice('a1')] });
  assert.equal(room.state, 'joined');
  assert.equal(client.channel('room:lobby'), room, 'the same object for the same name');
  assert.throws(() => client.channel('room:lobby', { self: false }), /already in use/);
});

test('broadcastsAreHandedOverOncePerIdAndFilteredByEvent', async () => {
  const { client, socket } = await connected();
  const room = client.channel('room:dup');
  const typing = [];
  const all = [];
  room.onBroadcast('typing', (b) => typing.push(b));
  room.onBroadcast('*', (b) => all.push(b.id));
  const joined = room.join();
  answerJoin(socket);
  await joined;
  const frame = { op: 'broadcast', channel: 'room:dup', id: 'm1', event: 'typing', from: 'bob', payload: { item: 'video:1' } };
  socket.push(frame);
  socket.push(frame);
  socket.push({ ...frame, id: 'm2', event: 'other' });
  assert.deepEqual(typing, [{ channel: 'room:dup', id: 'm1', event: 'typing', from: 'bob', payload: { item: 'video:1' } }]);
  assert.deepEqual(all, ['m1', 'm2']);
});

test('anAcknowledgedBroadcastResolvesWithItsIdAndAnErrorRejectsIt', async () => {
  const { client, socket } = await connected();
  const room = client.channel('room:ack', { ack: true });
  const joined = room.join();
  answerJoin(socket);
  await joined;
  const sent = room.broadcast('ping', { n: 1 });
  const frame = socket.frames('broadcast').at(-1);
  assert.deepEqual({ event: frame.event, payload: frame.payload }, { event: 'ping', payload: { n: 1 } });
  socket.push({ op: 'broadcast_ack', ref: frame.ref, channel: 'room:ack', id: 'm-9' });
  assert.equal(await sent, 'm-9');
  const limited = room.broadcast('ping', {});
  socket.push({ op: 'error', ref: socket.frames('broadcast').at(-1).ref, code: 'rate_limited', message: 'slow down' });
  await assert.rejects(limited, /rate_limited: slow down/);
  await assert.rejects(room.broadcast('', {}), /blank/);
  await assert.rejects(client.channel('room:never').broadcast('x', {}), /not joined/);
});

test('trackBeforeJoinedIsSentOnceJoinedAndAgainAfterAReconnect', async () => {
  const { client, socket, clock, server } = await connected();
  const room = client.channel('room:again');
  const changes = [];
  room.onPresence((c) => changes.push(c));
  const joined = room.join();
  const tracked = room.track({ name: 'Me' });
  answerJoin(socket, { bob: [{ ref: 'b1', meta: {} }] });
  await joined;
  const track = socket.frames('track').at(-1);
  assert.deepEqual(track.meta, { name: 'Me' });
  socket.push({ op: 'tracked', ref: track.ref, channel: 'room:again' });
  await tracked;

  socket.serverClose(1011, 'restart');
  await clock.advance(1000);
  const second = server.last();
  assert.notEqual(second, socket);
  second.accept();
  await flush();
  assert.equal(room.state, 'joining');
  answerJoin(second, { carol: [{ ref: 'c1', meta: {} }] });
  assert.deepEqual(second.frames('track').at(-1).meta, { name: 'Me' }, 'tracked again after the rejoin');
  const last = changes.at(-1);
  assert.deepEqual(Object.keys(last.joins), ['carol']);
  assert.deepEqual(Object.keys(last.leaves), ['bob'], 'who left while the client was away');
});

test('presenceDiffsUpdateTheStateAndTellListeners', async () => {
  const { client, socket } = await connected();
  const room = client.channel('room:diff');
  const changes = [];
  room.onPresence((c) => changes.push(c));
  const joined = room.join();
  answerJoin(socket, {});
  await joined;
  socket.push({ op: 'presence_diff', channel: 'room:diff', joins: { alice: [alice('a1')] }, leaves: {} });
  assert.deepEqual(room.presence, { alice: [alice('a1')] });
  socket.push({ op: 'presence_diff', channel: 'room:diff', joins: {}, leaves: { alice: [alice('a1')] } });
  assert.deepEqual(room.presence, {});
  assert.equal(changes.length, 3, 'the state on join, the join, the leave');
});

test('aForbiddenJoinIsRefusedForGoodAndReported', async () => {
  const { client, socket, errors } = await connected();
  const other = client.channel('user:someone-else');
  const joined = other.join();
  socket.push({ op: 'error', ref: socket.frames('join').at(-1).ref, code: 'forbidden', message: 'not yours' });
  await assert.rejects(joined, /forbidden: not yours/);
  assert.equal(other.state, 'refused');
  assert.equal(errors.at(-1).kind, 'join_refused');
  assert.equal(client.state, 'connected', 'a refused join does not end the connection');
});

test('holdJoinsOnTheFirstHolderAndLeavesAfterTheLast', async () => {
  const { client, socket } = await connected();
  const room = client.channel('room:held');
  const release1 = room.hold();
  const release2 = room.hold();
  assert.equal(socket.frames('join').length, 1);
  answerJoin(socket);
  await flush();
  release1();
  release1();
  assert.equal(socket.frames('leave').length, 0);
  release2();
  assert.equal(socket.frames('leave').length, 1);
  assert.equal(room.state, 'left');
});

test('pendingRequestsFailWhenTheConnectionEnds', async () => {
  const { client, socket } = await connected();
  const room = client.channel('room:drop', { ack: true });
  const joined = room.join();
  answerJoin(socket);
  await joined;
  const sent = room.broadcast('x', {});
  socket.serverClose(1011, 'gone');
  await assert.rejects(sent, /connection ended/);
});
