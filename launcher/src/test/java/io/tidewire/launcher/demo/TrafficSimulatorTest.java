package io.tidewire.launcher.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tidewire.infra.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator against a real PostgreSQL with the app's schema. */
class TrafficSimulatorTest {

  @TempDir
  static Path data;
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void startPostgres() {
    postgres = EmbeddedPostgres.start(0, data.resolve("postgres"));
  }

  @AfterAll
  static void stopPostgres() {
    postgres.close();
  }

  @Test
  void advancesOnlyTheDemoUsersJobs() throws SQLException {
    final UUID stranger = UUID.randomUUID();
    final UUID strangersJob = UUID.randomUUID();
    final UUID strangersTraining = UUID.randomUUID();
    final UUID alicesJob = UUID.randomUUID();
    try (Connection c = postgres.dataSource().getConnection()) {
      execute(c, "INSERT INTO users (id, email, display_name, credits) VALUES (?, 'x@example.com', 'x', 0)",
          stranger);
      final TrafficSimulator simulator = new TrafficSimulator(postgres.dataSource(), Duration.ofHours(1));
      simulator.start(); // creates the demo users; the first tick may run at once
      simulator.close();
      execute(c, "INSERT INTO generation_jobs (id, user_id, kind, status, progress, prompt) "
          + "VALUES (?, ?, 'image', 'active', 10, 'p')", strangersJob, stranger);
      execute(c, "INSERT INTO training_jobs (id, user_id, status, step, total_steps) "
          + "VALUES (?, ?, 'active', 1, 1000)", strangersTraining, stranger);
      execute(c, "INSERT INTO generation_jobs (id, user_id, kind, status, progress, prompt) "
          + "VALUES (?, ?, 'image', 'active', 10, 'p')", alicesJob, DemoUser.ALL.get(0).id());

      for (int i = 0; i < 20; i++) {
        simulator.step();
      }

      assertThat(number(c, "SELECT progress FROM generation_jobs WHERE id = ?", strangersJob))
          .isEqualTo(10);
      assertThat(number(c, "SELECT step FROM training_jobs WHERE id = ?", strangersTraining))
          .isEqualTo(1);
      assertThat(number(c, "SELECT count(*) FROM generation_jobs WHERE id = ? AND (progress > 10 "
          + "OR status <> 'active')", alicesJob)).isEqualTo(1);
    }
  }

  @Test
  void aSimulatedUserTypesOnTheItemsChannelBeforeTheCommentIsWrittenAndStopsAfter() throws Exception {
    final List<String> calls = new CopyOnWriteArrayList<>();
    final TrafficSimulator.Typist typist = new TrafficSimulator.Typist() {
      @Override
      public void startTyping(final UUID user, final String contentType, final String contentId) {
        calls.add("start " + user + " " + contentType + ":" + contentId);
      }

      @Override
      public void stopTyping(final UUID user, final String contentType, final String contentId) {
        calls.add("stop " + user + " " + contentType + ":" + contentId);
      }

      @Override
      public void close() {
        calls.add("closed");
      }
    };
    final UUID video = UUID.randomUUID();
    try (Connection c = postgres.dataSource().getConnection();
        TrafficSimulator simulator = new TrafficSimulator(postgres.dataSource(), Duration.ofHours(1), typist)) {
      simulator.start();
      execute(c, "INSERT INTO videos (id, user_id, is_public, caption) VALUES (?, ?, true, 'typing test')",
          video, DemoUser.ALL.get(0).id());
      await().atMost(Duration.ofSeconds(30)).until(() -> {
        simulator.step();
        return calls.stream().anyMatch(call -> call.startsWith("start "));
      });
      final String started = calls.stream().filter(call -> call.startsWith("start ")).findFirst().orElseThrow();
      final String[] parts = started.split(" ");
      final UUID user = UUID.fromString(parts[1]);
      final String contentId = parts[2].substring(parts[2].indexOf(':') + 1);

      final long commentsWhileTyping = number(c, "SELECT count(*) FROM comments WHERE user_id = ? AND content_id = '"
          + contentId + "'", user);
      await().atMost(Duration.ofSeconds(10)).until(() -> calls.contains("stop " + parts[1] + " " + parts[2]));
      assertThat(number(c, "SELECT count(*) FROM comments WHERE user_id = ? AND content_id = '" + contentId + "'",
          user)).as("the comment is written after the typing").isEqualTo(commentsWhileTyping + 1);
    }
    assertThat(calls).last().isEqualTo("closed");
  }

  private static void execute(final Connection c, final String sql, final Object... args)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        ps.setObject(i + 1, args[i]);
      }
      ps.executeUpdate();
    }
  }

  private static long number(final Connection c, final String sql, final Object arg)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, arg);
      try (ResultSet rs = ps.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getLong(1);
      }
    }
  }
}
