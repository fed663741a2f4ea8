package io.tidewire.gateway.replay;

import io.tidewire.gateway.recovery.LogRange;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;

/** An in-memory log of one topic that hands out at most {@code batch} records per read. */
final class FakePartitionReader implements PartitionReader {

  private final int batch;
  private final Map<Integer, TreeMap<Long, ConsumerRecord<byte[], byte[]>>> log = new HashMap<>();
  private final Map<Integer, Long> starts = new HashMap<>();
  private final List<Integer> readSizes = new ArrayList<>();
  private int failuresToGo;
  private boolean truncateOnRead;

  FakePartitionReader(final int batch) {
    this.batch = batch;
  }

  synchronized void append(final ConsumerRecord<byte[], byte[]> record) {
    log.computeIfAbsent(record.partition(), p -> new TreeMap<>()).put(record.offset(), record);
  }

  /** Plays retention: records below {@code start} are gone. */
  synchronized void deleteBefore(final int partition, final long start) {
    starts.put(partition, start);
  }

  /** The next reads fail with a transient error. */
  synchronized void failNext(final int reads) {
    failuresToGo = reads;
  }

  /** The next read finds its position deleted. */
  synchronized void truncateOnNextRead() {
    truncateOnRead = true;
  }

  synchronized List<Integer> readSizes() {
    return List.copyOf(readSizes);
  }

  private long end(final int partition) {
    final TreeMap<Long, ConsumerRecord<byte[], byte[]>> records = log.get(partition);
    return records == null || records.isEmpty() ? 0 : records.lastKey() + 1;
  }

  @Override
  public synchronized Map<Integer, LogRange> bounds(final String topic, final Set<Integer> partitions) {
    final Map<Integer, LogRange> bounds = new HashMap<>();
    for (final int partition : partitions) {
      bounds.put(partition, new LogRange(starts.getOrDefault(partition, 0L), end(partition)));
    }
    return bounds;
  }

  @Override
  public synchronized Batch read(final String topic, final Map<Integer, Long> from) {
    if (failuresToGo > 0) {
      failuresToGo--;
      throw new KafkaException("broker unavailable");
    }
    if (truncateOnRead) {
      truncateOnRead = false;
      throw new LogTruncatedException("deleted", null);
    }
    final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    final Map<Integer, Long> reach = new HashMap<>();
    for (final Map.Entry<Integer, Long> position : from.entrySet()) {
      long next = position.getValue();
      final TreeMap<Long, ConsumerRecord<byte[], byte[]>> partition =
          log.getOrDefault(position.getKey(), new TreeMap<>());
      for (final ConsumerRecord<byte[], byte[]> record : partition.tailMap(position.getValue()).values()) {
        if (records.size() == batch) {
          break;
        }
        records.add(record);
        next = record.offset() + 1;
      }
      reach.put(position.getKey(), records.size() < batch ? Math.max(next, end(position.getKey())) : next);
    }
    readSizes.add(records.size());
    return new Batch(records, reach);
  }

  @Override
  public void close() {
  }
}
