package io.tidewire.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class DeliveryTest {

  private final List<Event> events = new ArrayList<>();
  private final List<ClientError> errors = new ArrayList<>();

  private Delivery delivery(final Consumer<Event> onEvent, final int capacity) {
    return new Delivery(new Listeners(onEvent, s -> { }, s -> { }, errors::add, s -> { }),
        new RecentIds(capacity), new Cursors(Map.of()));
  }

  private static Event event(final String channel, final String id, final String cursor) {
    return new Event(channel, id, "t", cursor, Instant.EPOCH, JsonNodeFactory.instance.objectNode());
  }

  @Test
  void deliversEachEventIdOnceAndLeavesTheCursorAtTheLastHandled() {
    final Delivery delivery = delivery(events::add, 100);

    assertThat(delivery.event(event("user", "e1", "c1"))).isTrue();
    assertThat(delivery.event(event("user", "e2", "c2"))).isTrue();
    assertThat(delivery.event(event("user", "e1", "c1-replayed"))).isFalse();

    assertThat(events).extracting(Event::id).containsExactly("e1", "e2");
    assertThat(delivery.cursors().get("user")).contains("c2");
  }

  @Test
  void theSameIdOnAnotherChannelIsAnotherEvent() {
    final Delivery delivery = delivery(events::add, 100);

    delivery.event(event("user", "x", "u1"));
    delivery.event(event("feed", "x", "f1"));

    assertThat(events).hasSize(2);
  }

  @Test
  void theCursorMovesOnlyAfterTheListenerReturned() {
    final List<Optional<String>> seenDuringListener = new ArrayList<>();
    final Delivery[] holder = new Delivery[1];
    holder[0] = delivery(e -> seenDuringListener.add(holder[0].cursors().get("user")), 100);

    holder[0].event(event("user", "e1", "c1"));
    holder[0].event(event("user", "e2", "c2"));

    assertThat(seenDuringListener).containsExactly(Optional.empty(), Optional.of("c1"));
    assertThat(holder[0].cursors().get("user")).contains("c2");
  }

  @Test
  void aThrowingListenerIsReportedAndTheEventCountsAsHandled() {
    final Delivery delivery = delivery(e -> {
      throw new IllegalStateException("boom");
    }, 100);

    delivery.event(event("user", "e1", "c1"));

    assertThat(errors).singleElement().satisfies(e -> {
      assertThat(e.kind()).isEqualTo(ClientError.Kind.LISTENER_FAILED);
      assertThat(e.cause()).containsInstanceOf(IllegalStateException.class);
    });
    assertThat(delivery.cursors().get("user")).contains("c1");
    assertThat(delivery.event(event("user", "e1", "c1"))).isFalse();
  }

  @Test
  void aDuplicateOlderThanTheDedupWindowIsDeliveredAgain() {
    final Delivery delivery = delivery(events::add, 2);

    delivery.event(event("user", "e1", "c1"));
    delivery.event(event("user", "e2", "c2"));
    delivery.event(event("user", "e3", "c3"));
    delivery.event(event("user", "e1", "c1"));

    assertThat(events).extracting(Event::id).containsExactly("e1", "e2", "e3", "e1");
  }
}
