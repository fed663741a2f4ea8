package io.tidewire.bench.load;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * Writes {@code generation_jobs} row changes as fast as PostgreSQL takes them: several writer
 * threads, each committing transactions of a fixed number of changes — half new jobs
 * ({@code INSERT … SELECT FROM unnest(…)}), half updates of the jobs its previous transaction
 * inserted ({@code UPDATE … WHERE id = ANY(…)}), one statement each.
 *
 * <p>Not thread-safe: one {@link #write} at a time.
 */
public final class CaptureBulkWriter {

  /** What a {@link #write} did; times from {@link System#nanoTime()}. */
  public record Written(long changes, long transactions, long startNanos, long firstCommitNanos,
      long lastCommitNanos) {

    /** Changes per second PostgreSQL took, from the start to the last commit. */
    public double perSecond() {
      return changes / ((lastCommitNanos - startNanos) / 1e9);
    }
  }

  private final DataSource db;
  private final List<String> users;

  /**
   * @param db where to write
   * @param users existing user ids the new jobs belong to
   */
  public CaptureBulkWriter(final DataSource db, final List<String> users) {
    if (users.isEmpty()) {
      throw new IllegalArgumentException("no users");
    }
    this.db = db;
    this.users = List.copyOf(users);
  }

  /**
   * Writes exactly {@code changes} changes with {@code writers} threads in transactions of
   * {@code perTransaction} changes; returns after the last commit.
   *
   * @throws IllegalStateException if a writer failed
   */
  public Written write(final long changes, final int writers, final int perTransaction)
      throws InterruptedException {
    final AtomicLong firstCommit = new AtomicLong(Long.MAX_VALUE);
    final AtomicLong lastCommit = new AtomicLong();
    final AtomicLong transactions = new AtomicLong();
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final List<Thread> threads = new ArrayList<>();
    final long start = System.nanoTime();
    for (int w = 0; w < writers; w++) {
      final long quota = changes / writers + (w < changes % writers ? 1 : 0);
      final int index = w;
      final Thread t = new Thread(() -> {
        try {
          writeQuota(index, quota, perTransaction, firstCommit, lastCommit, transactions,
              failure);
        } catch (SQLException | RuntimeException e) {
          failure.compareAndSet(null, e);
        }
      }, "bench-capture-writer-" + w);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
    for (final Thread t : threads) {
      t.join();
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a writer failed: " + failure.get(), failure.get());
    }
    return new Written(changes, transactions.get(), start, firstCommit.get(), lastCommit.get());
  }

  private void writeQuota(final int writer, final long quota, final int perTransaction,
      final AtomicLong firstCommit, final AtomicLong lastCommit, final AtomicLong transactions,
      final AtomicReference<Throwable> failure) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement insert = c.prepareStatement("INSERT INTO generation_jobs"
            + "(id, user_id, kind, status, progress, prompt) SELECT j, u, 'image', 'active', 0, "
            + "'bench capture' FROM unnest(?::uuid[], ?::uuid[]) AS t(j, u)");
        PreparedStatement update = c.prepareStatement("UPDATE generation_jobs SET progress = "
            + "progress + 1, updated_at = now() WHERE id = ANY(?::uuid[])")) {
      c.setAutoCommit(false);
      List<UUID> previous = List.of();
      long left = quota;
      int next = writer;
      while (left > 0 && failure.get() == null) {
        final int n = (int) Math.min(perTransaction, left);
        final int updates = Math.min(n / 2, previous.size());
        final int inserts = n - updates;
        final UUID[] ids = new UUID[inserts];
        final UUID[] owners = new UUID[inserts];
        for (int i = 0; i < inserts; i++) {
          ids[i] = UUID.randomUUID();
          owners[i] = UUID.fromString(users.get(next++ % users.size()));
        }
        final Array idArray = c.createArrayOf("uuid", ids);
        final Array ownerArray = c.createArrayOf("uuid", owners);
        insert.setArray(1, idArray);
        insert.setArray(2, ownerArray);
        final int inserted = insert.executeUpdate();
        int updated = 0;
        if (updates > 0) {
          update.setArray(1, c.createArrayOf("uuid", previous.subList(0, updates).toArray()));
          updated = update.executeUpdate();
        }
        c.commit();
        final long now = System.nanoTime();
        firstCommit.accumulateAndGet(now, Math::min);
        lastCommit.accumulateAndGet(now, Math::max);
        transactions.incrementAndGet();
        if (inserted != inserts || updated != updates) {
          throw new IllegalStateException("expected " + inserts + " inserts and " + updates
              + " updates, PostgreSQL did " + inserted + " and " + updated);
        }
        previous = List.of(ids);
        left -= n;
      }
    }
  }
}
