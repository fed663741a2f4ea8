// usePresence, useTypingIndicator and useBroadcast with a real React renderer (react-dom on
// happy-dom) against the fake gateway socket; time is the FakeClock's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { flush, harness } from './support/fakes.js';
import { useReactDom } from './support/react-dom.js';

const dom = useReactDom();
const h = (...args) => dom.h(...args);
const act = (fn) => dom.act(fn);
const { render, server } = dom;
const hooks = new Proxy({}, { get: (_, name) => dom.hooks[name] });

/** A connected harness without stream channels; its socket answers joins, tracks and untracks. */
async function connected() {
  const t = harness({ options: { channels: [] } });
  const done = t.client.connect();
  await flush();
  t.server.last().accept();
  await done;
  return { ...t, socket: t.server.last() };
}

function answerAll(socket, presence = {}) {
  socket.answered = socket.answered || new Set();
  for (const f of socket.sent) {
    if (socket.answered.has(f.ref)) continue;
    socket.answered.add(f.ref);
    if (f.op === 'join') socket.push({ op: 'joined', ref: f.ref, channel: f.channel, presence });
    if (f.op === 'track') socket.push({ op: 'tracked', ref: f.ref, channel: f.channel });
    if (f.op === 'untrack') socket.push({ op: 'untracked', ref: f.ref, channel: f.channel });
    if (f.op === 'leave') socket.push({ op: 'left', ref: f.ref, channel: f.channel });
  }
}

function Online({ channel, meta }) {
  const users = hooks.usePresence(channel, meta);
  return h('span', { 'data-t': 'online' }, users.map((u) => `${u.userId}:${u.meta.name ?? ''}`).join(','));
}

test('usePresenceTracksTheMetaAndShowsWhoIsOnlineLive', async () => {
  const t = await connected();
  const view = await render(h(hooks.TidewireProvider, { client: t.client }, h(Online, { channel: 'room:lobby', meta: { name: 'Me' } })));
  await server(() => answerAll(t.socket, { bob: [{ ref: 'b1', meta: { name: 'Bob' } }] }));
  assert.deepEqual(t.socket.frames('join').map((f) => f.channel), ['room:lobby']);
  assert.deepEqual(t.socket.frames('track').map((f) => f.meta), [{ name: 'Me' }]);
  assert.equal(view.text('online'), 'bob:Bob');
  await server(() => t.socket.push({ op: 'presence_diff', channel: 'room:lobby',
    joins: { u1: [{ ref: 'me', meta: { name: 'Me' } }], carol: [{ ref: 'c1', meta: { name: 'Carol' } }] }, leaves: {} }));
  assert.equal(view.text('online'), 'bob:Bob,u1:Me,carol:Carol');
  await server(() => t.socket.push({ op: 'presence_diff', channel: 'room:lobby', joins: {},
    leaves: { bob: [{ ref: 'b1', meta: { name: 'Bob' } }] } }));
  assert.equal(view.text('online'), 'u1:Me,carol:Carol');

  await view.rerender(h(hooks.TidewireProvider, { client: t.client }, h(Online, { channel: 'room:lobby', meta: { name: 'Me 2' } })));
  await server(() => answerAll(t.socket));
  assert.deepEqual(t.socket.frames('track').map((f) => f.meta), [{ name: 'Me' }, { name: 'Me 2' }], 'tracked again when the meta changes');
  await view.unmount();
  assert.deepEqual(t.socket.frames('leave').map((f) => f.channel), ['room:lobby'], 'left when the last hook unmounted');
});

function Typing({ channel, clock }) {
  const { typing, notifyTyping, stopTyping } = hooks.useTypingIndicator(channel, { timers: clock, now: clock.now });
  return h('div', null,
    h('span', { 'data-t': 'typing' }, typing.join(',')),
    h('button', { 'data-t': 'key', onClick: () => notifyTyping({ name: 'Me' }) }, 'key'),
    h('button', { 'data-t': 'send', onClick: stopTyping }, 'send'));
}

test('useTypingIndicatorSendsDebouncedAndShowsOthersUntilTheyStopOrExpire', async () => {
  const t = await connected();
  const view = await render(h(hooks.TidewireProvider, { client: t.client }, h(Typing, { channel: 'item:video:v1', clock: t.clock })));
  await server(() => answerAll(t.socket));
  const key = () => act(async () => view.container.querySelector('[data-t="key"]').click());
  const sent = () => t.socket.frames('broadcast').map((f) => f.payload.typing);

  await key();
  await key();
  await act(() => t.clock.advance(1000));
  await key();
  assert.deepEqual(sent(), [true], 'one typing:true per 2 s, however many keystrokes');
  await act(() => t.clock.advance(1500));
  await key();
  assert.deepEqual(sent(), [true, true]);
  assert.deepEqual(t.socket.frames('broadcast')[0].payload, { name: 'Me', typing: true });
  await act(() => t.clock.advance(3000));
  assert.deepEqual(sent(), [true, true, false], 'typing:false after 3 s without a keystroke');
  await key();
  await act(async () => view.container.querySelector('[data-t="send"]').click());
  assert.deepEqual(sent(), [true, true, false, true, false], 'stopTyping says so at once');

  const typing = (from, id, value = true) => server(() => t.socket.push({ op: 'broadcast', channel: 'item:video:v1',
    id, event: 'typing', from, payload: { typing: value } }));
  await typing('bob', 'm1');
  await typing('carol', 'm2');
  assert.equal(view.text('typing'), 'bob,carol');
  await typing('bob', 'm3', false);
  assert.equal(view.text('typing'), 'carol', 'typing:false hides at once');
  await act(() => t.clock.advance(4000));
  await typing('dave', 'm4');
  assert.equal(view.text('typing'), 'carol,dave');
  await act(() => t.clock.advance(1500));
  assert.equal(view.text('typing'), 'dave', 'carol expired 5 s after her last typing:true');
  await act(() => t.clock.advance(5000));
  assert.equal(view.text('typing'), '');
  await view.unmount();
});

test('aKeystrokeBeforeTheJoinTookEffectDoesNotUseUpTheSendWindow', async () => {
  const t = await connected();
  const view = await render(h(hooks.TidewireProvider, { client: t.client }, h(Typing, { channel: 'item:video:v2', clock: t.clock })));
  const key = () => act(async () => view.container.querySelector('[data-t="key"]').click());
  await key();
  assert.equal(t.socket.frames('broadcast').length, 0, 'not joined yet: nothing to send on');
  await server(() => answerAll(t.socket));
  await key();
  assert.deepEqual(t.socket.frames('broadcast').map((f) => f.payload.typing), [true], 'sent at once once joined');
  await view.unmount();
});

function Chat({ channel, got }) {
  const send = hooks.useBroadcast(channel, 'chat', (b) => got.push(`${b.from}:${b.payload.text}`));
  return h('button', { 'data-t': 'send', onClick: () => send({ text: 'hi' }).catch(() => {}) }, 'send');
}

test('useBroadcastHandsOverEachMessageOnceAndSends', async () => {
  const t = await connected();
  const got = [];
  const view = await render(h(hooks.TidewireProvider, { client: t.client }, h(Chat, { channel: 'room:chat', got })));
  await server(() => answerAll(t.socket));
  const frame = { op: 'broadcast', channel: 'room:chat', id: 'm1', event: 'chat', from: 'bob', payload: { text: 'yo' } };
  await server(() => {
    t.socket.push(frame);
    t.socket.push(frame);
    t.socket.push({ ...frame, id: 'm2', event: 'other' });
  });
  assert.deepEqual(got, ['bob:yo']);
  await act(async () => view.container.querySelector('[data-t="send"]').click());
  assert.deepEqual(t.socket.frames('broadcast').map((f) => [f.channel, f.event, f.payload.text]), [['room:chat', 'chat', 'hi']]);
  await view.unmount();
});
