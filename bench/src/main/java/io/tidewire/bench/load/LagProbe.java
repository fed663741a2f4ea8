package io.tidewire.bench.load;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads the lag of the two asynchronous hops: the capture's replication slot (WAL bytes
 * PostgreSQL wrote that the capture has not confirmed; the capture confirms when it flushes its
 * offsets, so this moves in steps) and the processor's consumer group (records in its input
 * topics it has not committed). Not thread-safe.
 */
public final class LagProbe implements AutoCloseable {

  private final DataSource db;
  private final String slot;
  private final String group;
  private final Admin admin;

  /**
   * @param slot the capture's replication slot
   * @param group the processor's application id
   */
  public LagProbe(final DataSource db, final String bootstrap, final String slot,
      final String group) {
    this.db = db;
    this.slot = slot;
    this.group = group;
    final Properties props = new Properties();
    props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    this.admin = Admin.create(props);
  }

  /** WAL bytes behind the slot's confirmed position, or -1 if unknown. */
  public long slotLagBytes() {
    try (Connection c = db.getConnection(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), "
            + "confirmed_flush_lsn) FROM pg_replication_slots WHERE slot_name = '" + slot + "'")) {
      return rs.next() ? rs.getLong(1) : -1;
    } catch (SQLException e) {
      return -1;
    }
  }

  /** Records the processor's group has not committed, over all its input partitions, or -1. */
  public long groupLagRecords() {
    try {
      final Map<TopicPartition, OffsetAndMetadata> committed = admin
          .listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
          .get(5, TimeUnit.SECONDS);
      if (committed.isEmpty()) {
        return -1;
      }
      final Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      final Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
      long lag = 0;
      for (final Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
        if (e.getValue() != null && ends.containsKey(e.getKey())) {
          lag += Math.max(0, ends.get(e.getKey()).offset() - e.getValue().offset());
        }
      }
      return lag;
    } catch (ExecutionException | TimeoutException | KafkaException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  @Override
  public void close() {
    admin.close();
  }
}
