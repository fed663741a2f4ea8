// The client in Node.js: the `ws` package where there is no global WebSocket (Node.js 20 and 21),
// a message naming the fix where there is neither, and cursors kept in a file. Against a real `ws`
// server on the loopback interface that speaks just enough of the protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocketServer } from 'ws';
import { TidewireClient } from '../src/index.js';
import { fileCursorStorage } from '../src/node/index.js';
import { NO_WEBSOCKET, loadWebSocket } from '../src/environment.js';
import { jwt } from './support/fakes.js';

const token = () => jwt({ sub: 'u1', exp: Date.now() / 1000 + 3600 });

/** Runs `fn` as on Node.js 20: no global WebSocket. */
async function withoutGlobalWebSocket(fn) {
  const global = Object.getOwnPropertyDescriptor(globalThis, 'WebSocket');
  delete globalThis.WebSocket;
  try {
    return await fn();
  } finally {
    if (global) Object.defineProperty(globalThis, 'WebSocket', global);
  }
}

/**
 * A gateway stand-in: confirms every subscribe (recording its cursor), then sends one event per
 * channel with cursor `<channel>-1`.
 */
async function gateway() {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const subscribes = [];
  server.on('connection', (socket) => {
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data));
      if (frame.op !== 'subscribe') return;
      subscribes.push(frame);
      socket.send(JSON.stringify({ op: 'subscribed', ref: frame.ref, channel: frame.channel,
        recovered: Boolean(frame.cursor), cursor: frame.cursor ?? `${frame.channel}-0` }));
      socket.send(JSON.stringify({ op: 'event', channel: frame.channel, id: `${frame.channel}-e1`,
        type: 'notification', cursor: `${frame.channel}-1`, ts: 1, data: {} }));
    });
  });
  return {
    url: `ws://127.0.0.1:${server.address().port}/v1/realtime`,
    subscribes,
    close: () => new Promise((resolve) => {
      for (const client of server.clients) client.terminate();
      server.close(resolve);
    }),
  };
}

test('connectsThroughWsWhereThereIsNoGlobalWebSocket', async () => {
  const server = await gateway();
  try {
    await withoutGlobalWebSocket(async () => {
      const client = new TidewireClient({ url: server.url, token: token(), pingIntervalMs: 0, crossTab: false });
      const events = [];
      client.on('event', (e) => events.push(e.id));
      const delivered = new Promise((resolve) => client.on('event', resolve));
      await client.connect();
      await delivered;
      assert.equal(client.state, 'connected');
      assert.deepEqual(events, ['user-e1']);
      await client.close();
    });
  } finally {
    await server.close();
  }
});

test('withoutWsTheWebSocketLoaderNamesTheFix', async () => {
  await withoutGlobalWebSocket(async () => {
    const missing = async () => { throw new Error("Cannot find package 'ws'"); };
    await assert.rejects(loadWebSocket(missing), { message: NO_WEBSOCKET });
    await assert.rejects(loadWebSocket(async () => ({})), { message: NO_WEBSOCKET });
    assert.match(NO_WEBSOCKET, /npm install ws/);
  });
});

test('persistCursorsWithoutAnyStorageThrowsNamingTheFix', () => {
  assert.throws(() => new TidewireClient({ url: 'ws://127.0.0.1:9/v1/realtime', token: token(), persistCursors: true }),
    { name: 'TypeError', message: /fileCursorStorage\('tidewire-cursors\.json'\) from '@tidewire\/client\/node'/ });
});

test('aFileCursorStorageResumesANewProcessFromTheLastHandledCursor', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tidewire-cursors-'));
  const file = join(dir, 'nested', 'cursors.json');
  const server = await gateway();
  try {
    const storage = fileCursorStorage(file);
    const first = new TidewireClient({ url: server.url, token: token(), pingIntervalMs: 0, crossTab: false,
      persistCursors: true, storage });
    const handled = new Promise((resolve) => first.on('event', resolve));
    await first.connect();
    await handled;
    await first.close();
    await storage.getItem('tidewire.cursors:u1'); // waits for the writes before it
    assert.equal(JSON.parse(JSON.parse(await readFile(file, 'utf8'))['tidewire.cursors:u1']).user, 'user-1');

    // a new process: a new storage over the same file
    const second = new TidewireClient({ url: server.url, token: token(), pingIntervalMs: 0, crossTab: false,
      storage: fileCursorStorage(file) });
    await second.connect();
    await second.close();
    assert.deepEqual(server.subscribes.map((f) => f.cursor ?? null), [null, 'user-1']);
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('aFileCursorStorageWritesOneAtATimeAndForgets', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tidewire-cursors-'));
  const file = join(dir, 'cursors.json');
  try {
    const storage = fileCursorStorage(file);
    assert.equal(await storage.getItem('a'), null);
    await Promise.all(Array.from({ length: 20 }, (_, i) => storage.setItem(`k${i}`, `v${i}`)));
    await storage.removeItem('k3');
    const reread = fileCursorStorage(file);
    assert.equal(await reread.getItem('k19'), 'v19');
    assert.equal(await reread.getItem('k3'), null);
    assert.equal(Object.keys(JSON.parse(await readFile(file, 'utf8'))).length, 19);
    assert.throws(() => fileCursorStorage(''), TypeError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
