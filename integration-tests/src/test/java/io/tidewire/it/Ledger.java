package io.tidewire.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * What the test committed, per user and per row, to check what each client saw against: every
 * change of its own exactly once (after de-duplication by event id), in per-row commit order, and
 * nothing of anyone else's.
 *
 * <p>Each change is a {@code generation_jobs} progress update with a value unique within its job,
 * so a change is identified by (job, progress). A job has 100 steps; the next change after that
 * starts a new job of the same user (its insert, progress 0).
 *
 * <p>A statement that fails may still have committed (the connection broke after the server
 * committed, as when PostgreSQL shuts down): {@link #advance} then leaves the change <em>in
 * doubt</em>, and {@link #settle} asks the database whether it holds it before the user's next
 * change. Thread-safe; one writer per user keeps each row's changes in order.
 */
final class Ledger {

  /** Runs one statement in its own transaction (the database the pipeline captures). */
  @FunctionalInterface
  interface Statements {
    void run(String sql, Object... args) throws SQLException;

    /** Each statement on its own connection from {@code db}, auto-committed. */
    static Statements on(final DataSource db) {
      return (sql, args) -> {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
          for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
          }
          ps.executeUpdate();
        }
      };
    }
  }

  /** Reads a job's progress as the database has it now (empty: no such row). */
  @FunctionalInterface
  interface Progress {
    OptionalInt of(UUID job) throws SQLException;
  }

  /** One committed (or attempted) change: a job's progress value. */
  record Change(UUID job, int progress) {

    /** The change a {@code generation.progress} event reports, if it is one. */
    static Optional<Change> of(final JsonNode event) {
      final JsonNode data = event.path("data");
      if (!"generation.progress".equals(event.path("type").asText())
          || !data.hasNonNull("jobId")) {
        return Optional.empty();
      }
      try {
        return Optional.of(new Change(UUID.fromString(data.path("jobId").asText()),
            data.path("progress").asInt()));
      } catch (IllegalArgumentException e) {
        return Optional.empty();
      }
    }
  }

  private static final int LAST_STEP = 100;

  private final Statements db;
  /** user → job → progress values in commit order. */
  private final Map<UUID, Map<UUID, List<Integer>>> committed = new ConcurrentHashMap<>();
  /** user → the change whose statement failed, committed or not. */
  private final Map<UUID, Change> inDoubt = new ConcurrentHashMap<>();

  Ledger(final SharedStack stack) {
    this(stack::sql);
  }

  Ledger(final Statements db) {
    this.db = db;
  }

  /**
   * Creates a user with one generation job (progress 0) and records both. Call it after the
   * user's client subscribed: a client without a cursor gets only what happens after that.
   */
  synchronized void startJob(final UUID user) throws SQLException {
    final UUID job = UUID.randomUUID();
    db.run("INSERT INTO generation_jobs (id, user_id, kind) VALUES (?, ?, 'image')", job, user);
    final Map<UUID, List<Integer>> jobs = new LinkedHashMap<>();
    final List<Integer> values = new ArrayList<>();
    values.add(0);
    jobs.put(job, values);
    committed.put(user, jobs);
  }

  /**
   * Commits the user's next change in its own transaction: the next progress value of its job,
   * or a new job once the last reached 100.
   *
   * @return the change committed
   * @throws SQLException if the statement failed: the change is then in doubt until
   *     {@link #settle}d
   * @throws IllegalStateException if a change of the user is still in doubt
   */
  synchronized Change advance(final UUID user) throws SQLException {
    if (inDoubt.containsKey(user)) {
      throw new IllegalStateException("settle the change in doubt of user " + user + " first");
    }
    final Map.Entry<UUID, List<Integer>> job = lastJob(user);
    final int last = job.getValue().get(job.getValue().size() - 1);
    final Change next = last < LAST_STEP ? new Change(job.getKey(), last + 1)
        : new Change(UUID.randomUUID(), 0);
    try {
      if (next.progress() == 0) {
        db.run("INSERT INTO generation_jobs (id, user_id, kind) VALUES (?, ?, 'image')",
            next.job(), user);
      } else {
        db.run("UPDATE generation_jobs SET status = 'active', progress = ? WHERE id = ?",
            next.progress(), next.job());
      }
    } catch (SQLException e) {
      inDoubt.put(user, next);
      throw e;
    }
    record(user, next);
    return next;
  }

  /**
   * Resolves the user's change in doubt, if any, by reading its row: recorded as committed if the
   * database holds it, forgotten (to be tried again by the next {@link #advance}) if not.
   *
   * @return the change if it had committed
   * @throws SQLException if the database cannot be read (the change stays in doubt)
   */
  synchronized Optional<Change> settle(final UUID user, final Progress progress)
      throws SQLException {
    final Change doubt = inDoubt.get(user);
    if (doubt == null) {
      return Optional.empty();
    }
    final OptionalInt now = progress.of(doubt.job());
    inDoubt.remove(user);
    if (now.isPresent() && now.getAsInt() == doubt.progress()) {
      record(user, doubt);
      return Optional.of(doubt);
    }
    return Optional.empty();
  }

  /** Whether a change of {@code user} is in doubt. */
  boolean inDoubt(final UUID user) {
    return inDoubt.containsKey(user);
  }

  private void record(final UUID user, final Change change) {
    if (change.progress() == 0) {
      final List<Integer> values = new ArrayList<>();
      values.add(0);
      committed.get(user).put(change.job(), values);
    } else {
      committed.get(user).get(change.job()).add(change.progress());
    }
  }

  private Map.Entry<UUID, List<Integer>> lastJob(final UUID user) {
    Map.Entry<UUID, List<Integer>> last = null;
    for (final Map.Entry<UUID, List<Integer>> e : committed.get(user).entrySet()) {
      last = e;
    }
    return last;
  }

  /** Changes committed for {@code user} so far. */
  synchronized int committedCount(final UUID user) {
    return committed.get(user).values().stream().mapToInt(List::size).sum();
  }

  synchronized int committedTotal() {
    return committed.keySet().stream().mapToInt(this::committedCount).sum();
  }

  /** The generation events among {@code events} for jobs of {@code user}. */
  synchronized int receivedCount(final UUID user, final List<JsonNode> events) {
    final Set<String> jobs = jobIds(user);
    return (int) events.stream()
        .filter(e -> jobs.contains(e.path("data").path("jobId").asText()))
        .map(e -> e.path("id").asText()).distinct().count();
  }

  /**
   * Asserts the ledger holds for {@code user}: de-duplicated by event id, the client saw each of
   * the user's changes exactly once, per job in commit order, and no event of another user.
   */
  synchronized void assertHolds(final UUID user, final List<JsonNode> events) {
    final Map<String, JsonNode> unique = new LinkedHashMap<>();
    for (final JsonNode e : events) {
      unique.putIfAbsent(e.path("id").asText(), e);
    }
    final Set<String> others = committed.keySet().stream().filter(u -> !u.equals(user))
        .flatMap(u -> committed.get(u).keySet().stream().map(UUID::toString))
        .collect(Collectors.toSet());
    assertThat(unique.values()).as("events of other users' jobs")
        .noneMatch(e -> others.contains(e.path("data").path("jobId").asText()));
    for (final Map.Entry<UUID, List<Integer>> job : committed.get(user).entrySet()) {
      final List<Integer> seen = unique.values().stream()
          .filter(e -> "generation.progress".equals(e.path("type").asText()))
          .filter(e -> job.getKey().toString().equals(e.path("data").path("jobId").asText()))
          .map(e -> e.path("data").path("progress").asInt())
          .toList();
      assertThat(seen).as("progress of job %s of user %s", job.getKey(), user)
          .containsExactlyElementsOf(job.getValue());
    }
  }

  /** Committed and received progress values of the user's jobs, for failure messages. */
  synchronized String describe(final UUID user, final List<JsonNode> events) {
    final StringBuilder b = new StringBuilder("user " + user + ":");
    for (final Map.Entry<UUID, List<Integer>> job : committed.get(user).entrySet()) {
      final List<Integer> seen = events.stream()
          .filter(e -> job.getKey().toString().equals(e.path("data").path("jobId").asText()))
          .map(e -> e.path("data").path("progress").asInt()).toList();
      b.append(" committed ").append(job.getValue()).append(", received ").append(seen);
    }
    return b.toString();
  }

  private synchronized Set<String> jobIds(final UUID user) {
    return committed.get(user).keySet().stream().map(UUID::toString).collect(Collectors.toSet());
  }

  Set<UUID> users() {
    return Set.copyOf(committed.keySet());
  }
}
