import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Advice, adviceForClose, adviceForError } from '../src/codes.js';
import { CursorBook } from '../src/cursors.js';
import { RecentIds } from '../src/recent-ids.js';
import { decodeBase64Url, readClaims, refreshAt } from '../src/token.js';
import { MemoryStorage, jwt, flush } from './support/fakes.js';

test('closeCodesFollowTheGatewaysProtocolCodes', () => {
  const expected = {
    1000: Advice.TERMINAL, 1001: Advice.RETRY, 1006: Advice.RETRY, 1009: Advice.TERMINAL,
    1011: Advice.RETRY, 4001: Advice.RENEW_TOKEN, 4002: Advice.RENEW_TOKEN, 4008: Advice.RETRY,
    1002: Advice.TERMINAL, 1003: Advice.TERMINAL, 1007: Advice.TERMINAL, 1008: Advice.TERMINAL,
    1010: Advice.TERMINAL, 1005: Advice.RETRY, 1012: Advice.RETRY, 1013: Advice.RETRY, 4999: Advice.RETRY,
  };
  for (const [code, advice] of Object.entries(expected)) assert.equal(adviceForClose(Number(code)), advice, `close ${code}`);
});

test('errorCodesFollowTheGatewaysProtocolCodesAndUnknownOnesAreRetried', () => {
  assert.equal(adviceForError('bad_request'), Advice.TERMINAL);
  assert.equal(adviceForError('forbidden'), Advice.TERMINAL);
  assert.equal(adviceForError('unauthorized'), Advice.RENEW_TOKEN);
  assert.equal(adviceForError('token_expired'), Advice.RENEW_TOKEN);
  assert.equal(adviceForError('rate_limited'), Advice.RETRY);
  assert.equal(adviceForError('slow_consumer'), Advice.RETRY);
  assert.equal(adviceForError('internal'), Advice.RETRY);
  assert.equal(adviceForError('something_new'), Advice.RETRY);
  assert.equal(adviceForError('toString'), Advice.RETRY);
});

test('recentIdsEvictTheLeastRecentlyUsedKey', () => {
  const ids = new RecentIds(3);
  ids.set('a', 'socket');
  ids.set('b', 'socket');
  ids.set('c', 'peer');
  assert.equal(ids.get('a'), 'socket'); // a becomes the most recent
  ids.set('d', 'socket'); // evicts b
  assert.equal(ids.get('b'), undefined);
  assert.equal(ids.get('c'), 'peer');
  assert.equal(ids.get('a'), 'socket');
  assert.equal(ids.size, 3);
  assert.throws(() => new RecentIds(0), RangeError);
});

test('tokenClaimsAreReadWithoutVerifying', () => {
  const t = jwt({ sub: 'a11ce', iat: 1000, exp: 1100, name: 'Zoë ✓' });
  assert.deepEqual(readClaims(t), { sub: 'a11ce', expMs: 1_100_000, iatMs: 1_000_000 });
  assert.deepEqual(readClaims('not-a-jwt'), {});
  assert.deepEqual(readClaims('a.!!!.c'), {});
  assert.deepEqual(readClaims(jwt({ sub: 'x' })), { sub: 'x' });
  assert.deepEqual(readClaims(jwt({ exp: 'soon' })), {});
  assert.deepEqual(readClaims(jwt({ exp: 100, iat: 200 })), { expMs: 100_000 }, 'iat after exp is ignored');
  assert.equal(JSON.parse(decodeBase64Url(t.split('.')[1])).name, 'Zoë ✓');
});

test('refreshIsDueAfterTheFractionOfTheLifetime', () => {
  assert.equal(refreshAt({ expMs: 2000, iatMs: 1000 }, 1500, 0.8), 1800);
  assert.equal(refreshAt({ expMs: 2000 }, 1000, 0.5), 1500, 'from when it was obtained without iat');
  assert.equal(refreshAt({ expMs: 2000 }, 3000, 0.8), 2000);
  assert.equal(refreshAt({}, 1000, 0.8), undefined);
});

test('cursorRulesMatchTheJavaClient', () => {
  const book = new CursorBook({ initial: { user: 'c0' } });
  book.subscribed('user', true, 'live-ahead');
  assert.equal(book.get('user'), 'c0', 'recovered:true keeps the cursor sent');
  book.eventHandled('user', 'c1');
  assert.equal(book.get('user'), 'c1');
  book.subscribed('user', false, 'c9');
  assert.equal(book.get('user'), 'c9', 'recovered:false adopts the reply cursor');
  book.snapshotHandled('user', 'c10');
  assert.equal(book.get('user'), 'c10');
  book.subscribed('feed', false, 'f1');
  assert.deepEqual(book.all(), { user: 'c10', feed: 'f1' });
  book.forget('feed');
  assert.deepEqual(book.all(), { user: 'c10' });
});

test('cursorsPersistPerUserAndReloadIntoANewBook', async () => {
  const storage = new MemoryStorage();
  const first = new CursorBook({ storage });
  await first.useUser('alice');
  first.eventHandled('user', 'a1');
  first.eventHandled('feed', 'f1');
  assert.deepEqual(JSON.parse(storage.getItem('tidewire.cursors:alice')), { user: 'a1', feed: 'f1' });

  const again = new CursorBook({ storage, initial: { feed: 'given' } });
  await again.useUser('alice');
  assert.deepEqual(again.all(), { feed: 'given', user: 'a1' }, 'cursors passed in win');
  await again.useUser('bob');
  assert.deepEqual(again.all(), {}, "another user's cursors are not used");
  again.clear();
  assert.equal(storage.getItem('tidewire.cursors:bob'), null);
});

test('aBrokenStorageIsReportedAndTheCursorsStayInMemory', async () => {
  const problems = [];
  const storage = {
    getItem: () => { throw new Error('denied'); },
    setItem: () => { throw new Error('quota'); },
    removeItem: () => Promise.reject(new Error('gone')),
  };
  const book = new CursorBook({ storage, onStorageError: (e) => problems.push(e.message) });
  await book.useUser('u');
  book.eventHandled('user', 'c1');
  book.clear();
  await flush();
  assert.equal(book.get('user'), undefined);
  assert.deepEqual(problems, ['denied', 'quota', 'gone']);
});

test('asyncStorageLikeReactNativesAsyncStorageWorks', async () => {
  const backing = new Map([['tidewire.cursors:u', JSON.stringify({ user: 'stored' })]]);
  const storage = {
    getItem: async (k) => backing.get(k) ?? null,
    setItem: async (k, v) => { backing.set(k, v); },
    removeItem: async (k) => { backing.delete(k); },
  };
  const book = new CursorBook({ storage });
  await book.useUser('u');
  assert.equal(book.get('user'), 'stored');
  book.eventHandled('user', 'next');
  await flush();
  assert.equal(JSON.parse(backing.get('tidewire.cursors:u')).user, 'next');
});
