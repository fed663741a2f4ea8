package io.tidewire.it;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A steady write load: every {@code interval} one {@link Ledger} change of the next user in turn
 * (so each row's changes are written in order, by this one thread), on connections of its own
 * from {@code db}, with the time each change committed.
 *
 * <p>While the database is away statements fail and are counted; a change whose statement failed
 * may still have committed, so before that user's next change the ledger reads the row to learn
 * whether it did ({@link Ledger#settle}), and the change is written again only if it did not. The
 * ledger thus holds exactly what was committed, outage or not.
 *
 * <p>Thread-safe: the load runs on its own thread; the accessors may be called from any.
 */
final class LoadWriter implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(LoadWriter.class);

  private final Ledger ledger;
  private final DataSource db;
  private final List<UUID> users;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(
      r -> new Thread(r, "load-writer"));
  /** When each change committed (System.nanoTime; for a change found committed after its
   * statement failed, when that statement was sent). */
  private final Map<Ledger.Change, Long> committedAt = new ConcurrentHashMap<>();
  private final AtomicLong failedStatements = new AtomicLong();
  private final AtomicLong foundCommitted = new AtomicLong();
  private final Map<UUID, Long> attemptedAt = new ConcurrentHashMap<>();
  private int turn;

  /**
   * Starts the load at once.
   *
   * @param ledger whose users' changes to write; every user must have a job already
   * @param db where to write (each statement on a connection of its own)
   * @param users the users to write for, in turn
   * @param intervalMillis between two changes (each user gets one every {@code users × interval})
   */
  LoadWriter(final Ledger ledger, final DataSource db, final List<UUID> users,
      final long intervalMillis) {
    this.ledger = ledger;
    this.db = db;
    this.users = List.copyOf(users);
    thread.scheduleWithFixedDelay(this::writeOne, 0, intervalMillis, TimeUnit.MILLISECONDS);
  }

  private void writeOne() {
    final UUID user = users.get(turn);
    turn = (turn + 1) % users.size();
    try {
      if (ledger.inDoubt(user)) {
        final Optional<Ledger.Change> found = ledger.settle(user, this::progress);
        found.ifPresent(c -> {
          foundCommitted.incrementAndGet();
          committedAt.put(c, attemptedAt.get(user));
        });
        LOG.info("change in doubt of user {}: {}", user,
            found.map(c -> "had committed: " + c).orElse("had not committed, written again"));
      }
      final long sent = System.nanoTime();
      attemptedAt.put(user, sent);
      final Ledger.Change c = ledger.advance(user);
      committedAt.put(c, System.nanoTime());
    } catch (SQLException e) {
      if (failedStatements.incrementAndGet() % 20 == 1) {
        LOG.info("write failed ({} so far): {}", failedStatements.get(), e.getMessage());
      }
    } catch (RuntimeException e) {
      LOG.error("load writer: {}", e.toString(), e);
    }
  }

  private OptionalInt progress(final UUID job) throws SQLException {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "SELECT progress FROM generation_jobs WHERE id = ?")) {
      ps.setObject(1, job);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? OptionalInt.of(rs.getInt(1)) : OptionalInt.empty();
      }
    }
  }

  /** When {@code change} committed (System.nanoTime), if it did. */
  OptionalLong committedAt(final Ledger.Change change) {
    final Long at = committedAt.get(change);
    return at == null ? OptionalLong.empty() : OptionalLong.of(at);
  }

  /** Statements that failed so far (the database away). */
  long failedStatements() {
    return failedStatements.get();
  }

  /** Changes whose statement failed but that had committed all the same. */
  long foundCommitted() {
    return foundCommitted.get();
  }

  /** Changes committed so far. */
  int committed() {
    return committedAt.size();
  }

  /**
   * Stops the load and settles every change still in doubt (waiting for the database as long as
   * the caller's Awaitility condition allows: returns whether all are settled).
   */
  boolean stopAndSettle() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(1, TimeUnit.MINUTES)) {
        throw new IllegalStateException("the load writer did not stop");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    return settleAll();
  }

  /** Settles the changes in doubt; whether none is left. */
  boolean settleAll() {
    for (final UUID user : users) {
      try {
        ledger.settle(user, this::progress).ifPresent(c -> {
          foundCommitted.incrementAndGet();
          committedAt.put(c, attemptedAt.get(user));
        });
      } catch (SQLException e) {
        return false;
      }
    }
    return users.stream().noneMatch(ledger::inDoubt);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
