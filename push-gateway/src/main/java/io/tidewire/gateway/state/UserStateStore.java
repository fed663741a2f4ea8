package io.tidewire.gateway.state;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.tail.TopicTail;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.UserState;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every user's current state, materialized in memory from the compacted topic
 * {@code realtime.user-state} (key user id, value Avro {@code UserState}): read from the
 * beginning at start, then tailed; a tombstone removes the user. The source of the snapshots
 * clients get when their cursor cannot be replayed — no database query per reconnect.
 *
 * <p>A {@link #snapshot} is answered only once the store has applied everything the state topic
 * held when the request was made: it fetches the topic's end offsets (committed records only)
 * after the request, then waits until the tail's position reaches them. Concurrent requests share
 * fetches (at most one in flight, the next one started when it returns), so a reconnect storm
 * costs a handful of offset requests, not one per client.
 *
 * <p>Values are kept as the record's bytes (decoded when a snapshot is taken); a record that does
 * not decode is skipped and the user's previous state kept.
 *
 * <p>Thread-safe: records and waiters are handled on the tail's thread, requests come from any
 * thread, end offsets complete on the admin client's thread.
 */
public final class UserStateStore implements TopicTail.RecordHandler, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UserStateStore.class);

  private record Request(String userId, Consumer<Optional<UserState>> ready,
      Consumer<String> failed, long deadlineNanos) {}

  private record Waiter(Request request, Map<Integer, Long> ends) {}

  private final TopicTail tail;
  private final Supplier<CompletionStage<Map<Integer, Long>>> endOffsets;
  private final Duration timeout;
  private final LongSupplier nanoTime;
  private final GatewayMetrics metrics;
  private final Deserializer<UserState> deserializer = Topics.USER_STATE.valueSerde().deserializer();
  private final ConcurrentHashMap<String, byte[]> states = new ConcurrentHashMap<>();

  private final Object lock = new Object();
  private List<Request> awaitingOffsets = new ArrayList<>();
  private final List<Waiter> awaitingCatchUp = new ArrayList<>();
  private boolean fetching;

  /**
   * @param topicId the state topic's id
   * @param partitions the state topic's partition count
   * @param consumer a consumer for the store's tail alone (read_committed, no group)
   * @param endOffsets fetches the state topic's end offsets per partition (committed records only)
   * @param timeout how long a snapshot may wait for the store to catch up
   * @param nanoTime the clock (System::nanoTime)
   * @param metrics meters
   */
  public UserStateStore(final Uuid topicId, final int partitions,
      final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      final Supplier<CompletionStage<Map<Integer, Long>>> endOffsets, final Duration timeout,
      final LongSupplier nanoTime, final GatewayMetrics metrics) {
    this.endOffsets = endOffsets;
    this.timeout = timeout;
    this.nanoTime = nanoTime;
    this.metrics = metrics;
    this.tail = new TopicTail(Topics.USER_STATE.name(), topicId, partitions, consumer,
        TopicTail.Start.EARLIEST, metrics::recordSkipped);
    metrics.userStates(states::size);
  }

  /** Starts reading the topic from its beginning. */
  public void start() {
    tail.start(this);
  }

  /** Whether the store's tail runs. */
  public boolean isAlive() {
    return tail.isAlive();
  }

  /** Users with a state (for tests and metrics). */
  public int size() {
    return states.size();
  }

  /**
   * Takes a snapshot of {@code userId}'s state that reflects every state record committed before
   * this call; one of the callbacks runs later, on the admin client's or the tail's thread.
   */
  public void snapshot(final String userId, final Consumer<Optional<UserState>> ready,
      final Consumer<String> failed) {
    final Request request = new Request(userId, ready, failed, nanoTime.getAsLong() + timeout.toNanos());
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
      LOG.warn("Cannot read the end offsets of {}: {}", Topics.USER_STATE.name(), error.toString());
      // the reason reaches clients in an error frame: no exception text (it is logged above)
      batch.forEach(r -> r.failed().accept("cannot read the state topic"));
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
    final String userId = new String(record.key(), StandardCharsets.UTF_8);
    if (record.value() == null) {
      states.remove(userId);
      return;
    }
    try {
      deserializer.deserialize(record.topic(), record.value());
    } catch (RuntimeException e) {
      metrics.recordSkipped(record.topic());
      LOG.warn("Skipped {}-{}@{}: undecodable state: {}", record.topic(), record.partition(),
          record.offset(), e.getMessage());
      return;
    }
    states.put(userId, record.value());
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
      waiter.request().ready().accept(current(waiter.request().userId()));
    }
    for (final Waiter waiter : late) {
      waiter.request().failed().accept("the state store did not catch up within " + timeout);
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

  /** The user's state as applied so far. */
  public Optional<UserState> current(final String userId) {
    final byte[] bytes = states.get(userId);
    return bytes == null ? Optional.empty()
        : Optional.of(deserializer.deserialize(Topics.USER_STATE.name(), bytes));
  }

  /** Stops the tail; pending snapshot requests fail. Idempotent. */
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
