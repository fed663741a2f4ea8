package io.tidewire.bench.load;

import io.tidewire.bench.stats.LatencyRecorder;
import io.tidewire.bench.stats.Pacer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.LongStream;
import javax.sql.DataSource;

/**
 * Drives {@code generation_jobs}-shaped progress updates at a fixed rate, one autocommit
 * {@code UPDATE} per change, from a few writer threads with a connection each, and matches what
 * arrives back to what was sent. Update {@code i} sets job {@code i mod jobs} to progress
 * {@code (i / jobs) mod 100 + 1}, so (job, progress) names an update for 100 rounds — far longer
 * than any latency measured here. A receipt is charged from the update's due time (coordinated
 * omission corrected) and from its commit.
 *
 * <p>Thread-safe: {@link #received} may be called from any thread while {@link #run} drives.
 */
public final class JobUpdates {

  private final DataSource db;
  private final String table;
  private final List<String> jobs;
  private final ConcurrentMap<String, long[]> pending = new ConcurrentHashMap<>();
  private final AtomicReference<LatencyRecorder> recorder =
      new AtomicReference<>(new LatencyRecorder());
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong matched = new AtomicLong();
  private final AtomicLong next = new AtomicLong();
  private final ConcurrentMap<String, LatencyRecorder> stages = new ConcurrentHashMap<>();

  /**
   * @param db where to write
   * @param table {@code generation_jobs} or a copy of it
   * @param jobs ids of existing rows of {@code table}
   */
  public JobUpdates(final DataSource db, final String table, final List<String> jobs) {
    if (jobs.isEmpty()) {
      throw new IllegalArgumentException("no jobs to update");
    }
    this.db = db;
    this.table = table;
    this.jobs = List.copyOf(jobs);
  }

  /** The outcome of one {@link #run}. */
  public record Outcome(long sent, double achievedPerSecond, LatencyRecorder latency) {}

  /**
   * Sends updates at {@code rate} per second for {@code duration} with {@code writers} threads,
   * recording into a fresh recorder; returns when the last update was committed (receipts may
   * still be on their way: see {@link #awaitDrained}).
   */
  public Outcome run(final double rate, final Duration duration, final int writers)
      throws InterruptedException {
    return run(rate, duration, writers, 1);
  }

  /**
   * As {@link #run(double, Duration, int)}, committing {@code batch} updates per transaction (one
   * JDBC batch): the way to reach rates that one-row transactions cannot.
   */
  public Outcome run(final double rate, final Duration duration, final int writers,
      final int batch) throws InterruptedException {
    if (batch < 1) {
      throw new IllegalArgumentException("batch must be positive: " + batch);
    }
    final LatencyRecorder fresh = new LatencyRecorder();
    recorder.set(fresh);
    stages.values().forEach(LatencyRecorder::reset);
    final long sentBefore = sent.get();
    final Pacer pacer = Pacer.startingNow(rate / batch);
    final long end = pacer.dueNanos(0) + duration.toNanos();
    final List<Thread> threads = new ArrayList<>();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final long base = next.get();
    final AtomicLong runIndex = new AtomicLong();
    for (int w = 0; w < writers; w++) {
      final Thread t = new Thread(() -> write(pacer, end, base, runIndex, batch, failure),
          "bench-writer-" + w);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    final long started = System.nanoTime();
    for (final Thread t : threads) {
      t.join();
    }
    final double seconds = (System.nanoTime() - started) / 1e9;
    next.addAndGet(runIndex.get() * batch);
    if (failure.get() != null) {
      throw new IllegalStateException("a writer failed: " + failure.get(), failure.get());
    }
    final long count = sent.get() - sentBefore;
    return new Outcome(count, count / seconds, fresh);
  }

  private void write(final Pacer pacer, final long end, final long base,
      final AtomicLong runIndex, final int batch, final AtomicReference<Throwable> failure) {
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "UPDATE " + table + " SET progress = ?, updated_at = now() WHERE id = ?")) {
      c.setAutoCommit(batch == 1);
      final long[][] times = new long[batch][];
      while (failure.get() == null) {
        final long k = runIndex.getAndIncrement();
        final long due = pacer.dueNanos(k);
        if (due >= end) {
          return;
        }
        pacer.awaitDue(k);
        // Every transaction updates its rows in the same order (by job), so concurrent batches
        // that share jobs (smoke sizes have fewer jobs than a batch) wait but never deadlock.
        final long first = base + k * batch;
        final long[] order = LongStream.range(first, first + batch).boxed()
            .sorted(Comparator.comparingLong(i -> i % jobs.size()))
            .mapToLong(Long::longValue).toArray();
        for (int b = 0; b < batch; b++) {
          final long i = order[b];
          final String job = jobs.get((int) (i % jobs.size()));
          final int progress = (int) ((i / jobs.size()) % 100) + 1;
          times[b] = new long[] {due, 0};
          pending.put(key(job, progress), times[b]);
          ps.setInt(1, progress);
          ps.setObject(2, UUID.fromString(job));
          if (batch == 1) {
            ps.executeUpdate();
          } else {
            ps.addBatch();
          }
        }
        if (batch > 1) {
          ps.executeBatch();
          c.commit();
        }
        final long committed = System.nanoTime();
        for (final long[] t : times) {
          t[1] = committed;
        }
        sent.addAndGet(batch);
      }
    } catch (SQLException | RuntimeException e) {
      failure.compareAndSet(null, e);
    }
  }

  /**
   * Matches a receipt of (job, progress) to its update and records its latency; receipts that
   * match nothing (duplicates, other traffic) are ignored.
   */
  public void received(final String job, final int progress, final long receivedNanos) {
    final long[] times = pending.remove(key(job, progress));
    if (times == null) {
      return;
    }
    matched.incrementAndGet();
    final long done = times[1] == 0 ? receivedNanos : times[1];
    recorder.get().record(times[0], done, receivedNanos);
  }

  /**
   * Records that an intermediate stage (e.g. a Kafka topic) saw update (job, progress), without
   * ending its journey; see {@link #stage}.
   */
  public void observed(final String stage, final String job, final int progress,
      final long atNanos) {
    final long[] times = pending.get(key(job, progress));
    if (times == null) {
      return;
    }
    final long done = times[1] == 0 ? atNanos : times[1];
    stages.computeIfAbsent(stage, s -> new LatencyRecorder()).record(times[0], done, atNanos);
  }

  /** What {@link #observed} recorded for {@code stage} since the last {@link #run} began. */
  public LatencyRecorder stage(final String stage) {
    return stages.computeIfAbsent(stage, s -> new LatencyRecorder());
  }

  /** Waits until every sent update was received, at most {@code timeout}; returns the missing. */
  public int awaitDrained(final Duration timeout) throws InterruptedException {
    final long deadline = System.nanoTime() + timeout.toNanos();
    while (!pending.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    final int missing = pending.size();
    pending.clear();
    return missing;
  }

  /** Updates committed but not yet received (a moment's snapshot). */
  public long inFlight() {
    return Math.max(0, sent.get() - matched.get());
  }

  /** Updates sent so far over all runs. */
  public long sent() {
    return sent.get();
  }

  private static String key(final String job, final int progress) {
    return job + ':' + progress;
  }
}
