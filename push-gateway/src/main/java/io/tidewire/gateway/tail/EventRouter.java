package io.tidewire.gateway.tail;

import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.FrameEncoder;
import io.tidewire.gateway.session.EncodedEvent;
import io.tidewire.gateway.session.Hub;
import io.tidewire.schemas.Topic;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.UserEvent;
import java.util.Optional;
import java.util.function.Function;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a tail's records into event frames and hands them to the {@link Hub}: decodes the value
 * with the topic's serde (an undecodable record or a tombstone is logged, counted and skipped),
 * encodes the frame once — only if some session listens — and delivers it to the event's owner
 * (user events, by the event's {@code userId}) or to every feed subscriber.
 *
 * <p>Runs on its tail's thread only.
 *
 * @param <V> the Avro value type
 */
public final class EventRouter<V> implements TopicTail.RecordHandler {

  private static final Logger LOG = LoggerFactory.getLogger(EventRouter.class);

  /** What the router needs of an event. */
  private record Fields(Optional<String> owner, String id, String type, long ts, Object data) {}

  private final Topic<String, V> topic;
  private final Deserializer<V> deserializer;
  private final Channel.Kind kind;
  private final Function<V, Fields> fields;
  private final Hub hub;
  private final GatewayMetrics metrics;

  private EventRouter(final Topic<String, V> topic, final Channel.Kind kind,
      final Function<V, Fields> fields, final Hub hub, final GatewayMetrics metrics) {
    this.topic = topic;
    this.deserializer = topic.valueSerde().deserializer();
    this.kind = kind;
    this.fields = fields;
    this.hub = hub;
    this.metrics = metrics;
  }

  /** The router of {@code realtime.user-events}: each event to its owner's sessions only. */
  public static EventRouter<UserEvent> userEvents(final Hub hub, final GatewayMetrics metrics) {
    return new EventRouter<>(Topics.USER_EVENTS, Channel.Kind.USER,
        e -> new Fields(Optional.of(e.getUserId()), e.getId(), e.getType(), e.getTs(), e.getData()),
        hub, metrics);
  }

  /** The router of {@code realtime.feed-events}: each event to every feed subscriber. */
  public static EventRouter<FeedEvent> feedEvents(final Hub hub, final GatewayMetrics metrics) {
    return new EventRouter<>(Topics.FEED_EVENTS, Channel.Kind.FEED,
        e -> new Fields(Optional.empty(), e.getId(), e.getType(), e.getTs(), e.getData()),
        hub, metrics);
  }

  @Override
  public void handle(final ConsumerRecord<byte[], byte[]> record, final Cursor cursor) {
    metrics.recordRead(topic.name());
    final V value;
    try {
      value = deserializer.deserialize(record.topic(), record.value());
    } catch (RuntimeException e) {
      skip(record, "undecodable value: " + e.getMessage());
      return;
    }
    if (value == null) {
      skip(record, "no value");
      return;
    }
    final Fields event = fields.apply(value);
    if (!(event.data() instanceof GenericContainer)) {
      skip(record, "data is not an Avro record");
      return;
    }
    if (event.owner().isPresent() ? !hub.hasUserSubscribers(event.owner().get())
        : !hub.hasFeedSubscribers()) {
      return;
    }
    final String frame = FrameEncoder.event(kind.wire(), event.id(), event.type(), cursor,
        event.ts(), (GenericContainer) event.data());
    final EncodedEvent encoded = EncodedEvent.of(event.owner(), event.type(), frame);
    if (event.owner().isPresent()) {
      hub.deliverToUser(event.owner().get(), encoded);
    } else {
      hub.deliverToFeed(encoded);
    }
  }

  private void skip(final ConsumerRecord<byte[], byte[]> record, final String why) {
    metrics.recordSkipped(topic.name());
    LOG.warn("Skipped {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), why);
  }
}
