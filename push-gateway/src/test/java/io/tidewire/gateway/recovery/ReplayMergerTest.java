package io.tidewire.gateway.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.recovery.ReplayMerger.Merge;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ReplayMergerTest {

  /** An event: partition, offset and where it came from. */
  private record E(int partition, long offset, String source) implements Positioned {}

  private static E r(final long offset) {
    return new E(0, offset, "replay");
  }

  private static E l(final long offset) {
    return new E(0, offset, "live");
  }

  private static List<Long> offsets(final Merge<E> merge) {
    return merge.deliver().stream().map(E::offset).toList();
  }

  @Test
  void replayThatReachesTheBufferIsFollowedByTheBuffer() {
    // client at 10; replay read [10, 20); the buffer holds everything from 20
    final Merge<E> merge = ReplayMerger.merge(Map.of(0, 10L), List.of(r(10), r(14), r(19)),
        Map.of(0, 20L), Map.of(0, 20L), List.of(l(20), l(23)));

    assertThat(merge.caughtUp()).isTrue();
    assertThat(offsets(merge)).containsExactly(10L, 14L, 19L, 20L, 23L);
    assertThat(merge.floor()).containsEntry(0, 24L);
  }

  @Test
  void overlapIsDeliveredOnceFromWhicheverCameFirst() {
    // the replay read past the start of the buffer: 20 and 23 are in both
    final Merge<E> merge = ReplayMerger.merge(Map.of(0, 10L), List.of(r(12), r(20), r(23)),
        Map.of(0, 24L), Map.of(0, 20L), List.of(l(20), l(23), l(25)));

    assertThat(merge.caughtUp()).isTrue();
    assertThat(merge.deliver()).containsExactly(r(12), r(20), r(23), l(25));
  }

  @Test
  void gapBetweenReplayAndBufferKeepsTheBufferAndAsksForMore() {
    final Merge<E> merge = ReplayMerger.merge(Map.of(0, 10L), List.of(r(11), r(15)),
        Map.of(0, 16L), Map.of(0, 30L), List.of(l(30), l(31)));

    assertThat(merge.caughtUp()).isFalse();
    assertThat(offsets(merge)).containsExactly(11L, 15L); // the replay part is safe to send
    assertThat(merge.floor()).containsEntry(0, 16L); // continue reading here
  }

  @Test
  void duplicatesWithinEitherSideAreDropped() {
    final Merge<E> merge = ReplayMerger.merge(Map.of(0, 0L), List.of(r(1), r(1), r(2), r(2)),
        Map.of(0, 3L), Map.of(0, 3L), List.of(l(3), l(3), l(4)));

    assertThat(offsets(merge)).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void eventsBelowTheFloorAreNeverRepeated() {
    // the client already has everything below 50 (e.g. a cursor from a gateway whose tail was ahead)
    final Merge<E> merge = ReplayMerger.merge(Map.of(0, 50L), List.of(r(40), r(49)),
        Map.of(0, 45L), Map.of(0, 45L), List.of(l(45), l(49), l(50), l(51)));

    assertThat(merge.caughtUp()).isTrue();
    assertThat(offsets(merge)).containsExactly(50L, 51L);
    assertThat(merge.floor()).containsEntry(0, 52L);
  }

  @Test
  void emptyReplayThatReachedTheBufferDeliversTheBuffer() {
    // none of the records in [10, 20) was the client's: the replay found nothing but moved on
    final Merge<E> merge = ReplayMerger.merge(Map.of(0, 10L), List.of(), Map.of(0, 20L),
        Map.of(0, 20L), List.of(l(22)));

    assertThat(merge.caughtUp()).isTrue();
    assertThat(offsets(merge)).containsExactly(22L);
  }

  @Test
  void emptyReplayThatReadNothingIsNotCaughtUp() {
    final Merge<E> merge = ReplayMerger.merge(Map.of(0, 10L), List.of(), Map.of(),
        Map.of(0, 20L), List.of(l(22)));

    assertThat(merge.caughtUp()).isFalse();
    assertThat(merge.deliver()).isEmpty();
    assertThat(merge.floor()).containsEntry(0, 10L);
  }

  @Test
  void cursorAtTheBufferNeedsNoReplay() {
    final Merge<E> merge = ReplayMerger.merge(Map.of(0, 20L), List.of(), Map.of(),
        Map.of(0, 20L), List.of());

    assertThat(merge.caughtUp()).isTrue();
    assertThat(merge.deliver()).isEmpty();
  }

  @Test
  void everyPartitionMustReachItsBuffer() {
    final Map<Integer, Long> floor = Map.of(0, 0L, 1, 0L, 2, 0L);
    final Map<Integer, Long> liveFrom = Map.of(0, 5L, 1, 5L, 2, 5L);
    final List<E> live = List.of(new E(2, 5, "live"), new E(0, 6, "live"));

    final Merge<E> partial = ReplayMerger.merge(floor,
        List.of(new E(0, 1, "replay"), new E(1, 2, "replay")), Map.of(0, 5L, 1, 5L), liveFrom, live);
    assertThat(partial.caughtUp()).isFalse(); // partition 2 still lags

    final Merge<E> rest = ReplayMerger.merge(partial.floor(), List.of(new E(2, 4, "replay")),
        Map.of(2, 5L), liveFrom, live);
    assertThat(rest.caughtUp()).isTrue();
    assertThat(rest.deliver()).containsExactly(new E(2, 4, "replay"), new E(2, 5, "live"),
        new E(0, 6, "live"));
  }

  @Test
  void eventsOfOtherPartitionsAreIgnored() {
    final Merge<E> merge = ReplayMerger.merge(Map.of(1, 0L), List.of(new E(0, 3, "replay")),
        Map.of(0, 4L, 1, 9L), Map.of(1, 9L), List.of(new E(0, 9, "live"), new E(1, 9, "live")));

    assertThat(merge.deliver()).containsExactly(new E(1, 9, "live"));
    assertThat(merge.floor()).containsOnlyKeys(1);
  }

  @Test
  void liveAdmissionRaisesTheFloor() {
    final Map<Integer, Long> floor = new HashMap<>(Map.of(0, 5L));

    assertThat(ReplayMerger.admit(l(4), floor)).isFalse();
    assertThat(ReplayMerger.admit(l(5), floor)).isTrue();
    assertThat(ReplayMerger.admit(l(5), floor)).isFalse();
    assertThat(ReplayMerger.admit(l(9), floor)).isTrue();
    assertThat(ReplayMerger.admit(new E(3, 9, "live"), floor)).isFalse();
    assertThat(floor).containsEntry(0, 10L);
  }

  @Test
  void anySplitOfTheLogBetweenReplayAndBufferGivesEveryOffsetOnceInOrder() {
    final Random random = new Random(11);
    for (int round = 0; round < 500; round++) {
      // the client's events are a random subset of offsets [0, 200)
      final List<Long> log = new ArrayList<>();
      for (long o = 0; o < 200; o++) {
        if (random.nextInt(3) == 0) {
          log.add(o);
        }
      }
      final long cursor = random.nextInt(100);
      final long liveFrom = cursor + random.nextInt(100);
      final long reach = liveFrom + random.nextInt(30) - 10; // may stop short of the buffer
      final List<E> replayed = new ArrayList<>();
      for (final long o : log) {
        if (o >= cursor && o < Math.max(reach, cursor)) {
          replayed.add(r(o));
          if (random.nextInt(10) == 0) {
            replayed.add(r(o)); // a duplicate
          }
        }
      }
      final List<E> live = log.stream().filter(o -> o >= liveFrom).map(ReplayMergerTest::l).toList();

      Merge<E> merge = ReplayMerger.merge(Map.of(0, cursor), replayed, Map.of(0, reach),
          Map.of(0, liveFrom), live);
      final List<Long> delivered = new ArrayList<>(offsets(merge));
      if (!merge.caughtUp()) {
        // the rest of the replay, from the returned floor
        final long from = merge.floor().get(0);
        final List<E> more = log.stream().filter(o -> o >= from && o < liveFrom + 5).map(ReplayMergerTest::r).toList();
        merge = ReplayMerger.merge(merge.floor(), more, Map.of(0, liveFrom + 5), Map.of(0, liveFrom), live);
        assertThat(merge.caughtUp()).isTrue();
        delivered.addAll(offsets(merge));
      }

      assertThat(delivered).as("round %d", round)
          .containsExactlyElementsOf(log.stream().filter(o -> o >= cursor).toList());
    }
  }
}
