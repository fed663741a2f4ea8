package io.tidewire.gateway.recovery;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Joins events replayed from the log with live events buffered while the replay ran, by offset:
 * the pure heart of resuming (after Centrifuge's {@code MergePublications}).
 *
 * <p>Positions are per partition and follow Kafka's convention (the next offset to read); floors are
 * {@link Floor} values, whose rule ({@link Floor#admits}, {@link Floor#past}) is the same one a live
 * subscription applies to every live event:
 *
 * <ul>
 *   <li>{@code floor}: the next offset the client still needs; everything below it was delivered
 *       (or filtered out). An event below the floor is a duplicate and is dropped.
 *   <li>{@code replayedUpTo}: how far the replay read; every wanted record below it is among the
 *       replayed events (or below the floor).
 *   <li>{@code liveFrom}: the buffer holds every wanted live record at or after it.
 * </ul>
 *
 * <p>The replayed events below {@code liveFrom} are delivered in read order, each raising its
 * partition's floor; then the floor rises to {@code replayedUpTo}, but not past {@code liveFrom}.
 * Whatever the replay read at or after {@code liveFrom} is left to the buffer, which holds all of
 * it: so everything from the seam on goes out in the order the live tail saw it, across
 * partitions, as it would for a live subscription (a key moved to an added partition has its
 * last events in the old partition buffered; a replay of the new one that read ahead must not
 * overtake them). If the floor has reached {@code liveFrom} in every partition of
 * {@code liveFrom}, the replay and the buffer overlap or touch: the merge is <em>caught up</em>
 * and the buffered events above the floor follow, in arrival order. Otherwise there is still a gap
 * between what was replayed and what was buffered; the buffered events are left alone and the
 * replay must go on from the returned floor. So the result never skips an offset range and never
 * repeats an offset, whatever the overlap, duplicates or emptiness of the inputs.
 *
 * <p>Events of partitions absent from {@code floor} are ignored. Pure and thread-safe.
 */
public final class ReplayMerger {

  private ReplayMerger() {}

  /**
   * The outcome of one merge.
   *
   * @param deliver the events to send, in order
   * @param floor the floor after them
   * @param caughtUp whether the buffered live events were merged (the replay is complete)
   * @param <E> the event type
   */
  public record Merge<E>(List<E> deliver, Floor floor, boolean caughtUp) {
    public Merge {
      deliver = Collections.unmodifiableList(deliver);
      Objects.requireNonNull(floor, "floor");
    }
  }

  /**
   * Merges one replayed batch (possibly empty) and the live buffer.
   *
   * @param floor next offset needed per partition
   * @param replayed replayed events in read order
   * @param replayedUpTo how far the replay read, per partition (partitions not read may be absent)
   * @param liveFrom where the live buffer starts, per partition
   * @param live buffered live events in arrival order
   * @param <E> the event type
   * @return what to deliver, the new floor and whether the replay caught up with the buffer
   */
  public static <E extends Positioned> Merge<E> merge(final Floor floor, final List<E> replayed,
      final Map<Integer, Long> replayedUpTo, final Floor liveFrom, final List<E> live) {
    Objects.requireNonNull(live, "live");
    final List<E> deliver = new ArrayList<>();
    final List<E> beforeLive = replayed.stream().filter(event -> !liveFrom.admits(event)).toList();
    final Map<Integer, Long> upTo = new HashMap<>(replayedUpTo);
    liveFrom.toMap().forEach((partition, start) -> upTo.computeIfPresent(partition,
        (p, reach) -> Math.min(reach, start)));
    final Floor next = admit(beforeLive, floor, deliver).raise(upTo);
    if (!next.reached(liveFrom)) {
      return new Merge<>(deliver, next, false);
    }
    return new Merge<>(deliver, admit(live, next, deliver), true);
  }

  private static <E extends Positioned> Floor admit(final List<E> events, final Floor floor,
      final List<E> deliver) {
    Floor next = floor;
    for (final E event : events) {
      if (next.admits(event)) {
        next = next.past(event);
        deliver.add(event);
      }
    }
    return next;
  }
}
