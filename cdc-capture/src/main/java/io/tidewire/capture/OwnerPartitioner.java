package io.tidewire.capture;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.tidewire.schemas.Topics;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * Chooses the partition of a change of a user-owned table from its owner, so every change of one
 * user, whichever owned table it comes from, lands in the same partition number of its change
 * topic: the processor then routes, de-duplicates and folds them in one task, without a
 * repartition hop (docs/ARCHITECTURE.md, "One hop").
 *
 * <p>The partition is the one Kafka's default partitioner and Kafka Streams' repartitioning give
 * the owner's id as a string key ({@link Topics#partitionOf}). The
 * record key stays Debezium's primary key, so a row keeps one key on its topic. The owner is read
 * from {@code after}, or from {@code before} for a delete (which needs {@code REPLICA IDENTITY
 * FULL}); an update that moves a row to another owner goes to the new owner's partition, and the
 * processor sends the old owner's part through its repartition topic. Where no owner can be read
 * (a table not configured, no row image, a null or non-scalar owner), the choice is left to the
 * producer (by key), which is always correct, one hop slower.
 *
 * <p>Immutable and thread-safe.
 */
final class OwnerPartitioner {

  private static final JsonFactory JSON = new JsonFactory();

  /** Change topic → owner column. */
  private final Map<String, String> columns;

  private OwnerPartitioner(final Map<String, String> columns) {
    this.columns = Map.copyOf(columns);
  }

  /** The partitioner of {@code config}'s owner columns, by change topic. */
  static OwnerPartitioner of(final CaptureConfig config) {
    final Map<String, String> columns = new HashMap<>();
    for (final OwnerColumn owner : config.partitionBy()) {
      columns.put(config.changeTopic(owner.table()), owner.column());
    }
    return new OwnerPartitioner(columns);
  }

  /** A partitioner for the given topics and columns (tests). */
  static OwnerPartitioner of(final Map<String, String> columnsByTopic) {
    return new OwnerPartitioner(columnsByTopic);
  }

  /** None: every record is partitioned by the producer. */
  static OwnerPartitioner none() {
    return new OwnerPartitioner(Map.of());
  }

  /**
   * @param topic the change topic
   * @param value the Debezium envelope (JSON without schemas); null for a tombstone
   * @param partitions the topic's partition count, asked only for a topic partitioned by owner
   * @return the owner's partition; empty when the producer should choose
   */
  Optional<Integer> partition(final String topic, final String value, final IntSupplier partitions) {
    final String column = columns.get(topic);
    if (column == null || value == null) {
      return Optional.empty();
    }
    final Optional<String> owner = owner(value, column);
    if (owner.isEmpty()) {
      return Optional.empty();
    }
    final int count = partitions.getAsInt();
    return count > 0 ? Optional.of(Topics.partitionOf(owner.get(), count)) : Optional.empty();
  }

  /**
   * The owner in {@code after}, else in {@code before}, as the processor reads it (a string, or an
   * integer's digits). Streams through the envelope, reading only the owner fields of the images.
   */
  static Optional<String> owner(final String value, final String column) {
    String before = null;
    try (JsonParser p = JSON.createParser(value)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Optional.empty();
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        final String field = p.currentName();
        final JsonToken token = p.nextToken();
        if (("before".equals(field) || "after".equals(field)) && token == JsonToken.START_OBJECT) {
          final String found = column(p, column);
          if ("after".equals(field)) {
            return Optional.ofNullable(found);
          }
          before = found;
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.ofNullable(before);
  }

  /** Reads the row object the parser is at to its end; the column's scalar value, or null. */
  private static String column(final JsonParser p, final String column) throws IOException {
    String found = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      final String name = p.currentName();
      final JsonToken token = p.nextToken();
      if (column.equals(name) && (token == JsonToken.VALUE_STRING || token == JsonToken.VALUE_NUMBER_INT)) {
        final String text = p.getText();
        found = text.isBlank() ? null : text;
      } else {
        p.skipChildren();
      }
    }
    return found;
  }
}
