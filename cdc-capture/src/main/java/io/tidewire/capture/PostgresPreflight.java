package io.tidewire.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before the engine starts, that the captured database can be captured: reachable with
 * the configured user, {@code wal_level=logical}, every captured table present. Warns about tables
 * without {@code REPLICA IDENTITY FULL}. Stateless.
 */
final class PostgresPreflight {

  private static final Logger LOG = LoggerFactory.getLogger(PostgresPreflight.class);

  private PostgresPreflight() {}

  /**
   * @param config the capture's configuration
   * @throws CaptureException saying what is wrong, if the database cannot be captured
   */
  static void check(final CaptureConfig config) {
    final Properties props = new Properties();
    props.setProperty("user", config.pgUser());
    props.setProperty("password", config.pgPassword());
    props.setProperty("connectTimeout", "10");
    props.setProperty("ApplicationName", config.name() + "-check");
    try (Connection c = DriverManager.getConnection(config.jdbcUrl(), props)) {
      try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW wal_level")) {
        rs.next();
        if (!"logical".equals(rs.getString(1))) {
          throw new CaptureException("PostgreSQL at " + config.jdbcUrl() + " has wal_level=" + rs.getString(1)
              + "; logical decoding needs wal_level=logical");
        }
      }
      final List<String> missing = missingTables(c, config.tables());
      if (!missing.isEmpty()) {
        throw new CaptureException("captured tables do not exist in " + config.jdbcUrl() + ": " + missing
            + " (check " + CaptureSettings.TABLES.name() + ")");
      }
    } catch (SQLException e) {
      throw new CaptureException("cannot check PostgreSQL at " + config.jdbcUrl() + " as " + config.pgUser()
          + ": " + e.getMessage(), e);
    }
  }

  private static List<String> missingTables(final Connection c, final List<String> tables) throws SQLException {
    final List<String> missing = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT c.relreplident FROM pg_class c"
        + " JOIN pg_namespace n ON n.oid = c.relnamespace"
        + " WHERE n.nspname = ? AND c.relname = ? AND c.relkind IN ('r', 'p')")) {
      for (final String table : tables) {
        final int dot = table.indexOf('.');
        ps.setString(1, table.substring(0, dot));
        ps.setString(2, table.substring(dot + 1));
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            missing.add(table);
          } else if (!"f".equals(rs.getString(1))) {
            LOG.warn("Table {} does not have REPLICA IDENTITY FULL: its updates and deletes will carry no"
                + " complete 'before' row", table);
          }
        }
      }
    }
    return missing;
  }
}
