package io.tidewire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.session.OutboundQueue.Offer;
import io.tidewire.gateway.testing.FakeTransport;
import io.tidewire.protocol.ProtocolCodes.CloseCode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OutboundQueueTest {

  private final AtomicInteger sentCount = new AtomicInteger();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private OutboundQueue queue(final Transport transport, final int messages, final long bytes) {
    return new OutboundQueue(transport, messages, bytes, sentCount::incrementAndGet, failure::set);
  }

  @Test
  void sendsOneFrameAtATimeInOrder() {
    final FakeTransport transport = new FakeTransport(false);
    final OutboundQueue queue = queue(transport, 10, 1000);

    queue.offer("a", 1);
    queue.offer("b", 1);
    queue.offer("c", 1);

    assertThat(transport.sent()).containsExactly("a");
    assertThat(queue.pendingMessages()).isEqualTo(2);
    transport.completeNext();
    assertThat(transport.sent()).containsExactly("a", "b");
    transport.completeNext();
    transport.completeNext();
    assertThat(transport.sent()).containsExactly("a", "b", "c");
    assertThat(transport.maxInFlight()).isEqualTo(1);
    assertThat(sentCount).hasValue(3);
  }

  @Test
  void aBackloggedConnectionCatchesUpWithOneWriteForTheFramesThatWaited() {
    final BatchingTransport transport = new BatchingTransport();
    final OutboundQueue queue = queue(transport, 1000, Long.MAX_VALUE);

    queue.offer("a", 1);
    for (int i = 0; i < OutboundQueue.MAX_BATCH_FRAMES + 3; i++) {
      queue.offer("f" + i, 1);
    }
    assertThat(transport.writes).containsExactly(List.of("a"));

    transport.completeNext();
    assertThat(transport.writes).hasSize(2);
    assertThat(transport.writes.get(1)).as("every waiting frame up to the batch limit, in order")
        .hasSize(OutboundQueue.MAX_BATCH_FRAMES).startsWith("f0", "f1").endsWith("f63");
    assertThat(sentCount).as("one per frame").hasValue(1);
    transport.completeNext();
    assertThat(sentCount).hasValue(1 + OutboundQueue.MAX_BATCH_FRAMES);
    assertThat(transport.writes.get(2)).containsExactly("f64", "f65", "f66");
    transport.completeNext();
    assertThat(sentCount).hasValue(OutboundQueue.MAX_BATCH_FRAMES + 4);
    assertThat(queue.pendingMessages()).isZero();
  }

  @Test
  void aWriteStaysWithinTheBatchBytesUnlessOneFrameIsLarger() {
    final BatchingTransport transport = new BatchingTransport();
    final OutboundQueue queue = queue(transport, 1000, Long.MAX_VALUE);

    queue.offer("first", 1);
    queue.offer("big", OutboundQueue.MAX_BATCH_BYTES + 1);
    queue.offer("half", OutboundQueue.MAX_BATCH_BYTES / 2);
    queue.offer("other-half", OutboundQueue.MAX_BATCH_BYTES / 2);
    queue.offer("one-more", 1);

    transport.completeNext();
    assertThat(transport.writes.get(1)).containsExactly("big");
    transport.completeNext();
    assertThat(transport.writes.get(2)).containsExactly("half", "other-half");
    transport.completeNext();
    assertThat(transport.writes.get(3)).containsExactly("one-more");
  }

  @Test
  void aFailedBatchFailsTheQueueOnce() {
    final BatchingTransport transport = new BatchingTransport();
    final OutboundQueue queue = queue(transport, 1000, Long.MAX_VALUE);
    queue.offer("a", 1);
    queue.offer("b", 1);
    queue.offer("c", 1);
    transport.completeNext();

    transport.failNext(new IOException("reset"));

    assertThat(failure.get()).hasMessage("reset");
    assertThat(sentCount).hasValue(1);
    assertThat(queue.offer("d", 1)).isEqualTo(Offer.CLOSED);
  }

  /** Records each write's frames; writes complete on demand. */
  private static final class BatchingTransport implements Transport {
    final List<List<String>> writes = new ArrayList<>();
    private final ArrayDeque<Consumer<Optional<Throwable>>> inFlight = new ArrayDeque<>();

    @Override
    public void send(final String text, final Consumer<Optional<Throwable>> done) {
      send(List.of(OutboundFrame.of(text)), done);
    }

    @Override
    public void send(final List<OutboundFrame> frames, final Consumer<Optional<Throwable>> done) {
      writes.add(frames.stream().map(OutboundFrame::text).toList());
      inFlight.add(done);
    }

    void completeNext() {
      inFlight.poll().accept(Optional.empty());
    }

    void failNext(final Throwable failure) {
      inFlight.poll().accept(Optional.of(failure));
    }

    @Override
    public void close(final CloseCode code) {}

    @Override
    public boolean abort() {
      return false;
    }

    @Override
    public String id() {
      return "batching";
    }
  }

  @Test
  void overflowsOnMessageCountWithoutGrowing() {
    final FakeTransport transport = new FakeTransport(false);
    final OutboundQueue queue = queue(transport, 2, 1_000_000);

    assertThat(queue.offer("in-flight", 1)).isEqualTo(Offer.ACCEPTED);
    assertThat(queue.offer("1", 1)).isEqualTo(Offer.ACCEPTED);
    assertThat(queue.offer("2", 1)).isEqualTo(Offer.ACCEPTED);
    assertThat(queue.offer("3", 1)).isEqualTo(Offer.OVERFLOW);
    assertThat(queue.pendingMessages()).isEqualTo(2);
  }

  @Test
  void overflowsOnBytes() {
    final FakeTransport transport = new FakeTransport(false);
    final OutboundQueue queue = queue(transport, 1000, 100);

    queue.offer("in-flight", 1);
    assertThat(queue.offer("x", 60)).isEqualTo(Offer.ACCEPTED);
    assertThat(queue.offer("y", 41)).isEqualTo(Offer.OVERFLOW);
    assertThat(queue.offer("z", 40)).isEqualTo(Offer.ACCEPTED);
    assertThat(queue.pendingBytes()).isEqualTo(100);
  }

  @Test
  void acceptsOneOversizedFrameIntoAnEmptyQueue() {
    final FakeTransport transport = new FakeTransport(false);
    final OutboundQueue queue = queue(transport, 10, 100);

    queue.offer("in-flight", 1);
    assertThat(queue.offer("big", 500)).isEqualTo(Offer.ACCEPTED);
    assertThat(queue.offer("small", 1)).isEqualTo(Offer.OVERFLOW);
  }

  @Test
  void synchronousTransportDrainsLongQueueWithoutDeepRecursion() {
    final FakeTransport transport = new FakeTransport(false);
    final OutboundQueue queue = queue(transport, 200_000, Long.MAX_VALUE);
    for (int i = 0; i < 100_000; i++) {
      queue.offer("m" + i, 2);
    }

    transport.auto(true);
    transport.completeNext();

    assertThat(transport.sent()).hasSize(100_000);
    assertThat(transport.maxInFlight()).isEqualTo(1);
  }

  @Test
  void finishSendsLastFrameAfterQueuedOnesThenCallsBack() {
    final FakeTransport transport = new FakeTransport(false);
    final OutboundQueue queue = queue(transport, 10, 1000);
    final AtomicInteger drained = new AtomicInteger();
    queue.offer("a", 1);
    queue.offer("b", 1);

    queue.finish(Optional.of("bye"), false, drained::incrementAndGet);

    assertThat(queue.offer("late", 1)).isEqualTo(Offer.CLOSED);
    while (transport.completeNext()) {
      // drain
    }
    assertThat(transport.sent()).containsExactly("a", "b", "bye");
    assertThat(drained).hasValue(1);
  }

  @Test
  void finishCanDropPendingFrames() {
    final FakeTransport transport = new FakeTransport(false);
    final OutboundQueue queue = queue(transport, 10, 1000);
    final AtomicInteger drained = new AtomicInteger();
    queue.offer("a", 1);
    queue.offer("b", 1);

    queue.finish(Optional.of("bye"), true, drained::incrementAndGet);
    while (transport.completeNext()) {
      // drain
    }

    assertThat(transport.sent()).containsExactly("a", "bye");
    assertThat(drained).hasValue(1);
  }

  @Test
  void finishOnIdleQueueCallsBackAtOnce() {
    final FakeTransport transport = new FakeTransport(true);
    final OutboundQueue queue = queue(transport, 10, 1000);
    final AtomicInteger drained = new AtomicInteger();

    queue.finish(Optional.empty(), false, drained::incrementAndGet);
    queue.finish(Optional.empty(), false, drained::incrementAndGet);

    assertThat(drained).hasValue(1);
    assertThat(queue.isClosed()).isTrue();
  }

  @Test
  void failedSendClosesQueueAndFreesIt() {
    final FakeTransport transport = new FakeTransport(false);
    final OutboundQueue queue = queue(transport, 10, 1000);
    queue.offer("a", 1);
    queue.offer("b", 1);

    transport.failNext(new IOException("reset"));

    assertThat(failure.get()).hasMessage("reset");
    assertThat(queue.pendingMessages()).isZero();
    assertThat(queue.offer("c", 1)).isEqualTo(Offer.CLOSED);
    assertThat(transport.sent()).containsExactly("a");
  }

  @Test
  void parkedProducerIsWokenOnceTheQueueIsHalfEmpty() {
    final FakeTransport transport = new FakeTransport(false);
    final OutboundQueue queue = queue(transport, 4, 1_000_000);
    final AtomicInteger woken = new AtomicInteger();
    queue.offer("in-flight", 1);
    for (int i = 0; i < 4; i++) {
      // frames too large for two to share a write, so they leave one per completion
      queue.offer("f" + i, OutboundQueue.MAX_BATCH_BYTES / 2 + 1);
    }
    assertThat(queue.hasRoom()).isFalse();

    queue.whenRoom(woken::incrementAndGet);
    transport.completeNext(); // 3 waiting: more than half
    assertThat(woken).hasValue(0);
    transport.completeNext(); // 2 waiting: half
    assertThat(woken).hasValue(1);
    assertThat(queue.hasRoom()).isTrue();
    transport.completeNext();
    assertThat(woken).hasValue(1);

    queue.whenRoom(woken::incrementAndGet); // room already: at once
    assertThat(woken).hasValue(2);
  }

  @Test
  void parkedProducerIsWokenWhenTheQueueCloses() {
    final FakeTransport transport = new FakeTransport(false);
    final OutboundQueue queue = queue(transport, 2, 1_000_000);
    final AtomicInteger woken = new AtomicInteger();
    queue.offer("in-flight", 1);
    queue.offer("a", 1);
    queue.offer("b", 1);
    queue.whenRoom(woken::incrementAndGet);

    queue.finish(Optional.empty(), true, () -> { });

    assertThat(woken).hasValue(1);
    assertThat(queue.hasRoom()).isFalse();
  }

  @Test
  void peakBytesNeverExceedsTheBoundPlusTheFinalFrame() {
    final FakeTransport transport = new FakeTransport(false);
    final OutboundQueue queue = queue(transport, 1000, 100);
    queue.offer("in-flight", 1);
    for (int i = 0; i < 50; i++) {
      queue.offer("x", 30);
    }
    assertThat(queue.peakBytes()).isEqualTo(90);

    queue.finish(Optional.of("bye"), true, () -> { });

    assertThat(queue.peakBytes()).isEqualTo(90);
  }
}
