package io.tidewire.gateway.recovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tidewire.gateway.protocol.Channel.Kind;
import io.tidewire.gateway.protocol.Cursor;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

class ResumePlanTest {

  private static final Uuid TOPIC = Uuid.randomUuid();
  private static final int ALICE = Cursor.scopeOf("alice");
  private static final Cursor SEAM = Cursor.of(TOPIC, ALICE, 2, 100);

  @Test
  void noCursorStartsLiveWithoutRecovery() {
    assertThat(ResumePlan.decide(Optional.empty(), SEAM)).isEqualTo(new ResumePlan.Live(false));
  }

  @Test
  void noCursorAskingForTheStateStartsWithASnapshot() {
    assertThat(ResumePlan.decide(Optional.empty(), SEAM, true)).isEqualTo(new ResumePlan.Snapshot());
  }

  @Test
  void askingForTheStateChangesNothingForACursor() {
    for (final Cursor cursor : new Cursor[] {Cursor.of(TOPIC, ALICE, 2, 100), Cursor.of(TOPIC, ALICE, 2, 40),
        Cursor.of(Uuid.randomUuid(), ALICE, 2, 40)}) {
      assertThat(ResumePlan.decide(Optional.of(cursor), SEAM, true))
          .isEqualTo(ResumePlan.decide(Optional.of(cursor), SEAM));
    }
  }

  @Test
  void cursorAtTheSeamIsRecoveredWithoutReplay() {
    assertThat(ResumePlan.decide(Optional.of(Cursor.of(TOPIC, ALICE, 2, 100)), SEAM))
        .isEqualTo(new ResumePlan.Live(true));
  }

  @Test
  void cursorBehindOrAheadOfTheSeamIsReplayed() {
    final Cursor behind = Cursor.of(TOPIC, ALICE, 2, 40);
    final Cursor ahead = Cursor.of(TOPIC, ALICE, 2, 140); // another gateway's tail was ahead

    assertThat(ResumePlan.decide(Optional.of(behind), SEAM)).isEqualTo(new ResumePlan.Replay(behind));
    assertThat(ResumePlan.decide(Optional.of(ahead), SEAM)).isEqualTo(new ResumePlan.Replay(ahead));
  }

  @Test
  void cursorOfAnotherIncarnationOrChannelIsUnrecoverable() {
    assertThat(ResumePlan.decide(Optional.of(Cursor.of(Uuid.randomUuid(), ALICE, 2, 40)), SEAM))
        .isEqualTo(new ResumePlan.Unrecoverable(ResumePlan.Reason.OTHER_EPOCH));
    assertThat(ResumePlan.decide(Optional.of(Cursor.of(TOPIC, Cursor.scopeOf("bob"), 2, 40)), SEAM))
        .isEqualTo(new ResumePlan.Unrecoverable(ResumePlan.Reason.OTHER_CHANNEL));
  }

  @Test
  void userCursorOfThePartitionBeforeAnIncreaseReplaysItAndTheNewPartitionFromItsStart() {
    // alice's key hashed to partition 1 of 3; partitions were added, it hashes to 2 now (the seam).
    final Cursor before = Cursor.of(TOPIC, ALICE, 1, 40);

    final ResumePlan plan = ResumePlan.decide(Optional.of(before), SEAM, Kind.USER, true);

    final ResumePlan.Replay replay = (ResumePlan.Replay) plan;
    assertThat(replay.from()).isEqualTo(Cursor.of(TOPIC, ALICE, Map.of(1, 40L, 2, 0L)));
    assertThat(replay.added()).containsExactly(2);
    assertThat(replay.later()).containsExactly(2);
    // The reply's cursor names both: a resume from it replays both again, the new one last.
    final ResumePlan again = ResumePlan.decide(Optional.of(replay.from()), SEAM, Kind.USER, false);
    assertThat(again).isEqualTo(new ResumePlan.Replay(replay.from()));
    assertThat(((ResumePlan.Replay) again).later()).containsExactly(2);
  }

  @Test
  void feedCursorNamingFewerPartitionsReplaysTheAddedOnesFromTheirStartAfterTheOthers() {
    final Cursor feedSeam = Cursor.of(TOPIC, 0, Map.of(0, 1L, 1, 1L, 2, 1L, 3, 5L, 4, 7L));
    final Cursor before = Cursor.of(TOPIC, 0, Map.of(0, 1L, 1, 0L, 2, 1L));

    final ResumePlan.Replay replay =
        (ResumePlan.Replay) ResumePlan.decide(Optional.of(before), feedSeam, Kind.FEED, false);

    assertThat(replay.from().offsets()).isEqualTo(Map.of(0, 1L, 1, 0L, 2, 1L, 3, 0L, 4, 0L));
    assertThat(replay.added()).containsExactly(3, 4);
    assertThat(replay.later()).containsExactly(1, 3, 4); // partition 1: nothing received from it yet
  }

  @Test
  void feedCursorNamingPartitionsTheTopicDoesNotHaveIsUnrecoverable() {
    final Cursor feedSeam = Cursor.of(TOPIC, 0, Map.of(0, 1L, 1, 1L, 2, 1L));
    final Cursor ofMore = Cursor.of(TOPIC, 0, Map.of(0, 1L, 1, 1L, 2, 1L, 3, 0L));

    assertThat(ResumePlan.decide(Optional.of(ofMore), feedSeam, Kind.FEED, false))
        .isEqualTo(new ResumePlan.Unrecoverable(ResumePlan.Reason.PARTITIONS_CHANGED));
  }

  @Test
  void addedPartitionWhoseStartWasDeletedIsUnrecoverableEvenIfTheCursorIsInside() {
    final ResumePlan.Replay replay =
        (ResumePlan.Replay) ResumePlan.decide(Optional.of(Cursor.of(TOPIC, ALICE, 1, 40)), SEAM);

    assertThat(replay.outside(Map.of(1, new LogRange(0, 90), 2, new LogRange(0, 30)), 1_000)).isEmpty();
    assertThat(replay.outside(Map.of(1, new LogRange(0, 90), 2, new LogRange(1, 30)), 1_000))
        .contains(ResumePlan.Reason.ADDED_PARTITION_TRUNCATED);
    // The added partition is scanned from its start: it counts towards the scan limit.
    assertThat(replay.outside(Map.of(1, new LogRange(0, 90), 2, new LogRange(0, 30)), 79))
        .contains(ResumePlan.Reason.SCAN_LIMIT);
    assertThat(replay.outside(Map.of(1, new LogRange(41, 90), 2, new LogRange(0, 30)), 1_000))
        .contains(ResumePlan.Reason.RETENTION);
  }

  @Test
  void laterPartitionsAreReadOnlyOnceTheOthersCaughtUp() {
    final SortedMap<Integer, Long> lagging = new TreeMap<>(Map.of(1, 40L, 2, 0L));

    assertThat(ResumePlan.readFirst(lagging, Set.of(2))).containsExactlyEntriesOf(Map.of(1, 40L));
    assertThat(ResumePlan.readFirst(new TreeMap<>(Map.of(2, 7L)), Set.of(2)))
        .containsExactlyEntriesOf(Map.of(2, 7L));
    assertThat(ResumePlan.readFirst(lagging, Set.of())).isEqualTo(lagging);
    assertThat(ResumePlan.readFirst(new TreeMap<>(), Set.of(2))).isEmpty();
  }

  @Test
  void cursorOutsideTheLogsBoundsIsUnrecoverableForWhyItIsOutside() {
    final Cursor cursor = Cursor.of(TOPIC, ALICE, 2, 40);

    assertThat(ResumePlan.outside(cursor, Map.of(2, new LogRange(0, 40)))).isEmpty(); // at the end
    assertThat(ResumePlan.outside(cursor, Map.of(2, new LogRange(40, 90)))).isEmpty(); // at the start
    assertThat(ResumePlan.outside(cursor, Map.of(2, new LogRange(41, 90))))
        .contains(ResumePlan.Reason.RETENTION);
    assertThat(ResumePlan.outside(cursor, Map.of(2, new LogRange(0, 39))))
        .contains(ResumePlan.Reason.AHEAD_OF_LOG);
    assertThat(ResumePlan.outside(cursor, Map.of(1, new LogRange(0, 90))))
        .contains(ResumePlan.Reason.PARTITIONS_CHANGED);
  }

  @Test
  void aCursorTooFarBehindTheEndIsNotReplayedSummedOverItsPartitions() {
    final Cursor user = Cursor.of(TOPIC, ALICE, 2, 1_000);
    assertThat(ResumePlan.outside(user, Map.of(2, new LogRange(0, 101_000)), 100_000)).isEmpty();
    assertThat(ResumePlan.outside(user, Map.of(2, new LogRange(0, 101_001)), 100_000))
        .contains(ResumePlan.Reason.SCAN_LIMIT);

    final Cursor feed = Cursor.of(TOPIC, 0, Map.of(0, 0L, 1, 0L, 2, 0L));
    final Map<Integer, LogRange> bounds = Map.of(0, new LogRange(0, 40_000), 1, new LogRange(0, 40_000),
        2, new LogRange(0, 20_000));
    assertThat(ResumePlan.outside(feed, bounds, 100_000)).isEmpty();
    assertThat(ResumePlan.outside(feed, bounds, 99_999)).contains(ResumePlan.Reason.SCAN_LIMIT);
  }

  @Test
  void retentionAndTheLogsEndAreJudgedBeforeTheScanLimit() {
    final Cursor cursor = Cursor.of(TOPIC, ALICE, 2, 10);
    assertThat(ResumePlan.outside(cursor, Map.of(2, new LogRange(11, 1_000_000)), 5))
        .contains(ResumePlan.Reason.RETENTION);
    assertThat(ResumePlan.outside(cursor, Map.of(2, new LogRange(0, 9)), 5))
        .contains(ResumePlan.Reason.AHEAD_OF_LOG);
  }
}
