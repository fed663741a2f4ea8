package io.tidewire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.Cursor;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class HubTest {

  /** Records what it receives. */
  static final class Recorder implements Subscriber {
    final String userId;
    final List<String> received = new ArrayList<>();
    boolean wentAway;

    Recorder(final String userId) {
      this.userId = userId;
    }

    @Override
    public String userId() {
      return userId;
    }

    @Override
    public synchronized boolean deliver(final Kind kind, final EncodedEvent event) {
      received.add(kind + ":" + event.frame());
      return true;
    }

    @Override
    public void goAway() {
      wentAway = true;
    }
  }

  private static final Cursor ANYWHERE = Cursor.of(Uuid.randomUuid(), 0, 0, 0);
  private final Hub hub = new Hub(DispatchSeam.fixed(ANYWHERE), DispatchSeam.fixed(ANYWHERE));

  private static SubscriptionId user(final long serial) {
    return new SubscriptionId(Kind.USER, serial);
  }

  private static SubscriptionId feed(final long serial) {
    return new SubscriptionId(Kind.FEED, serial);
  }

  private static EncodedEvent userEvent(final String owner, final String frame) {
    return EncodedEvent.of(Optional.of(owner), "generation.progress", 0, 0, frame);
  }

  private static EncodedEvent feedEvent(final String frame) {
    return EncodedEvent.of(Optional.empty(), "feed.counts", 0, 0, frame);
  }

  @Test
  void neverDeliversAnotherUsersEvents() {
    final Recorder alice = new Recorder("alice");
    final Recorder bob = new Recorder("bob");
    final Recorder alice2 = new Recorder("alice");
    for (final Recorder r : List.of(alice, bob, alice2)) {
      hub.register(r);
      hub.subscribe(r, user(1), cursor -> { });
    }

    hub.deliverToUser("alice", userEvent("alice", "a1"));
    hub.deliverToUser("bob", userEvent("bob", "b1"));
    hub.deliverToUser("carol", userEvent("carol", "c1"));

    assertThat(alice.received).containsExactly("USER:a1");
    assertThat(alice2.received).containsExactly("USER:a1");
    assertThat(bob.received).containsExactly("USER:b1");
  }

  @Test
  void feedGoesToEveryFeedSubscriberOnly() {
    final Recorder a = new Recorder("a");
    final Recorder b = new Recorder("b");
    final Recorder userOnly = new Recorder("c");
    for (final Recorder r : List.of(a, b, userOnly)) {
      hub.register(r);
    }
    hub.subscribe(a, feed(1), cursor -> { });
    hub.subscribe(b, feed(1), cursor -> { });
    hub.subscribe(userOnly, user(1), cursor -> { });

    assertThat(hub.deliverToFeed(feedEvent("f1"))).isEqualTo(2);

    assertThat(a.received).containsExactly("FEED:f1");
    assertThat(b.received).containsExactly("FEED:f1");
    assertThat(userOnly.received).isEmpty();
  }

  @Test
  void unsubscribeAndUnregisterStopDelivery() {
    final Recorder a = new Recorder("a");
    hub.register(a);
    hub.subscribe(a, user(1), cursor -> { });
    hub.subscribe(a, feed(2), cursor -> { });

    hub.unsubscribe(a, feed(2));
    hub.deliverToFeed(feedEvent("f1"));
    hub.unregister(a);
    hub.deliverToUser("a", userEvent("a", "a1"));

    assertThat(a.received).isEmpty();
    assertThat(hub.size()).isZero();
    assertThat(hub.hasUserSubscribers("a")).isFalse();
  }

  @Test
  void subscriptionJoinsAtTheSeamWithTheOwnersPosition() {
    final Cursor position = Cursor.of(Uuid.randomUuid(), 0, 2, 17);
    final AtomicReference<Optional<String>> askedKey = new AtomicReference<>();
    final Hub seamed = new Hub((key, registration) -> {
      askedKey.set(key);
      registration.accept(position);
    }, DispatchSeam.fixed(ANYWHERE));
    final AtomicReference<Cursor> told = new AtomicReference<>();
    final Recorder dave = new Recorder("dave");
    seamed.register(dave);

    seamed.subscribe(dave, user(1), told::set);

    assertThat(askedKey.get()).contains("dave");
    assertThat(told.get()).isEqualTo(position);
    assertThat(seamed.hasUserSubscribers("dave")).isTrue();
  }

  @Test
  void leavingWithAnOldIdKeepsTheNewerSubscriptionOfTheChannel() {
    final Recorder erin = new Recorder("erin");
    hub.register(erin);
    hub.subscribe(erin, user(1), cursor -> { });
    hub.subscribe(erin, user(2), cursor -> { }); // replaces the first

    hub.unsubscribe(erin, user(1)); // a late leave of the first
    hub.deliverToUser("erin", userEvent("erin", "e1"));
    hub.unsubscribe(erin, user(2));
    hub.deliverToUser("erin", userEvent("erin", "e2"));

    assertThat(erin.received).containsExactly("USER:e1");
    assertThat(hub.hasUserSubscribers("erin")).isFalse();
  }

  @Test
  void theSubscriberIsFiledBeforeItIsToldItsPosition() {
    final Recorder fay = new Recorder("fay");
    hub.register(fay);
    final AtomicReference<Boolean> filedWhenTold = new AtomicReference<>();

    hub.subscribe(fay, user(1), cursor -> filedWhenTold.set(hub.hasUserSubscribers("fay")));

    assertThat(filedWhenTold.get()).isTrue();
  }

  @Test
  void subscriptionOfASessionThatAlreadyLeftDoesNotStick() {
    final Recorder gone = new Recorder("gone");
    final AtomicReference<Hub> self = new AtomicReference<>();
    final Hub racing = new Hub((key, registration) -> {
      self.get().unregister(gone); // the session closes while its subscribe waits at the seam
      registration.accept(ANYWHERE);
    }, DispatchSeam.fixed(ANYWHERE));
    self.set(racing);
    racing.register(gone);

    racing.subscribe(gone, user(1), cursor -> { });

    assertThat(racing.hasUserSubscribers("gone")).isFalse();
    assertThat(racing.deliverToUser("gone", userEvent("gone", "late"))).isZero();
  }

  @Test
  void awaitEmptyReturnsOnceAllLeft() throws InterruptedException {
    final Recorder a = new Recorder("a");
    hub.register(a);

    assertThat(hub.awaitEmpty(java.time.Duration.ofMillis(10))).isFalse();
    hub.unregister(a);
    assertThat(hub.awaitEmpty(java.time.Duration.ofMillis(10))).isTrue();
  }
}
