package io.tidewire.gateway.state;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.UserState;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Every user's current state, materialized in memory from the compacted topic
 * {@code realtime.user-state} (key user id, value Avro {@code UserState}) by a
 * {@link CompactedTopicView}: read from the beginning at start, then tailed; a tombstone removes
 * the user. The source of the snapshots clients get when their cursor cannot be replayed — no
 * database query per reconnect.
 *
 * <p>A {@link #snapshot} is answered only once the store has applied everything the state topic
 * held when the request was made ({@link CompactedTopicView#afterCatchUp}).
 *
 * <p>Values are kept as the record's bytes (decoded when a snapshot is taken); a record that does
 * not decode is skipped and the user's previous state kept.
 *
 * <p>Thread-safe.
 */
public final class UserStateStore implements AutoCloseable {

  private final Deserializer<UserState> deserializer = Topics.USER_STATE.valueSerde().deserializer();
  private final CompactedTopicView<byte[]> view;

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
    this.view = new CompactedTopicView<>("state", Topics.USER_STATE.name(), topicId, partitions, consumer,
        (topic, bytes) -> {
          deserializer.deserialize(topic, bytes); // only to check that it decodes
          return bytes;
        }, endOffsets, timeout, nanoTime, metrics);
    metrics.userStates(view::size);
  }

  /** Starts reading the topic from its beginning. */
  public void start() {
    view.start();
  }

  /** Whether the store's tail runs. */
  public boolean isAlive() {
    return view.isAlive();
  }

  /** Users with a state (for tests and metrics). */
  public int size() {
    return view.size();
  }

  /**
   * Takes a snapshot of {@code userId}'s state that reflects every state record committed before
   * this call; one of the callbacks runs later, on the admin client's or the tail's thread.
   */
  public void snapshot(final String userId, final Consumer<Optional<UserState>> ready,
      final Consumer<String> failed) {
    view.afterCatchUp(() -> ready.accept(current(userId)), failed);
  }

  /** The user's state as applied so far. */
  public Optional<UserState> current(final String userId) {
    return view.get(userId).map(bytes -> deserializer.deserialize(Topics.USER_STATE.name(), bytes));
  }

  /** Stops the tail; pending snapshot requests fail. Idempotent. */
  @Override
  public void close() {
    view.close();
  }
}
