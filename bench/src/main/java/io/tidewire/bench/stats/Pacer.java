package io.tidewire.bench.stats;

import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * A fixed-rate schedule: operation {@code i} is due at {@code start + i / rate}. Drivers ask for
 * the due time of their next operation and wait for it; a driver that is late does not wait and
 * does not skip — it catches up, and the latency it caused is charged from the due time (see
 * {@link LatencyRecorder}).
 *
 * <p>Thread-safe: {@link #dueNanos(long)} is a pure function of the start and the rate.
 */
public final class Pacer {

  private final long startNanos;
  private final double periodNanos;
  private final LongSupplier clock;

  /**
   * @param ratePerSecond operations per second, positive
   * @param startNanos due time of operation 0, on {@code clock}
   * @param clock nanosecond clock ({@code System::nanoTime} outside tests)
   */
  public Pacer(final double ratePerSecond, final long startNanos, final LongSupplier clock) {
    if (!(ratePerSecond > 0)) {
      throw new IllegalArgumentException("rate must be positive: " + ratePerSecond);
    }
    this.startNanos = startNanos;
    this.periodNanos = 1e9 / ratePerSecond;
    this.clock = clock;
  }

  /** A pacer starting now on {@link System#nanoTime()}. */
  public static Pacer startingNow(final double ratePerSecond) {
    return new Pacer(ratePerSecond, System.nanoTime(), System::nanoTime);
  }

  /** When operation {@code index} is due. */
  public long dueNanos(final long index) {
    return startNanos + (long) (index * periodNanos);
  }

  /** How many operations are due by {@code nanos} (operations {@code 0 .. n-1}). */
  public long dueBy(final long nanos) {
    if (nanos < startNanos) {
      return 0;
    }
    return (long) Math.floor((nanos - startNanos) / periodNanos) + 1;
  }

  /**
   * Waits until operation {@code index} is due (returns at once if it is overdue).
   *
   * @return its due time
   */
  public long awaitDue(final long index) {
    final long due = dueNanos(index);
    long left;
    while ((left = due - clock.getAsLong()) > 0) {
      LockSupport.parkNanos(Math.min(left, 1_000_000));
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
    }
    return due;
  }
}
