package io.tidewire.gateway.protocol;

import java.util.Objects;
import org.apache.kafka.common.Uuid;

/**
 * A position in one partition of one incarnation of a topic: where to resume reading.
 *
 * <p>{@code offset} follows Kafka's committed-offset convention: it is the offset of the next
 * record to read. The cursor of an event is therefore its record's offset plus one, and the cursor
 * in a {@code subscribed} reply is the offset the live tail delivers next. Replay (a later issue)
 * resumes by seeking to {@code offset} in {@code partition} of the topic whose id is
 * {@code topicId}; a different topic id means the topic was deleted and recreated since.
 *
 * @param topicId the Kafka topic id (the topic's incarnation)
 * @param partition partition number, at least 0
 * @param offset next offset to read, at least 0
 */
public record Cursor(Uuid topicId, int partition, long offset) {

  public Cursor {
    Objects.requireNonNull(topicId, "topicId");
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0: " + partition);
    }
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0: " + offset);
    }
  }
}
