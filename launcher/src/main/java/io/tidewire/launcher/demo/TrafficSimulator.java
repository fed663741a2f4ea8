package io.tidewire.launcher.demo;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays the app for the demo so that every event type shows up: the demo users start image and
 * video generations (paying credits: the transaction row and the balance update in one
 * transaction, as the credits join expects), the jobs progress to completion or failure (a failure
 * refunds the credits in the same transaction), models train step by step and sometimes fail,
 * content is posted, liked, unliked, commented on, and now and then made private, made public
 * again or deleted, and credits are topped up. Everything goes through plain SQL, so every change
 * travels the real pipeline. With a {@link Typist}, a user types for {@link #TYPING_TIME} before each
 * comment is written (the typing indicator under the item on the demo page).
 *
 * <p>One scheduler thread; {@link #close()} stops it.
 */
public final class TrafficSimulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(TrafficSimulator.class);
  private static final String[] PROMPTS = {"a lighthouse in a storm", "neon city at dawn",
      "a cat astronaut", "watercolor mountains", "a robot tending a garden", "desert caravan"};

  /** How long a simulated user types before the comment is written. */
  static final Duration TYPING_TIME = Duration.ofMillis(2500);

  /** Says that a user is typing a comment on a content item, and when they stopped. */
  public interface Typist extends AutoCloseable {
    /** Nobody types. */
    Typist NONE = new Typist() {
      @Override
      public void startTyping(final UUID user, final String contentType, final String contentId) {}

      @Override
      public void stopTyping(final UUID user, final String contentType, final String contentId) {}

      @Override
      public void close() {}
    };

    void startTyping(UUID user, String contentType, String contentId);

    void stopTyping(UUID user, String contentType, String contentId);

    @Override
    void close();
  }

  private final DataSource db;
  private final Duration tick;
  private final Typist typist;
  private final ScheduledExecutorService scheduler =
      Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, "tidewire-simulator");
        t.setDaemon(true);
        return t;
      });
  private final AtomicLong changes = new AtomicLong();

  public TrafficSimulator(final DataSource db, final Duration tick) {
    this(db, tick, Typist.NONE);
  }

  /** A simulator whose users type (through {@code typist}) before they comment; closing it closes the typist. */
  public TrafficSimulator(final DataSource db, final Duration tick, final Typist typist) {
    this.db = db;
    this.tick = tick;
    this.typist = typist;
  }

  /** Creates the demo users (if missing) and starts ticking. */
  public void start() {
    try (Connection c = db.getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO users (id, email, display_name, "
            + "credits) VALUES (?, ?, ?, 500) ON CONFLICT (id) DO NOTHING")) {
      for (final DemoUser u : DemoUser.ALL) {
        ps.setObject(1, u.id());
        ps.setString(2, u.name() + "@demo.tidewire.io");
        ps.setString(3, u.name());
        ps.executeUpdate();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create the demo users: " + e.getMessage(), e);
    }
    scheduler.scheduleWithFixedDelay(this::safeTick, 0, tick.toMillis(), TimeUnit.MILLISECONDS);
    LOG.info("Traffic simulator started: {} users, one step every {} ms", DemoUser.ALL.size(),
        tick.toMillis());
  }

  /** Changes committed so far. */
  public long changes() {
    return changes.get();
  }

  private void safeTick() {
    try {
      step();
    } catch (SQLException | RuntimeException e) {
      LOG.warn("simulator step failed (will retry next tick): {}", e.getMessage());
    }
  }

  void step() throws SQLException {
    final ThreadLocalRandom rnd = ThreadLocalRandom.current();
    try (Connection c = db.getConnection()) {
      advanceGenerations(c, rnd);
      advanceTrainings(c, rnd);
      for (final DemoUser user : DemoUser.ALL) {
        if (rnd.nextDouble() < 0.10) {
          startGeneration(c, user.id(), rnd);
        }
        if (rnd.nextDouble() < 0.02) {
          startTraining(c, user.id(), rnd);
        }
        if (rnd.nextDouble() < 0.04) {
          postContent(c, user.id(), rnd);
        }
        if (rnd.nextDouble() < 0.15) {
          reactToSomething(c, user.id(), rnd);
        }
        if (rnd.nextDouble() < 0.015) {
          curateOwnContent(c, user.id(), rnd);
        }
        if (rnd.nextDouble() < 0.01) {
          inTransaction(c, () -> credit(c, user.id(), 100, "credit purchase"));
        }
      }
    }
  }

  /**
   * The demo users' ids as an SQL array: the simulator only moves its own users' jobs, never those
   * of other rows in the database (a test's, or an app's pointed at the same database).
   */
  private static Array demoUsers(final Connection c) throws SQLException {
    return c.createArrayOf("uuid", DemoUser.ALL.stream().map(DemoUser::id).toArray());
  }

  private void advanceGenerations(final Connection c, final ThreadLocalRandom rnd)
      throws SQLException {
    final List<Object[]> jobs = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id, progress, kind, user_id FROM "
        + "generation_jobs WHERE status IN ('waiting', 'active') AND user_id = ANY (?)")) {
      ps.setArray(1, demoUsers(c));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          jobs.add(new Object[] {rs.getObject(1), rs.getInt(2), rs.getString(3), rs.getObject(4)});
        }
      }
    }
    for (final Object[] job : jobs) {
      final int next = Math.min(100, (int) job[1] + rnd.nextInt(4, 16));
      if (rnd.nextDouble() < 0.01) {
        final boolean video = "video".equals(job[2]);
        inTransaction(c, () -> {
          update(c, "UPDATE generation_jobs SET status = 'failed', error = 'GPU worker lost', "
              + "updated_at = now() WHERE id = ?", job[0]);
          credit(c, (UUID) job[3], costOf(video), "refund: " + job[2] + " generation failed");
        });
      } else if (next >= 100) {
        update(c, "UPDATE generation_jobs SET status = 'completed', progress = 100, result_url = "
            + "'https://cdn.demo.tidewire.io/' || kind || '/' || id, updated_at = now() "
            + "WHERE id = ?", job[0]);
      } else {
        try (PreparedStatement ps = c.prepareStatement("UPDATE generation_jobs SET status = "
            + "'active', progress = ?, updated_at = now() WHERE id = ?")) {
          ps.setInt(1, next);
          ps.setObject(2, job[0]);
          ps.executeUpdate();
          changes.incrementAndGet();
        }
      }
    }
  }

  private void advanceTrainings(final Connection c, final ThreadLocalRandom rnd)
      throws SQLException {
    if (rnd.nextDouble() < 0.5) {
      return; // training is slower than generation
    }
    final List<Object[]> jobs = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT id, step, total_steps FROM "
        + "training_jobs WHERE status IN ('waiting', 'active') AND user_id = ANY (?)")) {
      ps.setArray(1, demoUsers(c));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          jobs.add(new Object[] {rs.getObject(1), rs.getInt(2), rs.getInt(3)});
        }
      }
    }
    for (final Object[] job : jobs) {
      final int step = (int) job[1] + 1;
      if (rnd.nextDouble() < 0.01) {
        update(c, "UPDATE training_jobs SET status = 'failed', error = 'loss diverged', "
            + "updated_at = now() WHERE id = ?", job[0]);
      } else if (step >= (int) job[2]) {
        update(c, "UPDATE training_jobs SET status = 'completed', step = total_steps, model_id = "
            + "'model-' || substr(id::text, 1, 8), updated_at = now() WHERE id = ?", job[0]);
      } else {
        try (PreparedStatement ps = c.prepareStatement("UPDATE training_jobs SET status = "
            + "'active', step = ?, updated_at = now() WHERE id = ?")) {
          ps.setInt(1, step);
          ps.setObject(2, job[0]);
          ps.executeUpdate();
          changes.incrementAndGet();
        }
      }
    }
  }

  private void startGeneration(final Connection c, final UUID user, final ThreadLocalRandom rnd)
      throws SQLException {
    final boolean video = rnd.nextBoolean();
    final int cost = costOf(video);
    inTransaction(c, () -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO generation_jobs (user_id, kind, "
          + "prompt) VALUES (?, ?, ?)")) {
        ps.setObject(1, user);
        ps.setString(2, video ? "video" : "image");
        ps.setString(3, PROMPTS[rnd.nextInt(PROMPTS.length)]);
        ps.executeUpdate();
      }
      credit(c, user, -cost, video ? "video generation" : "image generation");
    });
  }

  private static int costOf(final boolean video) {
    return video ? 7 : 2;
  }

  private void startTraining(final Connection c, final UUID user, final ThreadLocalRandom rnd)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO training_jobs (user_id, "
        + "total_steps) SELECT ?, ? WHERE NOT EXISTS (SELECT 1 FROM training_jobs WHERE user_id = ? "
        + "AND status IN ('waiting', 'active'))")) {
      ps.setObject(1, user);
      ps.setInt(2, rnd.nextInt(10, 30));
      ps.setObject(3, user);
      changes.addAndGet(ps.executeUpdate());
    }
  }

  private void postContent(final Connection c, final UUID user, final ThreadLocalRandom rnd)
      throws SQLException {
    final String table = rnd.nextBoolean() ? "videos" : "images";
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (user_id, is_public, "
        + "url, caption) VALUES (?, ?, 'https://cdn.demo.tidewire.io/' || gen_random_uuid(), ?)")) {
      ps.setObject(1, user);
      ps.setBoolean(2, rnd.nextDouble() < 0.8);
      ps.setString(3, PROMPTS[rnd.nextInt(PROMPTS.length)]);
      changes.addAndGet(ps.executeUpdate());
    }
  }

  /**
   * The owner changes their mind about one of their posts: makes a public one private (the feed
   * removes it), a private one public (the feed publishes it), or deletes one with its likes and
   * comments (the feed removes it).
   */
  private void curateOwnContent(final Connection c, final UUID user, final ThreadLocalRandom rnd)
      throws SQLException {
    final String table = rnd.nextBoolean() ? "videos" : "images";
    final Object contentId;
    final boolean isPublic;
    try (PreparedStatement ps = c.prepareStatement("SELECT id, is_public FROM " + table
        + " WHERE user_id = ? ORDER BY created_at DESC LIMIT 1 OFFSET ?")) {
      ps.setObject(1, user);
      ps.setInt(2, rnd.nextInt(3));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return;
        }
        contentId = rs.getObject(1);
        isPublic = rs.getBoolean(2);
      }
    }
    if (rnd.nextDouble() < 0.4) {
      final String type = table.substring(0, table.length() - 1);
      inTransaction(c, () -> {
        for (final String reactions : List.of("likes", "comments")) {
          try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + reactions
              + " WHERE content_type = ? AND content_id = ?")) {
            ps.setString(1, type);
            ps.setObject(2, contentId);
            changes.addAndGet(ps.executeUpdate());
          }
        }
        update(c, "DELETE FROM " + table + " WHERE id = ?", contentId);
      });
    } else {
      try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET is_public = ? "
          + "WHERE id = ?")) {
        ps.setBoolean(1, !isPublic);
        ps.setObject(2, contentId);
        changes.addAndGet(ps.executeUpdate());
      }
    }
  }

  private void reactToSomething(final Connection c, final UUID user, final ThreadLocalRandom rnd)
      throws SQLException {
    final String type = rnd.nextBoolean() ? "video" : "image";
    final Object contentId;
    try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + type + "s WHERE is_public "
        + "ORDER BY created_at DESC LIMIT 1 OFFSET ?")) {
      ps.setInt(1, rnd.nextInt(5));
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return;
        }
        contentId = rs.getObject(1);
      }
    }
    final double dice = rnd.nextDouble();
    final String sql;
    if (dice < 0.55) {
      sql = "INSERT INTO likes (user_id, content_type, content_id) VALUES (?, ?, ?) "
          + "ON CONFLICT DO NOTHING";
    } else if (dice < 0.75) {
      sql = "DELETE FROM likes WHERE user_id = ? AND content_type = ? AND content_id = ?";
    } else if (dice < 0.8) {
      sql = "DELETE FROM comments WHERE id = (SELECT id FROM comments WHERE user_id = ? AND "
          + "content_type = ? AND content_id = ? ORDER BY created_at LIMIT 1)";
    } else if (typist != Typist.NONE) {
      commentAfterTyping(user, type, contentId.toString());
      return;
    } else {
      sql = COMMENT;
    }
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, user);
      ps.setString(2, type);
      ps.setObject(3, contentId);
      changes.addAndGet(ps.executeUpdate());
    }
  }

  private static final String COMMENT = "INSERT INTO comments (user_id, content_type, content_id, body) "
      + "VALUES (?, ?, ?, 'Love this!')";

  /** Types for a while (a typing indicator on the item's channel), then writes the comment. */
  private void commentAfterTyping(final UUID user, final String type, final String contentId) {
    typist.startTyping(user, type, contentId);
    scheduler.schedule(() -> {
      try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(COMMENT)) {
        ps.setObject(1, user);
        ps.setString(2, type);
        ps.setObject(3, UUID.fromString(contentId));
        changes.addAndGet(ps.executeUpdate());
      } catch (SQLException | RuntimeException e) {
        LOG.warn("simulated comment failed: {}", e.getMessage());
      } finally {
        typist.stopTyping(user, type, contentId);
      }
    }, TYPING_TIME.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Writes a credit transaction and the balance update; call inside {@link #inTransaction}. */
  private void credit(final Connection c, final UUID user, final long amount, final String reason)
      throws SQLException {
    try (PreparedStatement tx = c.prepareStatement("INSERT INTO credit_transactions (user_id, "
        + "amount, reason) VALUES (?, ?, ?)");
        PreparedStatement balance = c.prepareStatement("UPDATE users SET credits = "
            + "GREATEST(0, credits + ?), updated_at = now() WHERE id = ?")) {
      tx.setObject(1, user);
      tx.setLong(2, amount);
      tx.setString(3, reason);
      tx.executeUpdate();
      balance.setLong(1, amount);
      balance.setObject(2, user);
      balance.executeUpdate();
      changes.addAndGet(2);
    }
  }

  private void update(final Connection c, final String sql, final Object id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id);
      changes.addAndGet(ps.executeUpdate());
    }
  }

  private interface SqlWork {
    void run() throws SQLException;
  }

  private static void inTransaction(final Connection c, final SqlWork work) throws SQLException {
    c.setAutoCommit(false);
    try {
      work.run();
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(true);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    try {
      if (!scheduler.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("simulator did not stop within 5 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    typist.close();
  }
}
