package io.tidewire.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * What PostgreSQL says about the capture's replication slot, each question on a short-lived
 * connection of its own. Stateless.
 *
 * <ul>
 *   <li>{@link #lag}: how far the slot is behind the database's WAL,
 *       {@code pg_current_wal_lsn() - confirmed_flush_lsn} in bytes. That is the WAL PostgreSQL must
 *       keep for the capture (bounded only by {@code max_slot_wal_keep_size}); it grows while the
 *       capture cannot deliver, e.g. during a Kafka outage.
 *   <li>{@link #holder} and {@link #release}: the server process (backend) streaming from the slot.
 *       A slot has at most one; a second engine is refused with "replication slot … is active for
 *       PID …" until that backend ends.
 * </ul>
 */
final class ReplicationSlot {

  private ReplicationSlot() {}

  /**
   * @param config the capture's configuration (database and slot)
   * @return the lag in bytes; empty if the slot does not exist (yet) or has confirmed nothing
   * @throws SQLException if PostgreSQL cannot be asked
   */
  static OptionalLong lag(final CaptureConfig config) throws SQLException {
    try (Connection c = connect(config, "slot-lag");
        PreparedStatement ps = c.prepareStatement("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn)"
            + "::bigint FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, config.slotName());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return OptionalLong.empty();
        }
        final long lag = rs.getLong(1);
        return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(Math.max(0, lag));
      }
    }
  }

  /**
   * @param config the capture's configuration (database and slot)
   * @return the process id of the backend streaming from the slot; empty if none (or no slot)
   * @throws SQLException if PostgreSQL cannot be asked
   */
  static OptionalInt holder(final CaptureConfig config) throws SQLException {
    try (Connection c = connect(config, "slot-holder");
        PreparedStatement ps = c.prepareStatement(
            "SELECT active_pid FROM pg_replication_slots WHERE slot_name = ? AND active")) {
      ps.setString(1, config.slotName());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return OptionalInt.empty();
        }
        final int pid = rs.getInt(1);
        return rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(pid);
      }
    }
  }

  /**
   * Ends the backend {@code pid} if, and only if, it still holds the slot: the check and the
   * termination are one statement, so a slot taken over by another process meanwhile is left alone.
   * Needs the same role as that backend (or {@code pg_signal_backend}); the capture's own role is.
   *
   * @param config the capture's configuration (database and slot)
   * @param pid the backend to end
   * @return true if it held the slot and was told to end
   * @throws SQLException if PostgreSQL cannot be asked, or refuses
   */
  static boolean release(final CaptureConfig config, final int pid) throws SQLException {
    try (Connection c = connect(config, "slot-release");
        PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots "
            + "WHERE slot_name = ? AND active AND active_pid = ?")) {
      ps.setString(1, config.slotName());
      ps.setInt(2, pid);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private static Connection connect(final CaptureConfig config, final String purpose) throws SQLException {
    final Properties props = new Properties();
    props.setProperty("user", config.pgUser());
    props.setProperty("password", config.pgPassword());
    props.setProperty("connectTimeout", "10");
    props.setProperty("socketTimeout", "10");
    props.setProperty("ApplicationName", config.name() + "-" + purpose);
    return DriverManager.getConnection(config.jdbcUrl(), props);
  }
}
