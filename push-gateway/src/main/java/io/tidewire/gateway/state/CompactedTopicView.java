package io.tidewire.gateway.state;

import io.tidewire.gateway.GatewayException;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.tail.TopicTail;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A compacted topic materialized in memory, key (UTF-8) to value: read from the beginning at
 * start, then tailed ({@link TopicTail}, read_committed, no group); a tombstone removes the key, a
 * record without key or whose value does not decode is skipped (counted in
 * {@code tidewire.gateway.records.skipped}) and the key's previous value kept.
 *
 * <p>{@link #afterCatchUp} runs its callback once the view has applied everything the topic held
 * when the call was made: it fetches the topic's end offsets after the call, then waits until the
 * tail's position reaches them. Concurrent requests share fetches (at most one in flight, the next
 * one started when it returns), so a storm of requests costs a handful of offset requests, not one
 * each.
 *
 * <p>Thread-safe: records and waiters are handled on the tail's thread, requests come from any
 * thread, end offsets complete on the admin client's thread.
 *
 * @param <V> the value as kept in memory
 */
public final class CompactedTopicView<V> implements TopicTail.RecordHandler, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(CompactedTopicView.class);

  private record Request(Runnable ready, Consumer<String> failed, long deadlineNanos) {}

  private record Waiter(Request request, Map<Integer, Long> ends) {}

  private final String what;
  private final TopicTail tail;
  private final BiFunction<String, byte[], V> decode;
  private final Supplier<CompletionStage<Map<Integer, Long>>> endOffsets;
  private final Duration timeout;
  private final LongSupplier nanoTime;
  private final GatewayMetrics metrics;
  private final ConcurrentHashMap<String, V> values = new ConcurrentHashMap<>();

  private final Object lock = new Object();
  private List<Request> awaitingOffsets = new ArrayList<>();
  private final List<Waiter> awaitingCatchUp = new ArrayList<>();
  private boolean fetching;

  /**
   * @param what what the view holds, for messages (e.g. {@code state}: "cannot read the state
   *     topic", "the state store did not catch up within …")
   * @param topic the topic
   * @param topicId the topic's id
   * @param partitions the topic's partition count
   * @param consumer a consumer for the view's tail alone (read_committed, no group)
   * @param decode the value kept for a record's value bytes (topic, bytes); throws if they do not
   *     decode
   * @param endOffsets fetches the topic's end offsets per partition
   * @param timeout how long {@link #afterCatchUp} may wait for the view to catch up
   * @param nanoTime the clock (System::nanoTime)
   * @param metrics meters
   */
  public CompactedTopicView(final String what, final String topic, final Uuid topicId, final int partitions,
      final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      final BiFunction<String, byte[], V> decode,
      final Supplier<CompletionStage<Map<Integer, Long>>> endOffsets, final Duration timeout,
      final LongSupplier nanoTime, final GatewayMetrics metrics) {
    this.what = what;
    this.decode = decode;
    this.endOffsets = endOffsets;
    this.timeout = timeout;
    this.nanoTime = nanoTime;
    this.metrics = metrics;
    this.tail = new TopicTail(topic, topicId, partitions, consumer, TopicTail.Start.EARLIEST,
        metrics::recordSkipped);
  }

  /** Starts reading the topic from its beginning. */
  public void start() {
    tail.start(this);
  }

  /** Whether the view's tail runs. */
  public boolean isAlive() {
    return tail.isAlive();
  }

  /** Keys with a value. */
  public int size() {
    return values.size();
  }

  /** The key's value as applied so far. */
  public Optional<V> get(final String key) {
    return Optional.ofNullable(values.get(key));
  }

  /**
   * Runs {@code ready} once the view reflects every record committed before this call, or
   * {@code failed} with a reason fit for clients; later, on the admin client's or the tail's
   * thread.
   */
  public void afterCatchUp(final Runnable ready, final Consumer<String> failed) {
    final Request request = new Request(ready, failed, nanoTime.getAsLong() + timeout.toNanos());
    final boolean fetch;
    synchronized (lock) {
      awaitingOffsets.add(request);
      fetch = !fetching;
      fetching = true;
    }
    if (fetch) {
      fetchEndOffsets();
    }
  }

  /**
   * Blocks until the view reflects every record committed before this call (at start, before the
   * gateway serves anything that reads it).
   *
   * @throws GatewayException if it does not within the view's timeout, or the end offsets cannot
   *     be read
   */
  public void awaitCaughtUp() {
    final CountDownLatch done = new CountDownLatch(1);
    final AtomicReference<String> failure = new AtomicReference<>();
    afterCatchUp(done::countDown, reason -> {
      failure.set(reason);
      done.countDown();
    });
    try {
      if (!done.await(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS)) {
        throw new GatewayException("could not read " + tail.topic() + " within " + timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new GatewayException("interrupted while reading " + tail.topic(), e);
    }
    if (failure.get() != null) {
      throw new GatewayException("could not read " + tail.topic() + ": " + failure.get());
    }
  }

  private void fetchEndOffsets() {
    final List<Request> batch;
    synchronized (lock) {
      batch = awaitingOffsets;
      awaitingOffsets = new ArrayList<>();
    }
    final CompletionStage<Map<Integer, Long>> ends;
    try {
      ends = endOffsets.get();
    } catch (RuntimeException e) {
      endOffsetsFetched(batch, null, e);
      return;
    }
    ends.whenComplete((offsets, error) -> endOffsetsFetched(batch, offsets, error));
  }

  private void endOffsetsFetched(final List<Request> batch, final Map<Integer, Long> ends,
      final Throwable error) {
    if (error != null) {
      LOG.warn("Cannot read the end offsets of {}: {}", tail.topic(), error.toString());
      // the reason reaches clients in an error frame: no exception text (it is logged above)
      batch.forEach(r -> r.failed().accept("cannot read the " + what + " topic"));
    } else {
      synchronized (lock) {
        for (final Request request : batch) {
          awaitingCatchUp.add(new Waiter(request, ends));
        }
      }
      answerWaiters();
    }
    final boolean again;
    synchronized (lock) {
      again = !awaitingOffsets.isEmpty();
      fetching = again;
    }
    if (again) {
      fetchEndOffsets();
    }
  }

  @Override
  public void handle(final ConsumerRecord<byte[], byte[]> record, final Supplier<Cursor> position) {
    if (record.key() == null) {
      metrics.recordSkipped(record.topic());
      return;
    }
    final String key = new String(record.key(), StandardCharsets.UTF_8);
    if (record.value() == null) {
      values.remove(key);
      return;
    }
    final V value;
    try {
      value = decode.apply(record.topic(), record.value());
    } catch (RuntimeException e) {
      metrics.recordSkipped(record.topic());
      LOG.warn("Skipped {}-{}@{}: undecodable {}: {}", record.topic(), record.partition(),
          record.offset(), what, e.getMessage());
      return;
    }
    values.put(key, value);
  }

  @Override
  public void polled() {
    answerWaiters();
  }

  /** Answers every waiter the tail has caught up for, and fails those past their deadline. */
  private void answerWaiters() {
    final List<Waiter> caughtUp = new ArrayList<>();
    final List<Waiter> late = new ArrayList<>();
    final long now = nanoTime.getAsLong();
    synchronized (lock) {
      awaitingCatchUp.removeIf(waiter -> {
        if (reached(waiter.ends())) {
          caughtUp.add(waiter);
          return true;
        }
        if (now - waiter.request().deadlineNanos() > 0) {
          late.add(waiter);
          return true;
        }
        return false;
      });
    }
    for (final Waiter waiter : caughtUp) {
      waiter.request().ready().run();
    }
    for (final Waiter waiter : late) {
      waiter.request().failed().accept("the " + what + " store did not catch up within " + timeout);
    }
  }

  private boolean reached(final Map<Integer, Long> ends) {
    for (final Map.Entry<Integer, Long> end : ends.entrySet()) {
      if (end.getKey() < tail.partitions() && tail.position(end.getKey()) < end.getValue()) {
        return false;
      }
    }
    return true;
  }

  /** Stops the tail; pending requests fail. Idempotent. */
  @Override
  public void close() {
    tail.close();
    final List<Request> failed = new ArrayList<>();
    synchronized (lock) {
      failed.addAll(awaitingOffsets);
      awaitingOffsets.clear();
      awaitingCatchUp.forEach(waiter -> failed.add(waiter.request()));
      awaitingCatchUp.clear();
    }
    failed.forEach(r -> r.failed().accept("the gateway is stopping"));
  }
}
