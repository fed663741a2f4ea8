package io.tidewire.gateway.recovery;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Per partition, the next offset a subscriber still needs (Kafka's convention: everything below it
 * was delivered, or filtered out). The one rule of gap-free, duplicate-free delivery lives here:
 * an event is {@link #admits admitted} only at or above its partition's floor, and delivering it
 * moves the floor {@link #past} it. The same value serves the replay merge ({@link ReplayMerger})
 * and every live event of a live subscription, and also describes where a live buffer starts.
 *
 * <p>Partitions the floor does not name admit nothing. Immutable value type (an array indexed by
 * partition, so the check every live event makes needs no boxing or tree walk); thread-safe.
 */
public final class Floor {

  private static final long ABSENT = -1;
  private static final Floor EMPTY = new Floor(new long[0]);

  private final long[] next;

  private Floor(final long[] next) {
    this.next = next;
  }

  /** A floor naming exactly the partitions of {@code offsets}. */
  public static Floor of(final Map<Integer, Long> offsets) {
    if (offsets.isEmpty()) {
      return EMPTY;
    }
    int size = 0;
    for (final Map.Entry<Integer, Long> entry : offsets.entrySet()) {
      if (entry.getKey() < 0 || entry.getValue() < 0) {
        throw new IllegalArgumentException("partitions and offsets are >= 0: " + offsets);
      }
      size = Math.max(size, entry.getKey() + 1);
    }
    final long[] next = new long[size];
    Arrays.fill(next, ABSENT);
    offsets.forEach((partition, offset) -> next[partition] = offset);
    return new Floor(next);
  }

  /** Whether the floor names {@code partition}. */
  public boolean has(final int partition) {
    return partition >= 0 && partition < next.length && next[partition] != ABSENT;
  }

  /** Whether {@code event} is at or above its partition's floor (a partition the floor names). */
  public boolean admits(final Positioned event) {
    return has(event.partition()) && event.offset() >= next[event.partition()];
  }

  /**
   * The floor right after delivering {@code event}: its partition at {@code offset + 1}.
   *
   * @throws IllegalArgumentException if the floor does not {@link #admits admit} the event
   */
  public Floor past(final Positioned event) {
    if (!admits(event)) {
      throw new IllegalArgumentException("not admitted: " + event.partition() + "@" + event.offset());
    }
    final long[] raised = next.clone();
    raised[event.partition()] = event.offset() + 1;
    return new Floor(raised);
  }

  /** The floor with each partition it names raised to {@code reach}'s position, if higher. */
  public Floor raise(final Map<Integer, Long> reach) {
    long[] raised = null;
    for (final Map.Entry<Integer, Long> entry : reach.entrySet()) {
      final int partition = entry.getKey();
      if (has(partition) && entry.getValue() > next[partition]) {
        if (raised == null) {
          raised = next.clone();
        }
        raised[partition] = entry.getValue();
      }
    }
    return raised == null ? this : new Floor(raised);
  }

  /**
   * The floor also naming {@code reach}'s partitions: one it does not name yet at {@code reach}'s
   * offset, one it names raised to it if higher (as {@link #raise}).
   */
  public Floor including(final Map<Integer, Long> reach) {
    int size = next.length;
    for (final Map.Entry<Integer, Long> entry : reach.entrySet()) {
      if (entry.getKey() < 0 || entry.getValue() < 0) {
        throw new IllegalArgumentException("partitions and offsets are >= 0: " + reach);
      }
      size = Math.max(size, entry.getKey() + 1);
    }
    final long[] grown = Arrays.copyOf(next, size);
    Arrays.fill(grown, next.length, size, ABSENT);
    reach.forEach((partition, offset) -> grown[partition] = Math.max(grown[partition], offset));
    return new Floor(grown);
  }

  /** The floor with {@code event}'s partition (if named) raised past it, if not past it already. */
  public Floor raisePast(final Positioned event) {
    return raise(Map.of(event.partition(), event.offset() + 1));
  }

  /** Whether this floor is at or above {@code target} in every partition {@code target} names. */
  public boolean reached(final Floor target) {
    for (int p = 0; p < target.next.length; p++) {
      if (target.next[p] != ABSENT && (!has(p) || next[p] < target.next[p])) {
        return false;
      }
    }
    return true;
  }

  /**
   * Where this floor is still below {@code target}: per partition both name, this floor's offset
   * where it is lower than the target's. Empty once {@link #reached} (for partitions both name).
   */
  public SortedMap<Integer, Long> below(final Floor target) {
    final TreeMap<Integer, Long> lagging = new TreeMap<>();
    for (int p = 0; p < target.next.length; p++) {
      if (target.next[p] != ABSENT && has(p) && next[p] < target.next[p]) {
        lagging.put(p, next[p]);
      }
    }
    return lagging;
  }

  /** The floor as partition → next offset. */
  public SortedMap<Integer, Long> toMap() {
    final TreeMap<Integer, Long> map = new TreeMap<>();
    for (int p = 0; p < next.length; p++) {
      if (next[p] != ABSENT) {
        map.put(p, next[p]);
      }
    }
    return Collections.unmodifiableSortedMap(map);
  }

  @Override
  public boolean equals(final Object other) {
    return other instanceof Floor floor && toMap().equals(floor.toMap());
  }

  @Override
  public int hashCode() {
    return toMap().hashCode();
  }

  @Override
  public String toString() {
    return "Floor" + toMap();
  }
}
