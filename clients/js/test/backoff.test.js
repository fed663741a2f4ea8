import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../src/backoff.js';

test('ceilingDoublesFromBaseUntilTheCap', () => {
  const b = new Backoff(500, 30_000);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7, 100, 5000].map((n) => b.ceiling(n)),
    [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
});

test('delayIsFullJitterBetweenZeroAndTheCeilingInclusive', () => {
  assert.equal(new Backoff(500, 30_000, () => 0).delay(3), 0);
  assert.equal(new Backoff(500, 30_000, () => 0.999999999).delay(3), 4000);
  assert.equal(new Backoff(500, 30_000, () => 0.5).delay(0), 250);
  const b = new Backoff(500, 30_000);
  for (let i = 0; i < 1000; i++) {
    const d = b.delay(4);
    assert.ok(Number.isInteger(d) && d >= 0 && d <= 8000, `delay ${d}`);
  }
});

test('nextWalksTheAttemptsAndResetStartsOver', () => {
  const b = new Backoff(100, 1000, () => 0.999999999);
  assert.deepEqual([b.next(), b.next(), b.next(), b.next(), b.next()], [100, 200, 400, 800, 1000]);
  assert.equal(b.attempt, 5);
  b.reset();
  assert.equal(b.next(), 100);
});

test('rejectsANonPositiveBaseOrACapBelowIt', () => {
  assert.throws(() => new Backoff(0, 10), RangeError);
  assert.throws(() => new Backoff(100, 50), RangeError);
  assert.throws(() => new Backoff(100, 200).ceiling(-1), RangeError);
});
