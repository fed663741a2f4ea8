package io.tidewire.gateway.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.protocol.Channel.Kind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FanOutTest {

  /** Records the events it receives and the threads it received them on. */
  private static final class Recorder implements Subscriber {
    final List<Long> offsets = new ArrayList<>();
    final Set<String> threads = new HashSet<>();
    final boolean takes;

    Recorder(final boolean takes) {
      this.takes = takes;
    }

    @Override
    public String userId() {
      return "u";
    }

    @Override
    public synchronized boolean deliver(final Kind kind, final EncodedEvent event) {
      offsets.add(event.offset());
      threads.add(Thread.currentThread().getName());
      return takes;
    }

    @Override
    public void goAway() {}
  }

  private final FanOut fanOut = FanOut.onThreads(4);

  @AfterEach
  void close() {
    fanOut.close();
  }

  private static Set<Subscriber> subscribers(final List<Recorder> recorders) {
    final Set<Subscriber> set = ConcurrentHashMap.newKeySet();
    set.addAll(recorders);
    return set;
  }

  private static List<Recorder> recorders(final int count) {
    return IntStream.range(0, count).mapToObj(i -> new Recorder(i % 10 != 0)).toList();
  }

  private static EncodedEvent event(final long offset) {
    return EncodedEvent.of(Optional.empty(), "feed.counts", 0, offset, "{\"offset\":" + offset + "}");
  }

  @Test
  void everySubscriberGetsEveryEventOnceInOrderWhileTheWorkIsSpreadOverTheThreads() {
    final List<Recorder> recorders = recorders(5_000);
    final Set<Subscriber> set = subscribers(recorders);

    final List<Integer> counts = new ArrayList<>();
    for (long offset = 0; offset < 50; offset++) {
      counts.add(fanOut.deliver(set, Kind.FEED, event(offset)));
    }

    assertThat(counts).containsOnly(4_500); // the tenth that does not take it is not counted
    final List<Long> all = IntStream.range(0, 50).mapToObj(i -> (long) i).toList();
    assertThat(recorders).allSatisfy(r -> assertThat(r.offsets).isEqualTo(all));
    final Set<String> threads = new HashSet<>();
    recorders.forEach(r -> threads.addAll(r.threads));
    assertThat(threads).as("the calling thread and lanes").contains(Thread.currentThread().getName())
        .anyMatch(name -> name.startsWith("tidewire-fanout-")).hasSizeGreaterThan(2);
  }

  @Test
  void aFewSubscribersAreServedOnTheCallingThread() {
    final List<Recorder> recorders = recorders(FanOut.PARALLEL_FROM - 1);

    fanOut.deliver(subscribers(recorders), Kind.FEED, event(7));

    assertThat(recorders).allSatisfy(r -> {
      assertThat(r.offsets).containsExactly(7L);
      assertThat(r.threads).containsExactly(Thread.currentThread().getName());
    });
  }

  @Test
  void afterCloseEverythingStillArrivesOnTheCallingThread() {
    final List<Recorder> recorders = recorders(2_000);
    fanOut.close();

    assertThat(fanOut.deliver(subscribers(recorders), Kind.FEED, event(1))).isEqualTo(1_800);

    assertThat(recorders).allSatisfy(r -> assertThat(r.threads).containsExactly(Thread.currentThread().getName()));
  }

  @Test
  void oneThreadMeansTheCallingThread() {
    final List<Recorder> recorders = recorders(2_000);
    try (FanOut alone = FanOut.onCallingThread()) {
      assertThat(alone.deliver(subscribers(recorders), Kind.FEED, event(1))).isEqualTo(1_800);
    }
    assertThat(recorders).allSatisfy(r -> assertThat(r.threads).containsExactly(Thread.currentThread().getName()));
  }
}
