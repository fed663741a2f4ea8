package io.tidewire.processor.internals;

import io.tidewire.processor.ProcessorMetrics;
import io.tidewire.schemas.Topics;
import java.util.Objects;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * Tells, for an input of a feature keyed by user (credits join, user-state fold), whether the
 * user's state lives in the task that read it: whether the record came from the partition the
 * user's key is given by the feature's repartition topics ({@link Topics#partitionOf}). Then it goes to
 * the feature directly (one hop); otherwise through the repartition topic. The capture puts every
 * change of a user-owned table in its owner's partition, so the direct path is the common one;
 * the other is taken by an update that moves a row to another owner (the old owner's part), by
 * tables the capture does not partition by owner, and by change topics with another partition
 * count than the repartition topics. Either way each user's inputs meet in one task: correct by
 * construction, whatever the capture did.
 *
 * <p>One instance per task, used by its stream thread only.
 *
 * @param <V> the feature's input
 */
public final class Placement<V> implements FixedKeyProcessor<String, V, Placement.Placed<V>> {

  /**
   * An input and whether its user's state is in this task. Never serialized: the topology unwraps
   * it before the repartition topic.
   *
   * @param value the feature's input
   * @param here whether the record's partition is its key's partition among the feature's partitions
   */
  public record Placed<V>(V value, boolean here) {}

  private final int partitions;
  private final ProcessorMetrics.UserInputs counters;
  private FixedKeyProcessorContext<String, Placed<V>> context;

  /**
   * @param partitions the partition count of the feature's repartition topics
   * @param table the table the inputs come from, for the metrics
   */
  public Placement(final int partitions, final String table, final ProcessorMetrics metrics) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be at least 1, was " + partitions);
    }
    this.partitions = partitions;
    this.counters = metrics.userInputs(Objects.requireNonNull(table, "table"));
  }

  @Override
  public void init(final FixedKeyProcessorContext<String, Placed<V>> context) {
    this.context = context;
  }

  @Override
  public void process(final FixedKeyRecord<String, V> record) {
    final int partition = context.recordMetadata().map(RecordMetadata::partition).orElse(-1);
    final boolean here = partition == Topics.partitionOf(record.key(), partitions);
    counters.placed(here);
    context.forward(record.withValue(new Placed<>(record.value(), here)));
  }
}
