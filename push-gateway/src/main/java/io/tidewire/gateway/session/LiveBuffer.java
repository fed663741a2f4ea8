package io.tidewire.gateway.session;

import io.tidewire.gateway.recovery.Floor;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/**
 * The live events a recovering subscription keeps while it catches up, bounded like the session's
 * send queue. It holds every wanted live event at or after {@link #liveFrom()}. When an event would
 * overflow it, the buffer is dropped and {@code liveFrom} moves past every dropped event: the replay
 * reads them again from the log (a snapshot is taken again), so a long recovery costs time, never
 * memory, and never loses an event.
 *
 * <p>Not thread-safe: owned by one {@link SessionCore}.
 */
final class LiveBuffer {

  private final int maxMessages;
  private final long maxBytes;
  private final ArrayDeque<EncodedEvent> events = new ArrayDeque<>();
  private long bytes;
  private Floor liveFrom;
  private int resets;

  /**
   * @param liveFrom where the live events start (the seam)
   * @param maxMessages bound in events
   * @param maxBytes bound in bytes
   */
  LiveBuffer(final Floor liveFrom, final int maxMessages, final long maxBytes) {
    this.liveFrom = liveFrom;
    this.maxMessages = maxMessages;
    this.maxBytes = maxBytes;
  }

  /** Keeps {@code event}, or drops everything (it included) if it does not fit. */
  void add(final EncodedEvent event) {
    if (events.size() >= maxMessages || bytes + event.bytes() > maxBytes) {
      for (final EncodedEvent dropped : events) {
        liveFrom = liveFrom.raisePast(dropped);
      }
      liveFrom = liveFrom.raisePast(event);
      clear();
      resets++;
      return;
    }
    events.add(event);
    bytes += event.bytes();
  }

  /**
   * Names more partitions in {@code liveFrom}: the buffer holds every live event of the channel
   * since the seam, so it holds every one at or after a position reached since (a log's end read
   * after the seam).
   */
  void include(final Map<Integer, Long> reached) {
    liveFrom = liveFrom.including(reached);
  }

  /** Forgets the events (they were merged); {@code liveFrom} stays. */
  void clear() {
    events.clear();
    bytes = 0;
  }

  /** The buffered events, in arrival order. */
  List<EncodedEvent> events() {
    return List.copyOf(events);
  }

  /** The buffer holds every wanted live event at or after this position. */
  Floor liveFrom() {
    return liveFrom;
  }

  /** How often the buffer was dropped. */
  int resets() {
    return resets;
  }
}
