package io.tidewire.processor.internals;

import io.tidewire.processor.ProcessorMetrics;
import io.tidewire.processor.internals.DecodeException.Kind;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first processing step of one table: decodes each change record with a {@link TableRouter},
 * drops it when it is a redelivery of a change already processed ({@link Deduplicator}), maps it
 * and forwards what comes out. It never throws for a bad record: tombstones are counted and
 * dropped; records that cannot be decoded or mapped are forwarded as {@link Routed.DeadLetter}
 * with the original bytes and headers plus the dead-letter headers ({@link DeadLetters}).
 *
 * <p>Events and feature inputs are forwarded with empty headers (the capture's headers are not
 * part of the event contract), keyed by their {@link Routed#key()}: the owner or the content key;
 * dead letters with a null key, the original key being inside the value.
 *
 * <p>One instance per task, called by one stream thread at a time, as Kafka Streams does.
 */
public final class ChangeRouterProcessor implements Processor<byte[], byte[], String, Routed> {

  private static final Logger LOG = LoggerFactory.getLogger(ChangeRouterProcessor.class);

  private final TableRouter router;
  private final ProcessorMetrics metrics;
  private final QuietCommits quiet;
  private final String dedupStore;
  private final String table;
  private ProcessorContext<String, Routed> context;
  private Deduplicator dedup;

  /**
   * @param dedupStore name of the window store built by {@link Deduplicator#store}
   * @param quiet asks for a commit when a change arrives after a quiet spell
   */
  public ChangeRouterProcessor(final TableRouter router, final ProcessorMetrics metrics,
      final String dedupStore, final QuietCommits quiet) {
    this.router = Objects.requireNonNull(router, "router");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.dedupStore = Objects.requireNonNull(dedupStore, "dedupStore");
    this.quiet = Objects.requireNonNull(quiet, "quiet");
    this.table = router.table().qualified();
  }

  @Override
  public void init(final ProcessorContext<String, Routed> context) {
    this.context = context;
    this.dedup = new Deduplicator(context.getStateStore(dedupStore));
  }

  @Override
  public void process(final Record<byte[], byte[]> record) {
    quiet.arrived(context, record.timestamp());
    if (record.value() == null) {
      // Debezium's tombstone after a delete, for log compaction; the delete itself was handled.
      metrics.tombstoneSkipped(table);
      return;
    }
    final ChangeEnvelope change;
    final List<Routed> routed;
    try {
      change = router.decode(record.key(), record.value());
      if (dedup.seen(change)) {
        metrics.duplicateDropped(table);
        return;
      }
      routed = router.map(change);
    } catch (DecodeException e) {
      forwardDeadLetter(record, e);
      return;
    } catch (RuntimeException e) {
      // A bug must not stop the stream or be retried forever: park the record and say so loudly.
      LOG.error("Unexpected failure routing a record of {}", table, e);
      forwardDeadLetter(record, new DecodeException(Kind.UNEXPECTED,
          e.getClass().getSimpleName() + ": " + e.getMessage(), e));
      return;
    }
    // A poison record is not remembered: its redelivery is parked again, like any record that
    // cannot be processed.
    dedup.remember(change);
    // Forwarding stays outside the try: a failure downstream (a fenced producer, a full buffer)
    // belongs to Kafka Streams, not to the dead-letter topic.
    for (final Routed out : routed) {
      forward(out, record.timestamp(), new RecordHeaders());
      out.eventTypes().forEach(metrics::eventEmitted);
      if (out instanceof Routed.Access access) {
        metrics.contentAccessWritten(access.access().isPresent() ? "updated" : "deleted");
      }
    }
  }

  private void forward(final Routed out, final long timestamp, final Headers headers) {
    context.forward(new Record<>(out.key(), out, timestamp, headers));
  }

  private void forwardDeadLetter(final Record<byte[], byte[]> record, final DecodeException e) {
    final Optional<RecordMetadata> source = context.recordMetadata();
    LOG.warn("Dead-lettering a record of {} at {}: {}", table, DeadLetters.where(source), e.reason());
    forward(new Routed.DeadLetter(record.key(), record.value()), record.timestamp(),
        DeadLetters.headers(record.headers(), e, source, router.table().topic()));
    metrics.deadLettered(table, e.kind().tag());
  }
}
