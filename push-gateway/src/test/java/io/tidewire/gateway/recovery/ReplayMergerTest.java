package io.tidewire.gateway.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.recovery.ReplayMerger.Merge;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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

  private static Floor floor(final int partition, final long offset) {
    return Floor.of(Map.of(partition, offset));
  }

  private static List<Long> offsets(final Merge<E> merge) {
    return merge.deliver().stream().map(E::offset).toList();
  }

  @Test
  void replayThatReachesTheBufferIsFollowedByTheBuffer() {
    // client at 10; replay read [10, 20); the buffer holds everything from 20
    final Merge<E> merge = ReplayMerger.merge(floor(0, 10), List.of(r(10), r(14), r(19)),
        Map.of(0, 20L), floor(0, 20), List.of(l(20), l(23)));

    assertThat(merge.caughtUp()).isTrue();
    assertThat(offsets(merge)).containsExactly(10L, 14L, 19L, 20L, 23L);
    assertThat(merge.floor()).isEqualTo(floor(0, 24));
  }

  @Test
  void overlapIsDeliveredOnceFromTheBuffer() {
    // the replay read past the start of the buffer: 20 and 23 are in both
    final Merge<E> merge = ReplayMerger.merge(floor(0, 10), List.of(r(12), r(20), r(23)),
        Map.of(0, 24L), floor(0, 20), List.of(l(20), l(23), l(25)));

    assertThat(merge.caughtUp()).isTrue();
    assertThat(merge.deliver()).containsExactly(r(12), l(20), l(23), l(25));
  }

  @Test
  void gapBetweenReplayAndBufferKeepsTheBufferAndAsksForMore() {
    final Merge<E> merge = ReplayMerger.merge(floor(0, 10), List.of(r(11), r(15)),
        Map.of(0, 16L), floor(0, 30), List.of(l(30), l(31)));

    assertThat(merge.caughtUp()).isFalse();
    assertThat(offsets(merge)).containsExactly(11L, 15L); // the replay part is safe to send
    assertThat(merge.floor()).isEqualTo(floor(0, 16)); // continue reading here
  }

  @Test
  void duplicatesWithinEitherSideAreDropped() {
    final Merge<E> merge = ReplayMerger.merge(floor(0, 0), List.of(r(1), r(1), r(2), r(2)),
        Map.of(0, 3L), floor(0, 3), List.of(l(3), l(3), l(4)));

    assertThat(offsets(merge)).containsExactly(1L, 2L, 3L, 4L);
  }

  @Test
  void eventsBelowTheFloorAreNeverRepeated() {
    // the client already has everything below 50 (e.g. a cursor from a gateway whose tail was ahead)
    final Merge<E> merge = ReplayMerger.merge(floor(0, 50), List.of(r(40), r(49)),
        Map.of(0, 45L), floor(0, 45), List.of(l(45), l(49), l(50), l(51)));

    assertThat(merge.caughtUp()).isTrue();
    assertThat(offsets(merge)).containsExactly(50L, 51L);
    assertThat(merge.floor()).isEqualTo(floor(0, 52));
  }

  @Test
  void emptyReplayThatReachedTheBufferDeliversTheBuffer() {
    // none of the records in [10, 20) was the client's: the replay found nothing but moved on
    final Merge<E> merge = ReplayMerger.merge(floor(0, 10), List.of(), Map.of(0, 20L),
        floor(0, 20), List.of(l(22)));

    assertThat(merge.caughtUp()).isTrue();
    assertThat(offsets(merge)).containsExactly(22L);
  }

  @Test
  void emptyReplayThatReadNothingIsNotCaughtUp() {
    final Merge<E> merge = ReplayMerger.merge(floor(0, 10), List.of(), Map.of(),
        floor(0, 20), List.of(l(22)));

    assertThat(merge.caughtUp()).isFalse();
    assertThat(merge.deliver()).isEmpty();
    assertThat(merge.floor()).isEqualTo(floor(0, 10));
  }

  @Test
  void cursorAtTheBufferNeedsNoReplay() {
    final Merge<E> merge = ReplayMerger.merge(floor(0, 20), List.of(), Map.of(),
        floor(0, 20), List.of());

    assertThat(merge.caughtUp()).isTrue();
    assertThat(merge.deliver()).isEmpty();
  }

  @Test
  void everyPartitionMustReachItsBuffer() {
    final Floor floor = Floor.of(Map.of(0, 0L, 1, 0L, 2, 0L));
    final Floor liveFrom = Floor.of(Map.of(0, 5L, 1, 5L, 2, 5L));
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
    final Merge<E> merge = ReplayMerger.merge(floor(1, 0), List.of(new E(0, 3, "replay")),
        Map.of(0, 4L, 1, 9L), floor(1, 9), List.of(new E(0, 9, "live"), new E(1, 9, "live")));

    assertThat(merge.deliver()).containsExactly(new E(1, 9, "live"));
    assertThat(merge.floor().toMap()).containsOnlyKeys(1);
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

      Merge<E> merge = ReplayMerger.merge(floor(0, cursor), replayed, Map.of(0, reach),
          floor(0, liveFrom), live);
      final List<Long> delivered = new ArrayList<>(offsets(merge));
      if (!merge.caughtUp()) {
        // the rest of the replay, from the returned floor
        final long from = merge.floor().toMap().get(0);
        final List<E> more = log.stream().filter(o -> o >= from && o < liveFrom + 5).map(ReplayMergerTest::r).toList();
        merge = ReplayMerger.merge(merge.floor(), more, Map.of(0, liveFrom + 5), floor(0, liveFrom), live);
        assertThat(merge.caughtUp()).isTrue();
        delivered.addAll(offsets(merge));
      }

      assertThat(delivered).as("round %d", round)
          .containsExactlyElementsOf(log.stream().filter(o -> o >= cursor).toList());
    }
  }

  @Test
  void anySplitOfAMultiPartitionLogOverManyBatchesGivesEachPartitionEveryOffsetOnceInOrder() {
    final Random random = new Random(29);
    for (int round = 0; round < 300; round++) {
      final int partitions = 1 + random.nextInt(3);
      final Map<Integer, List<Long>> log = new HashMap<>();
      final Map<Integer, Long> cursor = new HashMap<>();
      final Map<Integer, Long> liveFrom = new HashMap<>();
      final Map<Integer, List<E>> livePerPartition = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        final List<Long> offsets = new ArrayList<>();
        for (long o = 0; o < 150; o++) {
          if (random.nextInt(3) == 0) {
            offsets.add(o);
          }
        }
        log.put(p, offsets);
        cursor.put(p, (long) random.nextInt(80));
        liveFrom.put(p, cursor.get(p) + random.nextInt(70));
        final long start = liveFrom.get(p);
        final int partition = p;
        livePerPartition.put(p, new ArrayList<>(offsets.stream().filter(o -> o >= start)
            .map(o -> new E(partition, o, "live")).toList()));
      }
      // the live buffer interleaves the partitions in any order, each partition in log order
      final List<E> live = interleave(livePerPartition, random);
      final List<E> delivered = new ArrayList<>();
      Floor floor = Floor.of(cursor);
      boolean caughtUp = false;
      for (int batch = 0; !caughtUp; batch++) {
        assertThat(batch).as("round %d never caught up", round).isLessThan(1_000);
        // one read: every partition still below the buffer, up to a random reach past its floor
        final Map<Integer, Long> reach = new HashMap<>();
        final Map<Integer, List<E>> read = new HashMap<>();
        for (final Map.Entry<Integer, Long> from : floor.below(Floor.of(liveFrom)).entrySet()) {
          final long to = from.getValue() + 1 + random.nextInt(40);
          reach.put(from.getKey(), to);
          read.put(from.getKey(), new ArrayList<>(log.get(from.getKey()).stream()
              .filter(o -> o >= from.getValue() && o < to)
              .map(o -> new E(from.getKey(), o, "replay")).toList()));
        }
        final List<E> replayed = interleave(read, random);
        final Merge<E> merge = ReplayMerger.merge(floor, replayed, reach, Floor.of(liveFrom), live);
        delivered.addAll(merge.deliver());
        floor = merge.floor();
        caughtUp = merge.caughtUp();
      }

      for (int p = 0; p < partitions; p++) {
        final int partition = p;
        final long from = cursor.get(p);
        assertThat(delivered.stream().filter(e -> e.partition() == partition).map(E::offset).toList())
            .as("round %d, partition %d", round, p)
            .containsExactlyElementsOf(log.get(p).stream().filter(o -> o >= from).toList());
      }
    }
  }

  /** One write of a row: its place in time, and where the partitioner put it. */
  private record Write(int row, int time, int partition, long offset) {}

  @Test
  void rowsMovedToAnAddedPartitionKeepTheirOrderWhenTheOldPartitionIsReadFirst() {
    // Partitions were added: each row's producer switches once, from partition 1 (where the
    // client's cursor is) to the added partition 2, at its own moment. The replay reads partition 1
    // up to its end at the check, then partition 2 from its start (ResumePlan.readFirst); the live
    // buffer has every write from the seam on, in the order they happened.
    final Random random = new Random(31);
    for (int round = 0; round < 300; round++) {
      final int rows = 1 + random.nextInt(4);
      final int writes = 20 + random.nextInt(80);
      final int cursorTime = random.nextInt(writes / 4);
      final int[] switchAt = new int[rows];
      for (int r = 0; r < rows; r++) {
        switchAt[r] = cursorTime + random.nextInt(writes - cursorTime + 1);
      }
      final int seamTime = cursorTime + random.nextInt(writes - cursorTime + 1);
      final int checkTime = seamTime + random.nextInt(writes - seamTime + 1);
      final List<Write> log = new ArrayList<>();
      final long[] next = {0, 100, 0}; // partition 1 holds older records, 2 is new
      long cursor = -1;
      final Map<Integer, Long> seam = new HashMap<>();
      final Map<Integer, Long> end = new HashMap<>();
      for (int t = 0; t < writes; t++) {
        if (t == cursorTime) {
          cursor = next[1];
        }
        if (t == seamTime) {
          seam.put(2, next[2]);
        }
        if (t == checkTime) {
          end.put(1, next[1]);
        }
        final int row = random.nextInt(rows);
        final int partition = t < switchAt[row] ? 1 : 2;
        next[partition] += 1 + random.nextInt(2); // other users' records between
        log.add(new Write(row, t, partition, next[partition] - 1));
      }
      seam.putIfAbsent(2, next[2]);
      end.putIfAbsent(1, next[1]);
      final long from = cursor < 0 ? next[1] : cursor;
      final Map<Long, Write> byPosition = new HashMap<>();
      log.forEach(w -> byPosition.put(w.partition() * 1_000_000L + w.offset(), w));
      final List<E> live = log.stream().filter(w -> w.time() >= seamTime)
          .map(w -> new E(w.partition(), w.offset(), "live")).toList();

      final Floor liveFrom = Floor.of(seam).including(end);
      Floor floor = Floor.of(Map.of(1, from, 2, 0L));
      final List<E> delivered = new ArrayList<>();
      boolean caughtUp = false;
      for (int batch = 0; !caughtUp; batch++) {
        assertThat(batch).as("round %d never caught up", round).isLessThan(1_000);
        final Map<Integer, Long> reach = new HashMap<>();
        final List<E> replayed = new ArrayList<>();
        for (final Map.Entry<Integer, Long> read
            : ResumePlan.readFirst(floor.below(liveFrom), Set.of(2)).entrySet()) {
          final long to = read.getValue() + 1 + random.nextInt(30);
          reach.put(read.getKey(), to);
          log.stream().filter(w -> w.partition() == read.getKey() && w.offset() >= read.getValue()
              && w.offset() < to).forEach(w -> replayed.add(new E(w.partition(), w.offset(), "replay")));
        }
        final Merge<E> merge = ReplayMerger.merge(floor, replayed, reach, liveFrom, live);
        delivered.addAll(merge.deliver());
        floor = merge.floor();
        caughtUp = merge.caughtUp();
      }

      final List<Write> got = delivered.stream()
          .map(e -> byPosition.get(e.partition() * 1_000_000L + e.offset())).toList();
      for (int r = 0; r < rows; r++) {
        final int row = r;
        assertThat(got.stream().filter(w -> w.row() == row).toList())
            .as("round %d, row %d", round, r)
            .containsExactlyElementsOf(log.stream().filter(w -> w.row() == row
                && (w.partition() == 2 || w.offset() >= from)).toList());
      }
    }
  }

  /**
   * The events of every partition in one list, partitions interleaved at random, each partition's
   * events in their order, now and then one twice.
   */
  private static List<E> interleave(final Map<Integer, List<E>> perPartition, final Random random) {
    final List<List<E>> left = new ArrayList<>();
    perPartition.values().forEach(events -> left.add(new ArrayList<>(events)));
    final List<E> all = new ArrayList<>();
    while (left.stream().anyMatch(events -> !events.isEmpty())) {
      final List<E> next = left.get(random.nextInt(left.size()));
      if (!next.isEmpty()) {
        all.add(next.remove(0));
        if (random.nextInt(15) == 0) {
          all.add(all.get(all.size() - 1));
        }
      }
    }
    return all;
  }
}
