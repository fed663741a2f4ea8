package io.tidewire.schemas;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.utils.Utils;

/**
 * The partition of a string key, as Kafka's default producer partitioner and Kafka Streams'
 * repartitioning choose it: {@code toPositive(murmur2(utf8(key))) % partitions}. The capture puts
 * a user's changes in this partition of every user-owned change topic, and the processor checks a
 * record against it to know whether the user's state lives in the record's own task. Stateless.
 */
public final class KeyPartition {

  private KeyPartition() {}

  /**
   * @param key a record key as a string (a user id)
   * @param partitions the topic's partition count, at least 1
   * @return the partition, {@code 0..partitions-1}
   */
  public static int of(final String key, final int partitions) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
    }
    return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
  }
}
