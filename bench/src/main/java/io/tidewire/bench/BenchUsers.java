package io.tidewire.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Rows the scenarios need in the app's tables, created fresh per run so that runs and
 * scenarios never see each other's users. Stateless.
 */
public final class BenchUsers {

  private BenchUsers() {
  }

  /** Inserts {@code count} users and returns their ids. */
  public static List<String> create(final DataSource db, final int count, final String tag)
      throws SQLException {
    final List<String> ids = new ArrayList<>(count);
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO users(id, email, display_name, credits) VALUES (?, ?, ?, 100)")) {
      c.setAutoCommit(false);
      for (int i = 0; i < count; i++) {
        final UUID id = UUID.randomUUID();
        ps.setObject(1, id);
        ps.setString(2, tag + "-" + i + "@bench.tidewire.io");
        ps.setString(3, tag + " " + i);
        ps.addBatch();
        ids.add(id.toString());
        if (i % 500 == 499) {
          ps.executeBatch();
        }
      }
      ps.executeBatch();
      c.commit();
    }
    return ids;
  }

  /**
   * Inserts {@code perUser} active generation jobs for each user.
   *
   * @return the job ids, user by user ({@code perUser} consecutive ids per user)
   */
  public static List<String> activeJobs(final DataSource db, final List<String> users,
      final int perUser) throws SQLException {
    final List<String> ids = new ArrayList<>(users.size() * perUser);
    try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
        "INSERT INTO generation_jobs(id, user_id, kind, status, progress, prompt) "
            + "VALUES (?, ?, 'image', 'active', 0, 'bench')")) {
      c.setAutoCommit(false);
      int n = 0;
      for (final String user : users) {
        for (int j = 0; j < perUser; j++) {
          final UUID id = UUID.randomUUID();
          ps.setObject(1, id);
          ps.setObject(2, UUID.fromString(user));
          ps.addBatch();
          ids.add(id.toString());
          if (++n % 500 == 0) {
            ps.executeBatch();
          }
        }
      }
      ps.executeBatch();
      c.commit();
    }
    return ids;
  }

  /** Number of rows of {@code table} (for progress logs). */
  static long count(final DataSource db, final String table) throws SQLException {
    try (Connection c = db.getConnection(); var s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
