package io.tidewire.gateway.tail;

import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.protocol.FrameEncoder;
import io.tidewire.gateway.session.EncodedEvent;
import io.tidewire.schemas.Topic;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.FeedEvent;
import io.tidewire.schemas.avro.PublicRowEvent;
import io.tidewire.schemas.avro.UserEvent;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.avro.generic.GenericContainer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads an event topic's records and writes their event frames: the one place that knows how a
 * {@code UserEvent} or {@code FeedEvent} becomes a frame and which cursor it carries. Used by the
 * live tails and by replays alike.
 *
 * <p>A user event's cursor names its partition only, scoped to its owner
 * ({@link Cursor#scopeOf}); a feed event's cursor names every partition of the feed.
 *
 * <p>Thread-safe (the topics' deserializers are).
 *
 * @param <V> the Avro value type
 */
public final class EventCodec<V> {

  /**
   * What the gateway needs of an event.
   *
   * @param owner the user it belongs to; empty for feed events
   * @param id the event id
   * @param type the event type
   * @param ts epoch milliseconds
   * @param data the payload record
   */
  public record Event(Optional<String> owner, String id, String type, long ts, GenericContainer data) {
    public Event {
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(data, "data");
    }
  }

  private final Topic<String, V> topic;
  private final Deserializer<V> deserializer;
  private final Channel.Kind kind;
  private final Function<V, Optional<String>> owner;
  private final Function<V, String> id;
  private final Function<V, String> type;
  private final Function<V, Long> ts;
  private final Function<V, Object> data;
  private final CursorCodec cursors;

  private EventCodec(final Topic<String, V> topic, final Channel.Kind kind,
      final Function<V, Optional<String>> owner, final Function<V, String> id,
      final Function<V, String> type, final Function<V, Long> ts, final Function<V, Object> data,
      final CursorCodec cursors) {
    this.topic = topic;
    this.deserializer = topic.valueSerde().deserializer();
    this.kind = kind;
    this.owner = owner;
    this.id = id;
    this.type = type;
    this.ts = ts;
    this.data = data;
    this.cursors = cursors;
  }

  /** The codec of {@code realtime.user-events}. */
  public static EventCodec<UserEvent> userEvents(final CursorCodec cursors) {
    return new EventCodec<>(Topics.USER_EVENTS, Channel.Kind.USER, e -> Optional.of(e.getUserId()),
        UserEvent::getId, UserEvent::getType, UserEvent::getTs, UserEvent::getData, cursors);
  }

  /** The codec of {@code realtime.feed-events}. */
  public static EventCodec<FeedEvent> feedEvents(final CursorCodec cursors) {
    return new EventCodec<>(Topics.FEED_EVENTS, Channel.Kind.FEED, e -> Optional.empty(),
        FeedEvent::getId, FeedEvent::getType, FeedEvent::getTs, FeedEvent::getData, cursors);
  }

  /** The codec of {@code realtime.public-changes}: {@code row.<table>} changes of public rows. */
  public static EventCodec<PublicRowEvent> publicChanges(final CursorCodec cursors) {
    return new EventCodec<>(Topics.PUBLIC_CHANGES, Channel.Kind.PUBLIC, e -> Optional.empty(),
        PublicRowEvent::getId, PublicRowEvent::getType, PublicRowEvent::getTs, PublicRowEvent::getData, cursors);
  }

  /** The topic's name. */
  public String topic() {
    return topic.name();
  }

  /** The channel the topic feeds. */
  public Channel.Kind kind() {
    return kind;
  }

  /**
   * Decodes a record.
   *
   * @param onSkip told why, if the record is not an event (undecodable, tombstone, odd payload)
   * @return the event, or empty if skipped
   */
  public Optional<Event> decode(final ConsumerRecord<byte[], byte[]> record,
      final Consumer<String> onSkip) {
    final V value;
    try {
      value = deserializer.deserialize(record.topic(), record.value());
    } catch (RuntimeException e) {
      onSkip.accept("undecodable value: " + e.getMessage());
      return Optional.empty();
    }
    if (value == null) {
      onSkip.accept("no value");
      return Optional.empty();
    }
    if (!(data.apply(value) instanceof GenericContainer payload)) {
      onSkip.accept("data is not an Avro record");
      return Optional.empty();
    }
    return Optional.of(new Event(owner.apply(value), id.apply(value), type.apply(value),
        ts.apply(value), payload));
  }

  /**
   * The event's frame.
   *
   * @param event the decoded event
   * @param record its record
   * @param position the position after the record in every partition the cursor should name
   *     (for user events only the record's partition is kept)
   */
  public EncodedEvent encode(final Event event, final ConsumerRecord<byte[], byte[]> record,
      final Cursor position) {
    final Cursor cursor = event.owner().isPresent()
        ? position.only(record.partition()).withScope(Cursor.scopeOf(event.owner().get()))
        : position.withScope(Cursor.FEED_SCOPE);
    final String frame = FrameEncoder.event(kind.wire(), event.id(), event.type(), cursors.encode(cursor),
        event.ts(), event.data());
    return EncodedEvent.of(event.owner(), event.type(), record.partition(), record.offset(), frame);
  }
}
