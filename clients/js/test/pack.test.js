// The package as users get it: `npm pack`, the tarball installed into a fresh project (offline,
// no registry), imported from Node.js through its exports, used with and without the `ws` peer
// dependency, and a TypeScript consumer type-checked against its declarations.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as mainExports from '../src/index.js';
import * as nodeExports from '../src/node/index.js';
import * as reactExports from '../src/react/index.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
/** Node.js 22+ has a global WebSocket: this flag takes it away, as on Node.js 20. */
const noGlobalWebSocket = typeof globalThis.WebSocket === 'function' ? ['--no-experimental-websocket'] : [];

let dir;
let app;
let packed;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tidewire-pack-'));
  const { stdout } = await run(npm, ['pack', '--json', '--pack-destination', dir], { cwd: root });
  packed = JSON.parse(stdout)[0];
  app = join(dir, 'app');
  await mkdir(app);
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  await run(npm, ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', join(dir, packed.filename)], { cwd: app });
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Runs an ES module in the app project; returns its stdout. */
async function inApp(name, source, nodeOptions = []) {
  await writeFile(join(app, name), source);
  const { stdout } = await run(process.execPath, [...nodeOptions, name], { cwd: app, timeout: 30_000 });
  return stdout;
}

/** Makes a package of this repository's node_modules available in the app (as `npm install` would). */
async function provide(name) {
  await cp(join(root, 'node_modules', name), join(app, 'node_modules', name), { recursive: true });
}

test('thePackageHoldsTheSourcesTheTypesAndTheReadmeOnly', () => {
  const files = packed.files.map((f) => f.path).sort();
  for (const expected of ['package.json', 'README.md', 'src/index.js', 'src/node/index.js', 'src/node/file-storage.js',
    'src/react/index.js', 'types/index.d.ts', 'types/node.d.ts', 'types/react.d.ts']) {
    assert.ok(files.includes(expected), `${expected} is packed`);
  }
  assert.deepEqual(files.filter((f) => !/^(src|types)\/|^(package\.json|README\.md|LICENSE)$/.test(f)), []);
});

test('theInstalledPackageExportsWhatTheSourcesExport', async () => {
  await provide('react');
  const out = await inApp('exports.mjs', `
    const keys = async (name) => Object.keys(await import(name)).sort();
    let internal;
    try { await import('@tidewire/client/src/client.js'); internal = 'importable'; } catch (e) { internal = e.code; }
    console.log(JSON.stringify({
      main: await keys('@tidewire/client'), node: await keys('@tidewire/client/node'),
      react: await keys('@tidewire/client/react'), internal,
    }));
  `);
  const exported = JSON.parse(out);
  assert.deepEqual(exported.main, Object.keys(mainExports).sort());
  assert.deepEqual(exported.node, Object.keys(nodeExports).sort());
  assert.deepEqual(exported.react, Object.keys(reactExports).sort());
  assert.equal(exported.internal, 'ERR_PACKAGE_PATH_NOT_EXPORTED');
});

test('withoutWsAndWithoutAGlobalWebSocketConnectRejectsAtOnceNamingTheFix', async () => {
  const out = await inApp('no-ws.mjs', `
    import { TidewireClient } from '@tidewire/client';
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = b64({ alg: 'HS256' }) + '.' + b64({ sub: 'u1', exp: Date.now() / 1000 + 60 }) + '.c2ln';
    const client = new TidewireClient({ url: 'ws://127.0.0.1:9/v1/realtime', token });
    const errors = [];
    client.on('error', (e) => errors.push(e.kind));
    const started = Date.now();
    client.connect().then(() => console.log(JSON.stringify({ connected: true })), (error) =>
      console.log(JSON.stringify({ message: error.message, state: client.state, errors, ms: Date.now() - started })));
  `, noGlobalWebSocket);
  const result = JSON.parse(out);
  assert.match(result.message, /npm install ws/);
  assert.equal(result.state, 'closed');
  assert.deepEqual(result.errors, ['connect_failed']);
  assert.ok(result.ms < 5_000, `settled after ${result.ms} ms`);
});

test('withWsInstalledItConnectsWhereThereIsNoGlobalWebSocket', async () => {
  await provide('ws');
  const out = await inApp('with-ws.mjs', `
    import { WebSocketServer } from 'ws';
    import { TidewireClient } from '@tidewire/client';
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    server.on('connection', (socket) => socket.on('message', (data) => {
      const f = JSON.parse(String(data));
      if (f.op === 'subscribe') socket.send(JSON.stringify({ op: 'subscribed', ref: f.ref, channel: f.channel, recovered: false, cursor: 'c0' }));
    }));
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = b64({ alg: 'HS256' }) + '.' + b64({ sub: 'u1', exp: Date.now() / 1000 + 60 }) + '.c2ln';
    const client = new TidewireClient({ url: 'ws://127.0.0.1:' + server.address().port + '/v1/realtime', token, pingIntervalMs: 0 });
    await client.connect();
    console.log(JSON.stringify({ state: client.state, cursor: client.cursor('user') }));
    await client.close();
    server.close();
  `, noGlobalWebSocket);
  assert.deepEqual(JSON.parse(out), { state: 'connected', cursor: 'c0' });
});

test('aTypeScriptConsumerTypeChecksAgainstTheInstalledDeclarations', async () => {
  await provide('react');
  await provide('@types/react');
  await provide('csstype');
  await writeFile(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, noEmit: true, target: 'es2022', lib: ['es2022', 'dom'], module: 'nodenext',
      moduleResolution: 'nodenext', jsx: 'react-jsx', types: [],
    },
    files: ['consumer.tsx'],
  }));
  await writeFile(join(app, 'consumer.tsx'), `
    import { TidewireClient, type ClientOptions, type TidewireEvent } from '@tidewire/client';
    import { fileCursorStorage } from '@tidewire/client/node';
    import { TidewireProvider, useCreditUpdates } from '@tidewire/client/react';

    const options: ClientOptions = {
      url: 'wss://realtime.example.com/v1/realtime',
      token: async () => 'token',
      persistCursors: true,
      storage: fileCursorStorage('tidewire-cursors.json'),
    };
    const client = new TidewireClient(options);
    client.on('event', (event: TidewireEvent) => console.log(event.type, event.id, event.cursor));
    client.on('state', (state) => console.log(state.toUpperCase()));
    export const connected: Promise<void> = client.connect();

    // @ts-expect-error the url is a string
    new TidewireClient({ url: 42, token: 'token' });
    // @ts-expect-error fileCursorStorage takes a path
    fileCursorStorage();

    export function Balance() {
      const { balance } = useCreditUpdates(100);
      return <span>{balance ?? 0}</span>;
    }
    export const app = <TidewireProvider client={client}><Balance /></TidewireProvider>;
  `);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await run(process.execPath, [tsc, '-p', join(app, 'tsconfig.json')], { cwd: app });
  } catch (error) {
    assert.fail(`tsc found errors:\n${error.stdout}${error.stderr}`);
  }
});
