package io.tidewire.gateway.state;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.broadcast.ItemAccess;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.ContentAccess;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Who may see each content item, materialized in memory from the compacted topic
 * {@code realtime.content-access} (key {@code contentType:contentId}, value Avro
 * {@code ContentAccess}) by a {@link CompactedTopicView}: read from the beginning at start, then
 * tailed; a tombstone (deleted row) removes the item. What {@code visible} channel rules ask.
 *
 * <p>Kept compactly: per item the key and a shared {@link ItemAccess.Visibility} — one instance for
 * every public item, one per owner for private items (an owner's id is kept once, and stays while
 * the gateway runs) — about 130 bytes per item with a UUID id (docs/OPERATIONS.md).
 *
 * <p>Thread-safe.
 */
public final class ContentAccessView implements ItemAccess, AutoCloseable {

  private final Deserializer<ContentAccess> deserializer = Topics.CONTENT_ACCESS.valueSerde().deserializer();
  private final Map<String, Visibility> privateOf = new ConcurrentHashMap<>();
  private final CompactedTopicView<Visibility> view;

  /**
   * @param topicId the topic's id
   * @param partitions the topic's partition count
   * @param consumer a consumer for the view's tail alone (read_committed, no group)
   * @param endOffsets fetches the topic's end offsets per partition
   * @param timeout how long {@link #awaitCaughtUp()} may wait
   * @param nanoTime the clock (System::nanoTime)
   * @param metrics meters
   */
  public ContentAccessView(final Uuid topicId, final int partitions,
      final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      final Supplier<CompletionStage<Map<Integer, Long>>> endOffsets, final Duration timeout,
      final LongSupplier nanoTime, final GatewayMetrics metrics) {
    this.view = new CompactedTopicView<>("content access", Topics.CONTENT_ACCESS.name(), topicId, partitions,
        consumer, this::decode, endOffsets, timeout, nanoTime, metrics);
    metrics.contentItems(view::size);
  }

  private Visibility decode(final String topic, final byte[] bytes) {
    final ContentAccess access = deserializer.deserialize(topic, bytes);
    return access.getIsPublic() ? Visibility.PUBLIC
        : privateOf.computeIfAbsent(access.getOwner(), Visibility.Private::new);
  }

  /** Starts reading the topic from its beginning. */
  public void start() {
    view.start();
  }

  /**
   * Blocks until the view holds everything the topic held when called.
   *
   * @throws io.tidewire.gateway.GatewayException if it does not within the timeout
   */
  public void awaitCaughtUp() {
    view.awaitCaughtUp();
  }

  /** Whether the view's tail runs. */
  public boolean isAlive() {
    return view.isAlive();
  }

  /** Items known (for tests and metrics). */
  public int size() {
    return view.size();
  }

  @Override
  public Optional<Visibility> visibility(final String contentKey) {
    return view.get(contentKey);
  }

  /** Once the view holds every record committed before this call, or it cannot in time. */
  @Override
  public void afterCatchUp(final Runnable then) {
    view.afterCatchUp(then, reason -> then.run());
  }

  /** Stops the tail. Idempotent. */
  @Override
  public void close() {
    view.close();
  }
}
