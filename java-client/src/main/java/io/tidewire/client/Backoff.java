package io.tidewire.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with full jitter (as in AWS's "Exponential Backoff And Jitter"): the delay
 * before retry number {@code attempt} (0-based) is uniform in
 * {@code [0, min(cap, base * 2^attempt)]}. Full jitter spreads a reconnect storm of many clients
 * evenly over the window instead of synchronising them.
 *
 * <p>{@link #delay(int)} and {@link #ceiling(int)} are pure (given the random source);
 * {@link #next()} and {@link #reset()} keep the attempt counter for one retry sequence, which the
 * client resets once a connection has been stable for a while.
 *
 * <p>Not thread-safe: confine an instance to one thread (the client does).
 */
public final class Backoff {

  private final long baseNanos;
  private final long capNanos;
  private final RandomGenerator random;
  private int attempt;

  /**
   * @param base the ceiling of the first delay (attempt 0); positive
   * @param cap the largest delay; at least {@code base}
   * @param random the source of jitter (inject a seeded one in tests)
   * @throws IllegalArgumentException if {@code base} is not positive or {@code cap < base}
   */
  public Backoff(final Duration base, final Duration cap, final RandomGenerator random) {
    if (base.isNegative() || base.isZero()) {
      throw new IllegalArgumentException("backoff base must be positive, was " + base);
    }
    if (cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("backoff cap " + cap + " is below base " + base);
    }
    this.baseNanos = saturatedNanos(base);
    this.capNanos = saturatedNanos(cap);
    this.random = Objects.requireNonNull(random, "random");
  }

  /** A backoff with a fresh, thread-safe {@link Random}. */
  public Backoff(final Duration base, final Duration cap) {
    this(base, cap, new Random());
  }

  /** The ceiling of the delay for {@code attempt}: {@code min(cap, base * 2^attempt)}. */
  public Duration ceiling(final int attempt) {
    return Duration.ofNanos(ceilingNanos(attempt));
  }

  /** A random delay in {@code [0, ceiling(attempt)]}, both ends included. */
  public Duration delay(final int attempt) {
    return Duration.ofNanos(random.nextLong(0, ceilingNanos(attempt) + 1));
  }

  /** The delay for the current attempt; the next call is for the following attempt. */
  public Duration next() {
    final Duration delay = delay(attempt);
    if (attempt < Integer.MAX_VALUE) {
      attempt++;
    }
    return delay;
  }

  /** Starts a new retry sequence: the next delay is drawn from {@code [0, base]} again. */
  public void reset() {
    attempt = 0;
  }

  /** How many delays {@link #next()} has handed out since the last reset. */
  public int attempt() {
    return attempt;
  }

  private long ceilingNanos(final int attempt) {
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must not be negative, was " + attempt);
    }
    // base * 2^attempt <= cap  <=>  base <= cap / 2^attempt (integers), without overflow.
    if (attempt >= Long.SIZE - 1 || baseNanos > (capNanos >>> attempt)) {
      return capNanos;
    }
    return baseNanos << attempt;
  }

  private static long saturatedNanos(final Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE - 1;
    }
  }
}
