/**
 * Exponential backoff with full jitter ("Exponential Backoff And Jitter", AWS): the delay before
 * retry number `attempt` (0-based) is uniform in `[0, min(cap, base * 2^attempt)]`. Full jitter
 * spreads a reconnect storm of many clients over the whole window instead of synchronising them.
 * Same rule as the Java client's `Backoff`.
 *
 * Not shared between clients: one instance keeps the attempt counter of one retry sequence.
 */
export class Backoff {
  /**
   * @param {number} baseMs ceiling of the first delay (attempt 0), > 0
   * @param {number} capMs largest delay, >= baseMs
   * @param {() => number} [random] uniform in [0, 1) (inject a seeded one in tests)
   */
  constructor(baseMs, capMs, random = Math.random) {
    if (!(baseMs > 0)) throw new RangeError(`backoff base must be positive, was ${baseMs}`);
    if (!(capMs >= baseMs)) throw new RangeError(`backoff cap ${capMs} is below base ${baseMs}`);
    /** @private */
    this.baseMs = baseMs;
    /** @private */
    this.capMs = capMs;
    /** @private */
    this.random = random;
    /** how many delays this retry sequence has drawn */
    this.attempt = 0;
  }

  /**
   * `min(cap, base * 2^attempt)`.
   * @param {number} attempt
   * @returns {number}
   */
  ceiling(attempt) {
    if (!(attempt >= 0)) throw new RangeError(`attempt must not be negative, was ${attempt}`);
    // 2^1024 is Infinity in doubles; min() handles it.
    return Math.min(this.capMs, this.baseMs * Math.pow(2, attempt));
  }

  /**
   * A random delay in `[0, ceiling(attempt)]`, whole milliseconds.
   * @param {number} attempt
   * @returns {number}
   */
  delay(attempt) {
    const ceiling = Math.floor(this.ceiling(attempt));
    return Math.floor(this.random() * (ceiling + 1));
  }

  /**
   * The delay for the current attempt; the next call is for the following attempt.
   * @returns {number}
   */
  next() {
    const d = this.delay(this.attempt);
    this.attempt++;
    return d;
  }

  /** Starts a new retry sequence: the next delay is drawn from `[0, base]` again. */
  reset() {
    this.attempt = 0;
  }
}
