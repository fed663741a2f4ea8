package io.tidewire.gateway.tail;

import io.tidewire.gateway.GatewayException;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.session.DispatchSeam;
import io.tidewire.schemas.ConsumerLag;
import io.tidewire.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live tail of one topic (the Broker role, live half): one daemon thread with its own
 * consumer, every partition assigned by hand, starting at the end (event topics) or the beginning
 * (the state topic), no consumer group and no commits. Each record goes to the {@link RecordHandler}
 * given to {@link #start(RecordHandler)}, together with the tail's position after it; a handler
 * that throws is logged and the record skipped, so no record can stop the tail.
 *
 * <p>Records are dispatched one at a time under the tail's seam lock, which is also how
 * subscriptions join ({@link DispatchSeam}): a subscriber registered at the seam is told the exact
 * position the tail dispatches next in its partition (or in all of them).
 *
 * <p>The tail is a {@link DispatchSeam} from construction, so that what dispatches to it (the hub)
 * can be built with it before it starts; it gets its handler only at start.
 *
 * <p>Thread-safe; the consumer is touched by {@link #start} before the thread starts and by the
 * thread afterwards, never concurrently ({@link #close()} only calls {@code wakeup()}).
 */
public final class TopicTail implements DispatchSeam, AutoCloseable {

  /** Receives the records of a tail, one at a time, on the tail's thread. */
  @FunctionalInterface
  public interface RecordHandler {
    /**
     * @param record the record as bytes
     * @param position the tail's position after this record in every partition (the record's
     *     own partition at its offset plus one), scope {@link Cursor#FEED_SCOPE}; built on demand
     */
    void handle(ConsumerRecord<byte[], byte[]> record, Supplier<Cursor> position);

    /** Called after each poll, once the tail's positions are up to date. */
    default void polled() {
    }

    /**
     * Called once the tail follows partitions added to its topic: they are assigned from their
     * beginning and part of {@link #position()}; their records are dispatched from the next poll.
     *
     * @param before the partition count until now
     * @param after the partition count from now on
     */
    default void partitionsAdded(final int before, final int after) {
    }
  }

  /** Where a tail starts reading. */
  public enum Start {
    /** At the end: only what is written from now on (event topics). */
    LATEST,
    /** At the beginning: everything the topic still holds (the compacted state topic). */
    EARLIEST
  }

  private static final Logger LOG = LoggerFactory.getLogger(TopicTail.class);
  private static final Duration POLL = Duration.ofMillis(500);
  private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);

  private final String topic;
  private final Uuid topicId;
  /** Written under the seam lock, by the tail's thread once it runs. */
  private volatile int partitions;
  /** The partition count asked for by {@link #follow(int)}; the tail's thread catches up. */
  private final AtomicInteger wanted;
  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
  private final Start start;
  private final Consumer<String> onHandlerFailure;
  /** Replaced (grown) under the seam lock. */
  private volatile AtomicLongArray positions;
  private final Object seam = new Object();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running;
  /** Records behind the end as of the last poll; written by the tail's thread. */
  private volatile double lag;
  private volatile Thread thread;
  private boolean closed;
  /** Set by {@link #start} before the thread starts, read only by the thread. */
  private RecordHandler handler;

  /**
   * @param topic topic name
   * @param topicId the topic's id (its incarnation), written into every cursor
   * @param partitions the topic's partition count
   * @param consumer a consumer for this tail alone, without group id; closed by the tail
   * @param start where to start reading
   * @param onHandlerFailure told the topic when the handler threw (metrics)
   */
  public TopicTail(final String topic, final Uuid topicId, final int partitions,
      final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer, final Start start,
      final Consumer<String> onHandlerFailure) {
    if (partitions < 1) {
      throw new IllegalArgumentException("a topic has at least one partition: " + partitions);
    }
    this.topic = topic;
    this.topicId = topicId;
    this.partitions = partitions;
    this.consumer = consumer;
    this.start = start;
    this.onHandlerFailure = onHandlerFailure;
    this.positions = new AtomicLongArray(partitions);
    this.wanted = new AtomicInteger(partitions);
  }

  /**
   * Assigns all partitions, moves to their end (or beginning) and starts the thread.
   *
   * @param recordHandler receives the records, on the tail's thread
   * @throws GatewayException if the broker cannot be reached in time
   */
  public synchronized void start(final RecordHandler recordHandler) {
    if (thread != null || closed) {
      throw new IllegalStateException("tail of " + topic + " already started or closed");
    }
    handler = Objects.requireNonNull(recordHandler, "recordHandler");
    final List<TopicPartition> assignment = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      assignment.add(new TopicPartition(topic, p));
    }
    try {
      consumer.assign(assignment);
      if (start == Start.LATEST) {
        consumer.seekToEnd(assignment);
      } else {
        consumer.seekToBeginning(assignment);
      }
      for (final TopicPartition partition : assignment) {
        positions.set(partition.partition(), consumer.position(partition, START_TIMEOUT));
      }
    } catch (KafkaException e) {
      closed = true;
      consumer.close(CloseOptions.timeout(Duration.ZERO));
      throw new GatewayException("cannot start the live tail of " + topic + ": " + e.getMessage(), e);
    }
    running = true;
    final Thread t = new Thread(this::run, "tidewire-tail-" + topic);
    t.setDaemon(true);
    thread = t;
    t.start();
    LOG.info("Tailing {} ({} partitions) from {}", topic, partitions, positions);
  }

  /**
   * Asks the tail to follow its topic to {@code count} partitions (partitions were added): before
   * its next poll, the tail's thread assigns the new partitions from their beginning (so nothing
   * written there before the tail noticed is lost), adds them to its position and tells its
   * handler ({@link RecordHandler#partitionsAdded}). A count not above the current one is ignored
   * (Kafka cannot remove partitions). Any thread.
   */
  public void follow(final int count) {
    wanted.accumulateAndGet(count, Math::max);
  }

  @Override
  public void atSeam(final Optional<String> routingKey, final Consumer<Cursor> registration) {
    synchronized (seam) {
      registration.accept(routingKey.isPresent()
          ? positionOf(Topics.partitionOf(routingKey.get(), partitions))
          : position());
    }
  }

  /**
   * The position the tail dispatches next in every partition (outside the seam a snapshot that
   * may be moving).
   */
  public Cursor position() {
    return positionWith(-1, 0);
  }

  /** The position in every partition, with {@code partition} (if any) at {@code offset}. */
  private Cursor positionWith(final int partition, final long offset) {
    final Map<Integer, Long> offsets = new HashMap<>();
    final AtomicLongArray positions = this.positions;
    for (int p = 0; p < positions.length(); p++) {
      offsets.put(p, p == partition ? offset : positions.get(p));
    }
    return Cursor.of(topicId, Cursor.FEED_SCOPE, offsets);
  }

  private Cursor positionOf(final int partition) {
    return Cursor.of(topicId, Cursor.FEED_SCOPE, partition, positions.get(partition));
  }

  /** The offset the tail dispatches next in {@code partition}. */
  public long position(final int partition) {
    return positions.get(partition);
  }

  /** The tailed topic's partition count, as the tail follows it. */
  public int partitions() {
    return partitions;
  }

  /** The tailed topic's id (its incarnation). */
  public Uuid topicId() {
    return topicId;
  }

  /** The tailed topic. */
  public String topic() {
    return topic;
  }

  /**
   * Records the tail is behind its topic's end (the last stable offset, as the consumer reads
   * committed records only), summed over the partitions, as the consumer saw it at the last poll
   * that fetched ({@link ConsumerLag}); 0 before the first fetch. Any thread.
   */
  public double lag() {
    return lag;
  }

  /** Whether the tail's thread is running. */
  public boolean isAlive() {
    final Thread t = thread;
    return running && t != null && t.isAlive();
  }

  private void run() {
    List<TopicPartition> assignment = new ArrayList<>(consumer.assignment());
    long backoffMs = 100;
    try {
      while (running) {
        try {
          if (wanted.get() > partitions) {
            assignment = grow(wanted.get());
          }
          final ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
          // Read before dispatching: the lag the poll saw, not one a slow handler hides.
          lag = ConsumerLag.sum(consumer.metrics(), client -> true);
          for (final ConsumerRecord<byte[], byte[]> record : records) {
            dispatch(record);
          }
          synchronized (seam) {
            // The consumer may have moved past transaction markers; the seam tells the true end.
            for (final TopicPartition partition : assignment) {
              positions.set(partition.partition(), consumer.position(partition));
            }
          }
          afterPoll();
          backoffMs = 100;
        } catch (WakeupException e) {
          if (running) {
            LOG.warn("Unexpected wakeup of the tail of {}", topic);
          }
        } catch (KafkaException e) {
          LOG.warn("Tail of {} failed to poll, retrying in {} ms: {}", topic, backoffMs, e.toString());
          if (stopped.await(backoffMs, TimeUnit.MILLISECONDS)) {
            break;
          }
          backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      LOG.error("Tail of {} died", topic, e);
      throw e;
    } finally {
      running = false;
      try {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      } catch (RuntimeException e) {
        LOG.debug("closing the consumer of {}: {}", topic, e.toString());
      }
    }
  }

  /**
   * Assigns partitions up to {@code count}, the new ones from their beginning, then (under the
   * seam) makes them part of the position; a failure leaves the tail as it was, to retry.
   */
  private List<TopicPartition> grow(final int count) {
    final int before = partitions;
    final List<TopicPartition> assignment = new ArrayList<>();
    final List<TopicPartition> added = new ArrayList<>();
    for (int p = 0; p < count; p++) {
      assignment.add(new TopicPartition(topic, p));
      if (p >= before) {
        added.add(new TopicPartition(topic, p));
      }
    }
    final List<TopicPartition> old = new ArrayList<>(consumer.assignment());
    final Map<TopicPartition, Long> kept = new HashMap<>();
    for (final TopicPartition partition : old) {
      kept.put(partition, consumer.position(partition));
    }
    final long[] starts = new long[added.size()];
    try {
      consumer.assign(assignment);
      kept.forEach(consumer::seek);
      consumer.seekToBeginning(added);
      for (int i = 0; i < added.size(); i++) {
        starts[i] = consumer.position(added.get(i), START_TIMEOUT);
      }
    } catch (KafkaException e) {
      consumer.assign(old);
      kept.forEach(consumer::seek);
      throw e;
    }
    synchronized (seam) {
      final AtomicLongArray grown = new AtomicLongArray(count);
      for (int p = 0; p < before; p++) {
        grown.set(p, positions.get(p));
      }
      for (int i = 0; i < added.size(); i++) {
        grown.set(added.get(i).partition(), starts[i]);
      }
      positions = grown;
      partitions = count;
    }
    LOG.warn("Tail of {} follows {} partitions (was {}); the new ones from {}", topic, count, before,
        Arrays.toString(starts));
    try {
      handler.partitionsAdded(before, count);
    } catch (RuntimeException e) {
      LOG.warn("Tail of {}: handler failed after partitions were added", topic, e);
    }
    return assignment;
  }

  private void afterPoll() {
    try {
      handler.polled();
    } catch (RuntimeException e) {
      LOG.warn("Tail of {}: handler failed after a poll", topic, e);
    }
  }

  private void dispatch(final ConsumerRecord<byte[], byte[]> record) {
    synchronized (seam) {
      try {
        handler.handle(record, () -> positionWith(record.partition(), record.offset() + 1));
      } catch (RuntimeException e) {
        LOG.warn("Skipped {}-{}@{}: handler failed", topic, record.partition(), record.offset(), e);
        onHandlerFailure.accept(topic);
      }
      positions.set(record.partition(), record.offset() + 1);
    }
  }

  /** Stops the thread and closes the consumer; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    running = false;
    stopped.countDown();
    final Thread t = thread;
    if (t == null) {
      consumer.close(CloseOptions.timeout(Duration.ZERO));
      return;
    }
    try {
      consumer.wakeup();
    } catch (RuntimeException e) {
      LOG.debug("waking the consumer of {}: {}", topic, e.toString());
    }
    try {
      t.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (t.isAlive()) {
      LOG.warn("Tail of {} did not stop within 10 s", topic);
    }
  }
}
