package io.tidewire.capture;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tidewire.schemas.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends Debezium's change events to Kafka and tells the engine a record is processed only once
 * the broker has acknowledged it (the pattern of Debezium Server's Kafka sink).
 *
 * <p>For each batch: send every record to {@link ChangeEvent#destination()} with the key and
 * value as UTF-8 bytes (a null value stays null: a tombstone), in its owner's partition for the
 * tables partitioned by owner ({@link OwnerPartitioner}; a tombstone in its delete's partition;
 * else the producer's choice by key), wait for every acknowledgement,
 * then {@code markProcessed} each record in order and {@code markBatchFinished}. A record Kafka
 * refuses as too large ({@code RecordTooLargeException}) is replaced by a small
 * {@link OversizedChange} record on {@code realtime.dlq} and counted in
 * {@code tidewire.capture.dead.letters}: it must never halt the capture. If any other send
 * fails, nothing of the batch is marked and {@link CaptureException} propagates, which stops the
 * engine without committing offsets past the last acknowledged batch; the records are read again
 * from the replication slot after a restart (at-least-once). An interrupt while waiting ends the
 * batch the same way, with {@link InterruptedException}.
 *
 * <p>The producer must be idempotent with {@code acks=all} (see {@link CaptureProperties}); its
 * lifecycle belongs to the caller. Thread-safety: the engine calls {@link #handleBatch} from one
 * thread at a time; the metrics are thread-safe.
 *
 * <p>Metrics: {@code tidewire.capture.records} (counter; tags {@code table}, {@code op}),
 * {@code tidewire.capture.batch.size}, {@code tidewire.capture.batch.ack} (first send to last
 * ack), {@code tidewire.capture.commit.to.ack} (source commit time to ack, streamed changes only;
 * uses the registry clock, so it includes any clock skew between database and capture hosts),
 * {@code tidewire.capture.errors} (tag {@code stage=send}).
 */
public final class KafkaChangeSink implements DebeziumEngine.ChangeConsumer<ChangeEvent<String, String>> {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaChangeSink.class);

  private final Producer<byte[], byte[]> producer;
  private final MeterRegistry registry;
  private final String topicPrefix;
  private final OwnerPartitioner owners;
  // handleBatch runs on one thread at a time
  private Placed lastOwned;
  private final Map<String, Counter> recordCounters = new ConcurrentHashMap<>();
  private final DistributionSummary batchSize;
  private final Timer batchAck;
  private final Timer commitToAck;
  private final Counter sendErrors;
  private final Counter oversized;

  /**
   * @param producer idempotent, {@code acks=all} producer of byte[] keys and values; not closed here
   * @param registry where the metrics go
   * @param topicPrefix change topic prefix, stripped from topic names for the {@code table} tag
   */
  public KafkaChangeSink(final Producer<byte[], byte[]> producer, final MeterRegistry registry,
      final String topicPrefix) {
    this(producer, registry, topicPrefix, OwnerPartitioner.none());
  }

  /**
   * @param owners which topics' records go to their owner's partition
   * @see #KafkaChangeSink(Producer, MeterRegistry, String)
   */
  KafkaChangeSink(final Producer<byte[], byte[]> producer, final MeterRegistry registry,
      final String topicPrefix, final OwnerPartitioner owners) {
    this.owners = Objects.requireNonNull(owners, "owners");
    this.producer = Objects.requireNonNull(producer, "producer");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.topicPrefix = Objects.requireNonNull(topicPrefix, "topicPrefix") + ".";
    this.batchSize = batchSize(registry);
    this.batchAck = batchAck(registry);
    this.commitToAck = commitToAck(registry);
    this.sendErrors = CaptureService.errorCounter(registry, "send");
    this.oversized = oversized(registry);
  }

  /**
   * Registers the sink's meters at zero before a sink exists (the engine starts later, or never
   * while Kafka is down), with {@code tidewire.capture.records} for the c/u/d/r changes of each
   * table; creating the sink later finds the same meters.
   */
  static void registerAtZero(final MeterRegistry registry, final List<String> tables) {
    batchSize(registry);
    batchAck(registry);
    commitToAck(registry);
    CaptureService.errorCounter(registry, "send");
    oversized(registry);
    for (final String table : tables) {
      for (final String op : List.of("c", "u", "d", "r")) {
        recordCounter(registry, table, op);
      }
    }
  }

  private static DistributionSummary batchSize(final MeterRegistry registry) {
    return DistributionSummary.builder("tidewire.capture.batch.size")
        .description("Change records per Debezium batch").baseUnit("records").register(registry);
  }

  private static Timer batchAck(final MeterRegistry registry) {
    return Timer.builder("tidewire.capture.batch.ack")
        .description("From the first send of a batch to the last broker acknowledgement").register(registry);
  }

  private static Timer commitToAck(final MeterRegistry registry) {
    return Timer.builder("tidewire.capture.commit.to.ack")
        .description("From the source transaction commit to the broker acknowledgement (streamed changes)")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(1))
        .register(registry);
  }

  private static Counter oversized(final MeterRegistry registry) {
    return Counter.builder("tidewire.capture.dead.letters")
        .description("Changes Kafka refused as too large, sent to realtime.dlq in their place")
        .tag("reason", OversizedChange.FAILURE).register(registry);
  }

  private static Counter recordCounter(final MeterRegistry registry, final String table, final String op) {
    return Counter.builder("tidewire.capture.records")
        .description("Change records acknowledged by Kafka").tag("table", table).tag("op", op)
        .register(registry);
  }

  @Override
  public void handleBatch(final List<ChangeEvent<String, String>> records,
      final DebeziumEngine.RecordCommitter<ChangeEvent<String, String>> committer) throws InterruptedException {
    final long started = System.nanoTime();
    final List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
    for (final ChangeEvent<String, String> record : records) {
      try {
        acks.add(producer.send(toProducerRecord(record)));
      } catch (RuntimeException e) {
        sendErrors.increment();
        throw new CaptureException("cannot send a change record to " + record.destination()
            + "; the batch is not committed: " + e.getMessage(), e);
      }
    }
    final List<Future<RecordMetadata>> deadLetterAcks = new ArrayList<>();
    final BitSet deadLettered = new BitSet();
    for (int i = 0; i < acks.size(); i++) {
      try {
        acks.get(i).get();
      } catch (ExecutionException e) {
        final Throwable cause = e.getCause() == null ? e : e.getCause();
        if (cause instanceof RecordTooLargeException) {
          deadLetterAcks.add(deadLetter(records.get(i), cause));
          deadLettered.set(i);
          continue;
        }
        sendErrors.increment();
        throw new CaptureException("Kafka did not acknowledge a change record for " + records.get(i).destination()
            + "; the batch is not committed: " + cause, cause);
      }
    }
    for (final Future<RecordMetadata> ack : deadLetterAcks) {
      try {
        ack.get();
      } catch (ExecutionException e) {
        sendErrors.increment();
        throw new CaptureException("Kafka did not acknowledge the dead letter of an oversized change; the batch is"
            + " not committed: " + e.getCause(), e.getCause());
      }
    }
    final long ackedNanos = System.nanoTime();
    final long ackedMicros = TimeUnit.MILLISECONDS.toMicros(registry.config().clock().wallTime());
    for (final ChangeEvent<String, String> record : records) {
      committer.markProcessed(record);
    }
    committer.markBatchFinished();

    batchSize.record(records.size());
    batchAck.record(ackedNanos - started, TimeUnit.NANOSECONDS);
    for (int i = 0; i < records.size(); i++) {
      if (!deadLettered.get(i)) {
        recordMetrics(records.get(i), ackedMicros);
      }
    }
    if (LOG.isDebugEnabled()) {
      LOG.debug("Committed a batch of {} change records after {} µs", records.size(), (ackedNanos - started) / 1000);
    }
  }

  /** Sends the {@link OversizedChange} record in place of a change Kafka refused as too large. */
  private Future<RecordMetadata> deadLetter(final ChangeEvent<String, String> record, final Throwable cause) {
    final long size = utf8Length(record.key()) + utf8Length(record.value());
    LOG.warn("Change record for {} with key {} is too large for Kafka ({} bytes): sent to {} instead ({})",
        record.destination(), record.key(), size, Topics.DEAD_LETTER.name(), cause.getMessage());
    oversized.increment();
    try {
      return producer.send(OversizedChange.deadLetter(record, size, cause));
    } catch (RuntimeException e) {
      sendErrors.increment();
      throw new CaptureException("cannot send the dead letter of an oversized change for " + record.destination()
          + "; the batch is not committed: " + e.getMessage(), e);
    }
  }

  private static long utf8Length(final String text) {
    return text == null ? 0 : text.getBytes(StandardCharsets.UTF_8).length;
  }

  /** Tombstones are change records too: they let compacted topics and consumers drop a deleted key. */
  @Override
  public boolean supportsTombstoneEvents() {
    return true;
  }

  ProducerRecord<byte[], byte[]> toProducerRecord(final ChangeEvent<String, String> record) {
    Integer partition = record.partition();
    if (partition == null && record.value() == null && lastOwned != null
        && lastOwned.topic().equals(record.destination()) && Objects.equals(lastOwned.key(), record.key())) {
      // Debezium's tombstone right after its delete: the same partition as the delete, so compaction
      // and readers find the key's records and its tombstone together
      partition = lastOwned.partition();
    } else if (partition == null) {
      // partitionsFor reads the producer's cached metadata (it waits only for a topic never seen)
      partition = owners.partition(record.destination(), record.value(),
          () -> producer.partitionsFor(record.destination()).size()).orElse(null);
    }
    lastOwned = partition == null ? null : new Placed(record.destination(), record.key(), partition);
    return new ProducerRecord<>(record.destination(), partition, utf8(record.key()), utf8(record.value()));
  }

  /** Where the previous record went when its partition was chosen here (for its tombstone). */
  private record Placed(String topic, String key, int partition) {}

  private void recordMetrics(final ChangeEvent<String, String> record, final long ackedMicros) {
    final String destination = record.destination();
    final String table = destination.startsWith(topicPrefix) ? destination.substring(topicPrefix.length()) : destination;
    final String op;
    if (record.value() == null) {
      op = "tombstone";
    } else {
      final ChangeSummary summary = ChangeSummary.of(record.value());
      op = summary.op().orElse("none");
      if (!summary.snapshot() && summary.op().isPresent() && summary.sourceTsMicros().isPresent()) {
        commitToAck.record(Math.max(0, ackedMicros - summary.sourceTsMicros().getAsLong()), TimeUnit.MICROSECONDS);
      }
    }
    recordCounters.computeIfAbsent(table + '\u0000' + op, k -> recordCounter(registry, table, op)).increment();
  }

  private static byte[] utf8(final String text) {
    return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
  }
}
