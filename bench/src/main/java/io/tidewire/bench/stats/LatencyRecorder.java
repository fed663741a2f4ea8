package io.tidewire.bench.stats;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Latencies of a fixed-rate run, kept twice in microsecond HdrHistograms:
 * <ul>
 *   <li><b>corrected</b>: from the moment the operation was <em>scheduled</em> to receipt. A
 *       driver that falls behind (a slow commit, a GC pause) sends late, and measuring from the
 *       actual send would hide exactly that wait — coordinated omission. Measuring from the
 *       schedule, as wrk2 does, charges it.
 *   <li><b>raw</b>: from the moment the operation actually completed (the commit returned) to
 *       receipt: what the pipeline itself adds.
 * </ul>
 * Values above an hour are clamped to an hour; negative values (clock misuse) to zero.
 *
 * <p>Thread-safe: any number of threads may record concurrently.
 */
public final class LatencyRecorder {

  private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

  private final Histogram corrected = new ConcurrentHistogram(MAX_MICROS, 3);
  private final Histogram raw = new ConcurrentHistogram(MAX_MICROS, 3);

  /**
   * Records one operation, all times from {@link System#nanoTime()}.
   *
   * @param scheduledNanos when the driver meant to start it
   * @param doneNanos when it completed at the source (e.g. the commit returned)
   * @param receivedNanos when the client received its effect
   */
  public void record(final long scheduledNanos, final long doneNanos, final long receivedNanos) {
    corrected.recordValue(micros(receivedNanos - scheduledNanos));
    raw.recordValue(micros(receivedNanos - doneNanos));
  }

  private static long micros(final long nanos) {
    return Math.min(MAX_MICROS, Math.max(0, nanos / 1000));
  }

  /** Forgets everything recorded (e.g. after a warm-up). */
  public void reset() {
    corrected.reset();
    raw.reset();
  }

  /** Summary measured from the schedule (coordinated omission corrected). */
  public LatencySummary corrected() {
    return LatencySummary.ofMicros(corrected.copy());
  }

  /** Summary measured from completion at the source. */
  public LatencySummary raw() {
    return LatencySummary.ofMicros(raw.copy());
  }

  /** Number of recorded operations. */
  public long count() {
    return corrected.getTotalCount();
  }
}
