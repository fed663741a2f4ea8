package io.tidewire.processor.internals;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.apache.kafka.streams.processor.api.ProcessorContext;

/**
 * Commits a change that arrives after a quiet spell at once, instead of at the next commit
 * interval. Under exactly-once a {@code read_committed} reader sees output only when its
 * transaction commits, and a stream thread commits when {@code commit.interval.ms} has passed since
 * its last commit, checked between polls; so a lone change waits for the rest of the interval (and,
 * when nothing else arrives, for a poll timeout): most of a lone change's time in the processor
 * (docs/BENCHMARKS.md, "Committing sooner"). Here a record asks for a commit
 * ({@link ProcessorContext#commit()}, which Kafka Streams makes right after the records it is
 * processing, whatever the interval) when all of these hold:
 *
 * <ul>
 *   <li>its stream thread processed nothing for {@code quiet} before it: the stream is sparse
 *       (records closer together, a busy stream or a burst, ask for nothing: the interval still
 *       batches their transactions);
 *   <li>it is fresh: written at most five commit intervals ago (its Kafka timestamp, set by the
 *       capture's producer, against this host's clock). A commit blocks its thread for a few broker
 *       round trips, so the record after one always follows a pause; without this rule every record
 *       would then ask, one transaction per record, and a thread whose commits take longer than the
 *       records' spacing falls further and further behind (measured: the whole pipeline could not
 *       keep 1k changes/s). Behind, the records are old, nothing asks and the interval batches
 *       again;
 *   <li>the thread asked for none in the last commit interval, so whatever the clocks say these
 *       commits at most double a thread's commit rate.
 * </ul>
 *
 * <p>The guarantee is unchanged: a commit is a commit, only its time moves. One instance per
 * topology, shared by its processors, each of which calls {@link #arrived} first thing in
 * {@code process}; the times are kept per stream thread (a thread's tasks share one transaction).
 * Thread-safe.
 */
public final class QuietCommits {

  private static final QuietCommits OFF =
      new QuietCommits(0, 0, () -> { }, System::nanoTime, System::currentTimeMillis);

  /** How many commit intervals old a record may be and still ask. */
  static final long FRESH_INTERVALS = 5;

  private final long quietNanos;
  /** The commit interval, the least time between two asks of a thread. */
  private final long intervalNanos;
  /** The oldest a record may be (by its Kafka timestamp) and still ask. */
  private final long freshMs;
  private final Runnable asked;
  private final LongSupplier nanoTime;
  private final LongSupplier wallClockMs;
  /** Per stream thread: [0] the last record's arrival (nanos), [1] the last ask (nanos). */
  private final ThreadLocal<long[]> times;

  private QuietCommits(final long quietNanos, final long intervalMs, final Runnable asked,
      final LongSupplier nanoTime, final LongSupplier wallClockMs) {
    this.quietNanos = quietNanos;
    this.intervalNanos = Duration.ofMillis(intervalMs).toNanos();
    this.freshMs = FRESH_INTERVALS * intervalMs;
    this.asked = asked;
    this.nanoTime = nanoTime;
    this.wallClockMs = wallClockMs;
    // a thread's first record counts as arriving after a quiet spell, with no ask before it
    this.times = ThreadLocal.withInitial(() -> {
      final long now = nanoTime.getAsLong();
      return new long[] {now - quietNanos, now - intervalNanos};
    });
  }

  /**
   * Commits after {@code quiet} without records, at most once per {@code commitInterval}, running
   * {@code asked} (a counter) for each commit asked for; a {@code quiet} of zero never asks.
   */
  public static QuietCommits after(final Duration quiet, final Duration commitInterval, final Runnable asked) {
    return after(quiet, commitInterval, asked, System::nanoTime, System::currentTimeMillis);
  }

  static QuietCommits after(final Duration quiet, final Duration commitInterval, final Runnable asked,
      final LongSupplier nanoTime, final LongSupplier wallClockMs) {
    Objects.requireNonNull(quiet, "quiet");
    Objects.requireNonNull(commitInterval, "commitInterval");
    Objects.requireNonNull(asked, "asked");
    Objects.requireNonNull(nanoTime, "nanoTime");
    Objects.requireNonNull(wallClockMs, "wallClockMs");
    if (quiet.isNegative() || commitInterval.isNegative()) {
      throw new IllegalArgumentException("durations must not be negative: " + quiet + ", " + commitInterval);
    }
    return quiet.isZero() ? OFF
        : new QuietCommits(quiet.toNanos(), commitInterval.toMillis(), asked, nanoTime, wallClockMs);
  }

  /** Never asks for a commit: the commit interval alone decides. */
  public static QuietCommits off() {
    return OFF;
  }

  /** Whether this ever asks for a commit. */
  public boolean enabled() {
    return quietNanos > 0;
  }

  /**
   * A record with this Kafka timestamp reached {@code context}'s processor on the current stream
   * thread: asks for a commit if the rules above hold.
   */
  public void arrived(final ProcessorContext<?, ?> context, final long recordTimestampMs) {
    if (quietNanos <= 0) {
      return;
    }
    final long[] last = times.get(); // first: a thread's initial times must not be later than now
    final long now = nanoTime.getAsLong();
    final boolean afterQuiet = now - last[0] >= quietNanos;
    last[0] = now;
    if (afterQuiet
        && wallClockMs.getAsLong() - recordTimestampMs <= freshMs
        && now - last[1] >= intervalNanos) {
      last[1] = now;
      context.commit();
      asked.run();
    }
  }
}
