package io.tidewire.gateway.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Utils;

/**
 * A position in a channel's stream: the topic incarnation ("epoch", the Kafka topic id), the
 * channel it belongs to ({@code scope}) and, per partition, the offset of the next record to read.
 *
 * <p>A user channel's cursor names one partition (the one the user's key hashes to); a feed cursor
 * names every partition of the feed topic. Offsets follow Kafka's committed-offset convention: the
 * cursor of an event is its record's offset plus one in its partition, so "resume from a cursor"
 * means "deliver every record at or after these offsets". A different epoch means the topic was
 * deleted and recreated since the cursor was issued; its offsets mean nothing any more.
 *
 * <p>{@code scope} binds a cursor to its channel: {@link #scopeOf(String)} of the user id for a
 * user channel, {@link #FEED_SCOPE} for the feed. A cursor handed to another user's session (a
 * client that kept the cursor across a logout) is then recognised as not this channel's.
 *
 * <p>Immutable value type; thread-safe.
 *
 * @param epoch the Kafka topic id (the topic's incarnation)
 * @param scope which channel the cursor belongs to
 * @param offsets partition to next offset, at least one entry, partitions and offsets at least 0
 */
public record Cursor(Uuid epoch, int scope, SortedMap<Integer, Long> offsets) {

  /** Scope of feed cursors. */
  public static final int FEED_SCOPE = 0;

  public Cursor {
    Objects.requireNonNull(epoch, "epoch");
    Objects.requireNonNull(offsets, "offsets");
    if (offsets.isEmpty()) {
      throw new IllegalArgumentException("a cursor names at least one partition");
    }
    final TreeMap<Integer, Long> copy = new TreeMap<>();
    for (final Map.Entry<Integer, Long> entry : offsets.entrySet()) {
      final int partition = Objects.requireNonNull(entry.getKey(), "partition");
      final long offset = Objects.requireNonNull(entry.getValue(), "offset");
      if (partition < 0) {
        throw new IllegalArgumentException("partition must be >= 0: " + partition);
      }
      if (offset < 0) {
        throw new IllegalArgumentException("offset must be >= 0: " + offset);
      }
      copy.put(partition, offset);
    }
    offsets = Collections.unmodifiableSortedMap(copy);
  }

  /** A cursor of one partition. */
  public static Cursor of(final Uuid epoch, final int scope, final int partition, final long offset) {
    return new Cursor(epoch, scope, new TreeMap<>(Map.of(partition, offset)));
  }

  /** A cursor of several partitions. */
  public static Cursor of(final Uuid epoch, final int scope, final Map<Integer, Long> offsets) {
    return new Cursor(epoch, scope, new TreeMap<>(offsets));
  }

  /** The scope of {@code userId}'s user channel (murmur2 of its UTF-8 bytes). */
  public static int scopeOf(final String userId) {
    return Utils.murmur2(userId.getBytes(StandardCharsets.UTF_8));
  }

  /** The next offset to read in {@code partition}, if the cursor names it. */
  public OptionalLong offset(final int partition) {
    final Long offset = offsets.get(partition);
    return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
  }

  /**
   * This cursor narrowed to one partition.
   *
   * @throws IllegalArgumentException if the cursor does not name {@code partition}
   */
  public Cursor only(final int partition) {
    final Long offset = offsets.get(partition);
    if (offset == null) {
      throw new IllegalArgumentException("cursor has no partition " + partition);
    }
    return of(epoch, scope, partition, offset);
  }

  /** This cursor with another scope. */
  public Cursor withScope(final int newScope) {
    return newScope == scope ? this : new Cursor(epoch, newScope, offsets);
  }
}
