package io.tidewire.it;

import io.tidewire.schemas.Topic;
import io.tidewire.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Reads what the pipeline committed to a topic, as a {@code read_committed} consumer does. */
final class CommittedRecords {

  private CommittedRecords() {}

  /**
   * Every committed value of {@code key} on {@code topic} up to its end now, in order (the key's
   * partition only, found as Kafka's default partitioner finds it).
   */
  static <V> List<V> of(final String bootstrap, final Topic<String, V> topic, final String key) {
    try (KafkaConsumer<String, V> consumer = new KafkaConsumer<>(Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
        ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
        topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      final int partitions = consumer.partitionsFor(topic.name()).size();
      final TopicPartition partition = new TopicPartition(topic.name(), Topics.partitionOf(key, partitions));
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      final long end = consumer.endOffsets(List.of(partition)).get(partition);
      final List<V> values = new ArrayList<>();
      while (consumer.position(partition) < end) {
        for (final ConsumerRecord<String, V> record : consumer.poll(Duration.ofMillis(200))) {
          if (key.equals(record.key()) && record.value() != null) {
            values.add(record.value());
          }
        }
      }
      return values;
    }
  }
}
