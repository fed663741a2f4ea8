package io.tidewire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.protocol.Channel;
import io.tidewire.gateway.protocol.Cursor;
import io.tidewire.gateway.protocol.TypeFilter;
import io.tidewire.gateway.recovery.ResumePlan;
import io.tidewire.protocol.ProtocolCodes.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.LongStream;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class SubscriptionTest {

  private static final Uuid TOPIC = Uuid.randomUuid();

  /** Records what the subscription queues; the queue holds {@code room} frames. */
  private static final class Queue implements Subscription.Host {
    final List<String> frames = new ArrayList<>();
    int room = Integer.MAX_VALUE;
    boolean closed;
    Runnable waiter;

    @Override
    public void sendControl(final String frame) {
      frames.add(frame);
    }

    @Override
    public void deliverLive(final EncodedEvent event) {
      frames.add(event.frame());
    }

    @Override
    public OutboundQueue.Offer offerReplayed(final EncodedEvent event) {
      if (room == 0) {
        return OutboundQueue.Offer.OVERFLOW;
      }
      room--;
      frames.add(event.frame());
      return OutboundQueue.Offer.ACCEPTED;
    }

    @Override
    public boolean hasRoom() {
      return room > 0;
    }

    @Override
    public boolean isClosed() {
      return closed;
    }

    @Override
    public void whenRoom(final Runnable waiter) {
      this.waiter = waiter;
    }

    @Override
    public void unrecoverable(final Subscription subscription, final ResumePlan.Reason reason) {
      frames.add("unrecoverable:" + reason);
    }

    @Override
    public void recoveryFailed(final Subscription subscription, final boolean replied,
        final ErrorCode code, final String message) {
      frames.add("failed:" + code);
    }

    @Override
    public void recoveryStalled(final Subscription subscription) {
      frames.add("stalled");
    }

    List<String> events() {
      return frames.stream().filter(f -> f.startsWith("e")).toList();
    }
  }

  private final Queue queue = new Queue();

  private Subscription recovering(final long cursor, final long seam, final int bufferMessages) {
    return new Subscription(queue, Channel.parse("user").orElseThrow(), "s", TypeFilter.all(),
        Optional.of("u"), Cursor.of(TOPIC, 7, 0, seam), Optional.of(Cursor.of(TOPIC, 7, 0, cursor)),
        bufferMessages, 1_000_000);
  }

  private static EncodedEvent event(final long offset) {
    return EncodedEvent.of(Optional.of("u"), "generation.progress", 0, offset, "e" + offset);
  }

  private static List<EncodedEvent> events(final long from, final long to) {
    return LongStream.range(from, to).mapToObj(SubscriptionTest::event).toList();
  }

  private static List<String> frames(final long from, final long to) {
    return LongStream.range(from, to).mapToObj(o -> "e" + o).toList();
  }

  @Test
  void liveEventsWaitInTheBufferUntilTheReplayCatchesUp() {
    final Subscription subscription = recovering(5, 10, 100);
    subscription.onLive(event(10));
    subscription.onLive(event(11));
    assertThat(queue.events()).isEmpty();
    assertThat(subscription.lagging()).isEqualTo(Map.of(0, 5L));

    assertThat(subscription.advance(events(5, 10), Map.of(0, 10L))).isEqualTo(Subscription.Progress.LIVE);
    subscription.onLive(event(12));

    assertThat(queue.events()).containsExactlyElementsOf(frames(5, 13));
    assertThat(subscription.mode()).isEqualTo(Subscription.Mode.LIVE);
  }

  @Test
  void bufferOverflowMovesTheLiveStartAndTheReplayReadsThoseEventsAgain() {
    final Subscription subscription = recovering(5, 10, 3);
    for (long o = 10; o < 16; o++) {
      subscription.onLive(event(o)); // 10, 11, 12 fill it; 13 drops them all; 14, 15 stay
    }
    assertThat(subscription.resets()).isEqualTo(1);

    assertThat(subscription.advance(events(5, 12), Map.of(0, 12L))).isEqualTo(Subscription.Progress.MORE);
    assertThat(subscription.lagging()).isEqualTo(Map.of(0, 12L));
    assertThat(subscription.advance(events(12, 14), Map.of(0, 14L))).isEqualTo(Subscription.Progress.LIVE);

    assertThat(queue.events()).containsExactlyElementsOf(frames(5, 16));
  }

  @Test
  void fullQueueBlocksTheReplayAndWhatWaitsGoesFirstWhenThereIsRoom() {
    final Subscription subscription = recovering(0, 10, 100);
    queue.room = 4;

    assertThat(subscription.advance(events(0, 10), Map.of(0, 10L))).isEqualTo(Subscription.Progress.BLOCKED);
    assertThat(subscription.mayRead()).isFalse();
    subscription.onLive(event(10));
    assertThat(queue.events()).containsExactlyElementsOf(frames(0, 4));

    queue.room = 100;
    assertThat(subscription.advance(List.of(), Map.of())).isEqualTo(Subscription.Progress.LIVE);
    assertThat(queue.events()).containsExactlyElementsOf(frames(0, 11));
  }

  @Test
  void replayIsBlockedBeforeReadingWhenTheQueueHasNoRoom() {
    final Subscription subscription = recovering(0, 10, 100);
    queue.room = 0;

    assertThat(subscription.mayRead()).isFalse();
    assertThat(subscription.advance(List.of(), Map.of())).isEqualTo(Subscription.Progress.BLOCKED);
  }

  @Test
  void snapshotStartsAtTheBufferAndIsRefusedIfTheBufferWasDroppedSinceItWasAsked() {
    final Subscription subscription = recovering(5, 10, 2);
    final int mark = subscription.resets();
    subscription.onLive(event(10));
    subscription.onLive(event(11));
    subscription.onLive(event(12)); // overflow: live now starts at 13
    subscription.onLive(event(13));

    assertThat(subscription.completeUnrecovered(mark, Optional.of(c -> "snapshot@" + c.offset(0).orElseThrow())))
        .isFalse();
    assertThat(subscription.completeUnrecovered(subscription.resets(),
        Optional.of(c -> "snapshot@" + c.offset(0).orElseThrow()))).isTrue();
    subscription.onLive(event(14));

    assertThat(queue.frames.get(0)).contains("\"recovered\":false");
    assertThat(queue.frames.subList(1, queue.frames.size()))
        .containsExactly("snapshot@13", "e13", "e14");
  }

  @Test
  void replayOfAClosingSessionStopsInsteadOfWaitingForRoom() {
    final Subscription subscription = recovering(0, 10, 100);
    queue.room = 0;
    queue.closed = true;

    assertThat(subscription.advance(List.of(), Map.of())).isEqualTo(Subscription.Progress.CANCELLED);
    assertThat(subscription.isCancelled()).isTrue();
  }

  @Test
  void cancelledSubscriptionDropsEverything() {
    final Subscription subscription = recovering(5, 10, 100);
    subscription.onLive(event(10));

    subscription.cancel();

    assertThat(subscription.advance(events(5, 10), Map.of(0, 10L))).isEqualTo(Subscription.Progress.CANCELLED);
    assertThat(subscription.onLive(event(11))).isFalse();
    assertThat(queue.frames).isEmpty();
  }

  @Test
  void typeFilterAppliesToBufferedEventsToo() {
    final Subscription subscription = new Subscription(queue, Channel.parse("user").orElseThrow(),
        "s", TypeFilter.of(List.of("credits.*")).orElseThrow(), Optional.of("u"),
        Cursor.of(TOPIC, 7, 0, 10), Optional.of(Cursor.of(TOPIC, 7, 0, 10)), 100, 1_000_000);

    assertThat(subscription.onLive(event(10))).isFalse();
    assertThat(subscription.onLive(EncodedEvent.of(Optional.of("u"), "credits.updated", 0, 11, "e11")))
        .isTrue();
  }
}
