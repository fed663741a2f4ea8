package io.tidewire.gateway.tail;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tidewire.gateway.testing.TestKit;
import io.tidewire.gateway.GatewayMetrics;
import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.CursorCodec;
import io.tidewire.gateway.session.DispatchSeam;
import io.tidewire.gateway.session.EncodedEvent;
import io.tidewire.gateway.session.Hub;
import io.tidewire.gateway.session.Subscriber;
import io.tidewire.gateway.session.SubscriptionId;
import io.tidewire.gateway.testing.Events;
import io.tidewire.schemas.Topics;
import io.tidewire.schemas.avro.UserEvent;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class EventRouterTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final GatewayMetrics metrics = new GatewayMetrics(registry);
  private static final Uuid TOPIC_ID = Uuid.randomUuid();
  private static final Cursor SOMEWHERE = Cursor.of(TOPIC_ID, 0, 0, 0);
  private final Hub hub = new Hub(DispatchSeam.fixed(SOMEWHERE), DispatchSeam.fixed(SOMEWHERE));

  private static final class Inbox implements Subscriber {
    final String user;
    final List<EncodedEvent> events = new CopyOnWriteArrayList<>();

    Inbox(final String user) {
      this.user = user;
    }

    @Override
    public String userId() {
      return user;
    }

    @Override
    public boolean deliver(final Kind kind, final EncodedEvent event) {
      return events.add(event);
    }

    @Override
    public void goAway() {
    }
  }

  private static ConsumerRecord<byte[], byte[]> record(final String topic, final long offset, final byte[] value) {
    return new ConsumerRecord<>(topic, 1, offset, null, value);
  }

  /** The tail's position after a record at {@code offset} of partition 1 (of 3). */
  private static Cursor positionAfter(final long offset) {
    return Cursor.of(TOPIC_ID, Cursor.FEED_SCOPE, Map.of(0, 40L, 1, offset + 1, 2, 90L));
  }

  @Test
  void userEventGoesOnlyToItsOwnerEncodedOnceWithItsCursor() throws Exception {
    final Inbox alice = new Inbox("alice");
    final Inbox bob = new Inbox("bob");
    hub.register(alice);
    hub.register(bob);
    hub.subscribe(alice, new SubscriptionId(Kind.USER, 1), c -> { });
    hub.subscribe(bob, new SubscriptionId(Kind.USER, 1), c -> { });
    final UserEvent event = Events.progress("alice", "e-1", 10);

    EventRouter.userEvents(hub, metrics, TestKit.CURSORS).handle(record(Topics.USER_EVENTS.name(), 7,
        Topics.USER_EVENTS.valueSerde().serializer().serialize(Topics.USER_EVENTS.name(), event)),
        () -> positionAfter(7));

    assertThat(bob.events).isEmpty();
    assertThat(alice.events).hasSize(1);
    final JsonNode frame = JSON.readTree(alice.events.get(0).frame());
    assertThat(frame.get("channel").textValue()).isEqualTo("user");
    assertThat(frame.get("id").textValue()).isEqualTo("e-1");
    // a user event's cursor names its own partition only, scoped to its owner
    assertThat(TestKit.CURSORS.decode(frame.get("cursor").textValue()))
        .isEqualTo(Cursor.of(TOPIC_ID, Cursor.scopeOf("alice"), 1, 8));
    assertThat(alice.events.get(0).partition()).isEqualTo(1);
    assertThat(alice.events.get(0).offset()).isEqualTo(7);
    assertThat(frame.get("data").get("progress").intValue()).isEqualTo(10);
    assertThat(alice.events.get(0).bytes()).isEqualTo(alice.events.get(0).frame().length());
  }

  @Test
  void feedEventGoesToEveryFeedSubscriber() throws Exception {
    final Inbox a = new Inbox("a");
    final Inbox b = new Inbox("b");
    hub.register(a);
    hub.register(b);
    hub.subscribe(a, new SubscriptionId(Kind.FEED, 1), c -> { });
    hub.subscribe(b, new SubscriptionId(Kind.FEED, 1), c -> { });

    EventRouter.feedEvents(hub, metrics, TestKit.CURSORS).handle(record(Topics.FEED_EVENTS.name(), 0,
        Topics.FEED_EVENTS.valueSerde().serializer().serialize(Topics.FEED_EVENTS.name(), Events.published("c-1"))),
        () -> positionAfter(0));

    assertThat(a.events).hasSize(1);
    // a feed event's cursor names every partition: resuming from it resumes the whole feed
    assertThat(TestKit.CURSORS.decode(JSON.readTree(a.events.get(0).frame()).get("cursor").textValue()))
        .isEqualTo(positionAfter(0));
    assertThat(b.events).containsExactlyElementsOf(a.events);
    assertThat(JSON.readTree(a.events.get(0).frame()).get("data").get("contentId").textValue()).isEqualTo("c-1");
  }

  @Test
  void undecodableAndEmptyRecordsAreCountedAndSkipped() {
    final Inbox alice = new Inbox("alice");
    hub.register(alice);
    hub.subscribe(alice, new SubscriptionId(Kind.USER, 1), c -> { });
    final EventRouter<UserEvent> router = EventRouter.userEvents(hub, metrics, TestKit.CURSORS);

    router.handle(record(Topics.USER_EVENTS.name(), 0, new byte[] {1, 2, 3}), () -> positionAfter(0));
    router.handle(record(Topics.USER_EVENTS.name(), 1, null), () -> positionAfter(1));
    router.handle(record(Topics.USER_EVENTS.name(), 2, new byte[] {(byte) 0xC3, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}),
        () -> positionAfter(2));

    assertThat(alice.events).isEmpty();
    assertThat(registry.get("tidewire.gateway.records.skipped").tag("topic", Topics.USER_EVENTS.name()).counter().count())
        .isEqualTo(3);
  }
}
