package io.tidewire.processor;

import java.time.Duration;
import java.util.Objects;

/**
 * The time rules of the stateful features. Immutable.
 *
 * @param dedupWindow how much commit time (PostgreSQL {@code source.ts_ms}) a change is remembered
 *     for, so that the capture delivering it again yields nothing; must exceed what the capture can
 *     redeliver after a crash (its offset flush interval plus the batch in flight)
 * @param creditsWait how long (wall clock) a balance change waits for the credit transaction of
 *     the same PostgreSQL transaction before {@code credits.updated} goes out without one, and how
 *     long a transaction row waits for its balance change
 * @param feedCountsInterval the least time (wall clock) between two {@code feed.counts} of one
 *     content item
 * @param contentWait how long (wall clock) the processor keeps state for content it has not seen a
 *     row of (a like that overtook its video) and the marker of deleted content
 */
public record Timings(Duration dedupWindow, Duration creditsWait, Duration feedCountsInterval,
    Duration contentWait) {

  public static final long DEFAULT_DEDUP_WINDOW_MS = 600_000;
  public static final long DEFAULT_CREDITS_WAIT_MS = 2_000;
  public static final long DEFAULT_FEED_COUNTS_INTERVAL_MS = 250;
  public static final long DEFAULT_CONTENT_WAIT_MS = 60_000;

  /** The documented defaults. */
  public static final Timings DEFAULTS = new Timings(Duration.ofMillis(DEFAULT_DEDUP_WINDOW_MS),
      Duration.ofMillis(DEFAULT_CREDITS_WAIT_MS), Duration.ofMillis(DEFAULT_FEED_COUNTS_INTERVAL_MS),
      Duration.ofMillis(DEFAULT_CONTENT_WAIT_MS));

  /** Shortest and longest period of the processors' wall-clock punctuation. */
  static final Duration MIN_TICK = Duration.ofMillis(10);
  static final Duration MAX_TICK = Duration.ofSeconds(1);

  public Timings {
    Objects.requireNonNull(dedupWindow, "dedupWindow");
    Objects.requireNonNull(creditsWait, "creditsWait");
    Objects.requireNonNull(feedCountsInterval, "feedCountsInterval");
    Objects.requireNonNull(contentWait, "contentWait");
  }

  /** How often the credits join looks for balance changes whose wait is over. */
  public Duration creditsTick() {
    return tick(creditsWait.dividedBy(20));
  }

  /** How often the content processor looks for due counts and expired content state. */
  public Duration contentTick() {
    return tick(feedCountsInterval.dividedBy(5));
  }

  private static Duration tick(final Duration wanted) {
    if (wanted.compareTo(MIN_TICK) < 0) {
      return MIN_TICK;
    }
    return wanted.compareTo(MAX_TICK) > 0 ? MAX_TICK : wanted;
  }
}
