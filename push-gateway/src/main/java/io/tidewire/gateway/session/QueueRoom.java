package io.tidewire.gateway.session;

/**
 * How full a session's {@link OutboundQueue} is, as a value: what the session core needs to decide
 * how many replayed events to queue and whether a replay may read on, without asking the queue.
 * The queue's own offer and room rules are the static methods here, so the two cannot drift.
 *
 * <p>The session reads it on the one thread that offers frames to its queue; the queue can only
 * drain (or close) until that thread offers again, so the room seen is a lower bound of the room
 * at the time of the offers that follow.
 *
 * @param messages frames waiting (not counting the one in flight)
 * @param bytes bytes waiting
 * @param maxMessages the queue's bound in frames
 * @param maxBytes the queue's bound in bytes
 * @param closed whether the queue accepts nothing any more
 */
public record QueueRoom(int messages, long bytes, int maxMessages, long maxBytes, boolean closed) {

  /**
   * The queue's offer rule: a frame is accepted into an empty queue whatever its size, else only
   * within both bounds.
   */
  static boolean accepts(final int messages, final long bytes, final int maxMessages,
      final long maxBytes, final int frameBytes) {
    return messages == 0 || messages < maxMessages && bytes + frameBytes <= maxBytes;
  }

  /** The queue's room rule: at most half full in frames and in bytes. */
  static boolean hasRoom(final int messages, final long bytes, final int maxMessages,
      final long maxBytes) {
    return messages <= maxMessages / 2 && bytes <= maxBytes / 2;
  }

  /** Whether an offer of a frame of {@code frameBytes} would be accepted. */
  public boolean accepts(final int frameBytes) {
    return !closed && accepts(messages, bytes, maxMessages, maxBytes, frameBytes);
  }

  /** Whether a producer that can wait (a replay) may produce: open and at most half full. */
  public boolean hasRoom() {
    return !closed && hasRoom(messages, bytes, maxMessages, maxBytes);
  }

  /** The room after queuing a frame of {@code frameBytes}. */
  public QueueRoom with(final int frameBytes) {
    return new QueueRoom(messages + 1, bytes + frameBytes, maxMessages, maxBytes, closed);
  }
}
