package io.tidewire.gateway.replay;

import io.tidewire.gateway.recovery.LogRange;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.InvalidOffsetException;
import org.apache.kafka.common.TopicPartition;

/**
 * A {@link PartitionReader} over one Kafka consumer without a group: each read assigns the
 * partitions asked for, seeks to the positions asked for and polls once. The consumer must be
 * configured with {@code isolation.level=read_committed}, {@code auto.offset.reset=none} (so a
 * position deleted by retention fails instead of silently jumping) and a {@code max.poll.records}
 * that bounds a batch.
 *
 * <p>Not thread-safe: one per replay worker.
 */
public final class KafkaPartitionReader implements PartitionReader {

  private final Consumer<byte[], byte[]> consumer;
  private final Duration pollTimeout;
  private final Duration apiTimeout;

  /**
   * @param consumer the consumer, owned (closed) by this reader
   * @param pollTimeout longest a read waits for records
   * @param apiTimeout longest a bounds request waits for the broker
   */
  public KafkaPartitionReader(final Consumer<byte[], byte[]> consumer, final Duration pollTimeout,
      final Duration apiTimeout) {
    this.consumer = consumer;
    this.pollTimeout = pollTimeout;
    this.apiTimeout = apiTimeout;
  }

  @Override
  public Map<Integer, LogRange> bounds(final String topic, final Set<Integer> partitions) {
    final List<TopicPartition> tps = partitions.stream().map(p -> new TopicPartition(topic, p)).toList();
    final Map<TopicPartition, Long> starts = consumer.beginningOffsets(tps, apiTimeout);
    final Map<TopicPartition, Long> ends = consumer.endOffsets(tps, apiTimeout);
    final Map<Integer, LogRange> bounds = new HashMap<>();
    for (final TopicPartition tp : tps) {
      bounds.put(tp.partition(), new LogRange(starts.get(tp), ends.get(tp)));
    }
    return bounds;
  }

  @Override
  public Batch read(final String topic, final Map<Integer, Long> from) {
    final Set<TopicPartition> wanted = new HashSet<>();
    for (final int partition : from.keySet()) {
      wanted.add(new TopicPartition(topic, partition));
    }
    if (!consumer.assignment().equals(wanted)) {
      consumer.assign(wanted);
    }
    for (final TopicPartition tp : wanted) {
      // Seeking to where the consumer already is keeps what it prefetched for this partition.
      consumer.seek(tp, from.get(tp.partition()));
    }
    final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    try {
      consumer.poll(pollTimeout).forEach(records::add);
    } catch (InvalidOffsetException e) {
      throw new LogTruncatedException("cannot read " + e.partitions() + " from the positions asked: "
          + e.getMessage(), e);
    }
    final Map<Integer, Long> reach = new HashMap<>();
    for (final TopicPartition tp : wanted) {
      reach.put(tp.partition(), consumer.position(tp, apiTimeout));
    }
    return new Batch(records, reach);
  }

  @Override
  public void close() {
    consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
  }
}
