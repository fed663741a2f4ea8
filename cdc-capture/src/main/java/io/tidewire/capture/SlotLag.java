package io.tidewire.capture;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.OptionalLong;
import java.util.Properties;

/**
 * Reads how far the capture's replication slot is behind the database's WAL:
 * {@code pg_current_wal_lsn() - confirmed_flush_lsn}, in bytes. That is the WAL PostgreSQL must
 * keep for the capture (bounded only by {@code max_slot_wal_keep_size}), and it grows while the
 * capture cannot deliver, e.g. during a Kafka outage. Stateless.
 */
final class SlotLag {

  private SlotLag() {}

  /**
   * @param config the capture's configuration (database and slot)
   * @return the lag in bytes; empty if the slot does not exist (yet) or has confirmed nothing
   * @throws SQLException if PostgreSQL cannot be asked
   */
  static OptionalLong read(final CaptureConfig config) throws SQLException {
    final Properties props = new Properties();
    props.setProperty("user", config.pgUser());
    props.setProperty("password", config.pgPassword());
    props.setProperty("connectTimeout", "10");
    props.setProperty("socketTimeout", "10");
    props.setProperty("ApplicationName", config.name() + "-slot-lag");
    try (Connection c = DriverManager.getConnection(config.jdbcUrl(), props);
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
}
