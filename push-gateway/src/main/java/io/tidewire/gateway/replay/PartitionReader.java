package io.tidewire.gateway.replay;

import io.tidewire.gateway.recovery.LogRange;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads ranges of partitions for replays: one per replay worker, never shared between threads.
 * Implemented over a Kafka consumer ({@link KafkaPartitionReader}) and by fakes in tests.
 */
public interface PartitionReader extends AutoCloseable {

  /**
   * One bounded read.
   *
   * @param records the records, in partition order within each partition
   * @param reach per partition read, the position after this read (past the records returned and
   *     any transaction markers or aborted records skipped)
   */
  record Batch(List<ConsumerRecord<byte[], byte[]>> records, Map<Integer, Long> reach) {
    public Batch {
      records = List.copyOf(records);
      reach = Map.copyOf(reach);
    }
  }

  /**
   * The readable range of each partition.
   *
   * @throws org.apache.kafka.common.KafkaException if the broker cannot tell in time
   */
  Map<Integer, LogRange> bounds(String topic, Set<Integer> partitions);

  /**
   * Reads at most one batch from the given positions; may return no records (the broker had
   * nothing ready) but never blocks long.
   *
   * @param from partition to the offset to read from
   * @throws LogTruncatedException if retention deleted records at a requested position
   * @throws org.apache.kafka.common.KafkaException on other, possibly transient, failures
   */
  Batch read(String topic, Map<Integer, Long> from);

  /** Releases the reader's resources. */
  @Override
  void close();
}
