package io.tidewire.gateway.tail;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.session.EncodedEvent;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.session.Hub;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.PublicRowEvent;
import io.tidewire.schemas.avro.UserEvent;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a live tail's records into event frames and hands them to the {@link Hub}: decodes with
 * the topic's {@link EventCodec} (an undecodable record or a tombstone is logged, counted and
 * skipped), encodes the frame once — only if some session listens — and delivers it to the
 * event's owner (user events, by the event's {@code userId}) or to every feed subscriber.
 *
 * <p>Runs on its tail's thread only.
 *
 * @param <V> the Avro value type
 */
public final class EventRouter<V> implements TopicTail.RecordHandler {

  private static final Logger LOG = LoggerFactory.getLogger(EventRouter.class);

  private final EventCodec<V> codec;
  private final Hub hub;
  private final GatewayMetrics metrics;

  private EventRouter(final EventCodec<V> codec, final Hub hub, final GatewayMetrics metrics) {
    this.codec = codec;
    this.hub = hub;
    this.metrics = metrics;
  }

  /** The router of {@code realtime.user-events}: each event to its owner's sessions only. */
  public static EventRouter<UserEvent> userEvents(final Hub hub, final GatewayMetrics metrics,
      final CursorCodec cursors) {
    return new EventRouter<>(EventCodec.userEvents(cursors), hub, metrics);
  }

  /** The router of {@code realtime.feed-events}: each event to every feed subscriber. */
  public static EventRouter<FeedEvent> feedEvents(final Hub hub, final GatewayMetrics metrics,
      final CursorCodec cursors) {
    return new EventRouter<>(EventCodec.feedEvents(cursors), hub, metrics);
  }

  /** The router of {@code realtime.public-changes}: public row changes to every {@code public} subscriber. */
  public static EventRouter<PublicRowEvent> publicChanges(final Hub hub, final GatewayMetrics metrics,
      final CursorCodec cursors) {
    return new EventRouter<>(EventCodec.publicChanges(cursors), hub, metrics);
  }

  @Override
  public void handle(final ConsumerRecord<byte[], byte[]> record, final Supplier<Cursor> position) {
    metrics.recordRead(codec.topic());
    final Optional<EventCodec.Event> decoded = codec.decode(record, why -> skip(record, why));
    if (decoded.isEmpty()) {
      return;
    }
    final EventCodec.Event event = decoded.get();
    if (event.owner().isPresent() ? !hub.hasUserSubscribers(event.owner().get())
        : !hub.hasSharedSubscribers(codec.kind())) {
      return;
    }
    final EncodedEvent encoded = codec.encode(event, record, position.get());
    if (event.owner().isPresent()) {
      hub.deliverToUser(event.owner().get(), encoded);
    } else {
      hub.deliverShared(codec.kind(), encoded);
    }
  }

  private void skip(final ConsumerRecord<byte[], byte[]> record, final String why) {
    metrics.recordSkipped(codec.topic());
    LOG.warn("Skipped {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), why);
  }
}
