package io.tidewire.gateway.recovery;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Joins events replayed from the log with live events buffered while the replay ran, by offset:
 * the pure heart of resuming (after Centrifuge's {@code MergePublications}).
 *
 * <p>Positions are per partition and follow Kafka's convention (the next offset to read):
 *
 * <ul>
 *   <li>{@code floor}: the next offset the client still needs; everything below it was delivered
 *       (or filtered out). An event below the floor is a duplicate and is dropped.
 *   <li>{@code replayedUpTo}: how far the replay read; every wanted record below it is among the
 *       replayed events (or below the floor).
 *   <li>{@code liveFrom}: the buffer holds every wanted live record at or after it.
 * </ul>
 *
 * <p>The replayed events are delivered in read order, each raising its partition's floor; then the
 * floor rises to {@code replayedUpTo}. If the floor has reached {@code liveFrom} in every partition
 * of {@code liveFrom}, the replay and the buffer overlap or touch: the merge is <em>caught up</em>
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
  public record Merge<E>(List<E> deliver, Map<Integer, Long> floor, boolean caughtUp) {
    public Merge {
      deliver = Collections.unmodifiableList(deliver);
      floor = Collections.unmodifiableMap(floor);
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
  public static <E extends Positioned> Merge<E> merge(final Map<Integer, Long> floor,
      final List<E> replayed, final Map<Integer, Long> replayedUpTo,
      final Map<Integer, Long> liveFrom, final List<E> live) {
    Objects.requireNonNull(live, "live");
    final Map<Integer, Long> next = new TreeMap<>(floor);
    final List<E> deliver = new ArrayList<>();
    admit(replayed, next, deliver);
    for (final Map.Entry<Integer, Long> reach : replayedUpTo.entrySet()) {
      next.computeIfPresent(reach.getKey(), (partition, at) -> Math.max(at, reach.getValue()));
    }
    final boolean caughtUp = caughtUp(next, liveFrom);
    if (caughtUp) {
      admit(live, next, deliver);
    }
    return new Merge<>(deliver, next, caughtUp);
  }

  /** Whether {@code floor} has reached {@code liveFrom} in every partition of {@code liveFrom}. */
  public static boolean caughtUp(final Map<Integer, Long> floor, final Map<Integer, Long> liveFrom) {
    for (final Map.Entry<Integer, Long> entry : liveFrom.entrySet()) {
      final Long at = floor.get(entry.getKey());
      if (at == null || at < entry.getValue()) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether a live event passes the floor; if so, raises the floor past it. The one rule of
   * {@link #merge}, for subscriptions already live.
   */
  public static boolean admit(final Positioned event, final Map<Integer, Long> floor) {
    final Long at = floor.get(event.partition());
    if (at == null || event.offset() < at) {
      return false;
    }
    floor.put(event.partition(), event.offset() + 1);
    return true;
  }

  private static <E extends Positioned> void admit(final List<E> events,
      final Map<Integer, Long> floor, final List<E> deliver) {
    for (final E event : events) {
      if (admit(event, floor)) {
        deliver.add(event);
      }
    }
  }
}
