package io.tidewire.gateway.session;

/**
 * A token bucket as a value: {@code burst} tokens at most, refilled at {@code perSecond}; each
 * {@link #take} at a time (nanoseconds, any origin, never going back) spends one token if there is
 * one. Pure: it keeps the time it was last looked at, so it is tested by feeding times, no sleeps.
 *
 * <p>Immutable; thread-safe.
 *
 * @param perSecond refill rate, tokens per second, positive
 * @param burst capacity, at least 1
 * @param tokens tokens now, 0 to {@code burst}
 * @param at when {@code tokens} was counted
 */
public record TokenBucket(double perSecond, int burst, double tokens, long at) {

  private static final double NANOS_PER_SECOND = 1e9;

  public TokenBucket {
    if (!(perSecond > 0) || burst < 1 || tokens < 0 || tokens > burst) {
      throw new IllegalArgumentException("a bucket needs a positive rate, a burst of at least 1 and"
          + " 0 to burst tokens: " + perSecond + "/s, burst " + burst + ", " + tokens);
    }
  }

  /** A full bucket at {@code now}. */
  public static TokenBucket full(final double perSecond, final int burst, final long now) {
    return new TokenBucket(perSecond, burst, burst, now);
  }

  /**
   * The outcome of a {@link #take}.
   *
   * @param taken whether a token was there (the frame may go ahead)
   * @param bucket the bucket afterwards
   */
  public record Take(boolean taken, TokenBucket bucket) {}

  /** Spends one token at {@code now}, if the bucket (refilled up to {@code now}) has one. */
  public Take take(final long now) {
    final double elapsed = Math.max(0, now - at) / NANOS_PER_SECOND;
    final double refilled = Math.min(burst, tokens + elapsed * perSecond);
    final long since = Math.max(now, at);
    return refilled >= 1
        ? new Take(true, new TokenBucket(perSecond, burst, refilled - 1, since))
        : new Take(false, new TokenBucket(perSecond, burst, refilled, since));
  }
}
