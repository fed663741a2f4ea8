package io.tidewire.launcher.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.infra.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
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
