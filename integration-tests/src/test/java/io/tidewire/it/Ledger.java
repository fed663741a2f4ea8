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
 * so a change is identified by (job, progress).
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

  private final Statements db;
  /** user → job → progress values in commit order. */
  private final Map<UUID, Map<UUID, List<Integer>>> committed = new ConcurrentHashMap<>();

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
  void startJob(final UUID user) throws SQLException {
    final UUID job = UUID.randomUUID();
    db.run("INSERT INTO generation_jobs (id, user_id, kind) VALUES (?, ?, 'image')", job, user);
    final Map<UUID, List<Integer>> jobs = new LinkedHashMap<>();
    final List<Integer> values = new ArrayList<>();
    values.add(0);
    jobs.put(job, values);
    committed.put(user, jobs);
  }

  /** Commits the next progress value of the user's job, in its own transaction. */
  synchronized void advance(final UUID user) throws SQLException {
    final Map.Entry<UUID, List<Integer>> job = committed.get(user).entrySet().iterator().next();
    final int next = job.getValue().get(job.getValue().size() - 1) + 1;
    if (next > 100) {
      throw new IllegalStateException("a job has 100 progress steps at most");
    }
    db.run("UPDATE generation_jobs SET status = 'active', progress = ? WHERE id = ?", next,
        job.getKey());
    job.getValue().add(next);
  }

  /** Changes committed for {@code user} so far. */
  int committedCount(final UUID user) {
    return committed.get(user).values().stream().mapToInt(List::size).sum();
  }

  int committedTotal() {
    return committed.keySet().stream().mapToInt(this::committedCount).sum();
  }

  /** The generation events among {@code events} for jobs of {@code user}. */
  int receivedCount(final UUID user, final List<JsonNode> events) {
    final Set<String> jobs = jobIds(user);
    return (int) events.stream()
        .filter(e -> jobs.contains(e.path("data").path("jobId").asText()))
        .map(e -> e.path("id").asText()).distinct().count();
  }

  /**
   * Asserts the ledger holds for {@code user}: de-duplicated by event id, the client saw each of
   * the user's changes exactly once, per job in commit order, and no event of another user.
   */
  void assertHolds(final UUID user, final List<JsonNode> events) {
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
  String describe(final UUID user, final List<JsonNode> events) {
    final StringBuilder b = new StringBuilder("user " + user + ":");
    for (final Map.Entry<UUID, List<Integer>> job : committed.get(user).entrySet()) {
      final List<Integer> seen = events.stream()
          .filter(e -> job.getKey().toString().equals(e.path("data").path("jobId").asText()))
          .map(e -> e.path("data").path("progress").asInt()).toList();
      b.append(" committed ").append(job.getValue()).append(", received ").append(seen);
    }
    return b.toString();
  }

  private Set<String> jobIds(final UUID user) {
    return committed.get(user).keySet().stream().map(UUID::toString).collect(Collectors.toSet());
  }

  Set<UUID> users() {
    return committed.keySet();
  }
}
