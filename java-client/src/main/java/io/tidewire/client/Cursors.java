package io.tidewire.client;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per channel, the position to resume from: the cursor of the last event the application
 * handled (its listener returned), or of the last snapshot handled, or the start position the
 * gateway named when it could not resume (or when there was nothing to resume from).
 *
 * <p>The rules, applied in the order frames arrive:
 * <ul>
 *   <li>an event handled moves the cursor to the event's cursor (a duplicate does not: it was
 *       handled before, and its cursor may lie behind the current one);</li>
 *   <li>{@code subscribed} with {@code recovered: true} keeps the cursor: the replay that follows
 *       starts right after it, and the reply's cursor may lie ahead of events still to come;</li>
 *   <li>{@code subscribed} with {@code recovered: false} and a cursor adopts that cursor: the old
 *       one is unusable (or absent) and delivery starts there;</li>
 *   <li>a snapshot handled moves the cursor to the snapshot's cursor.</li>
 * </ul>
 *
 * <p>Thread-safe: written by the client's thread, read by any.
 */
final class Cursors {

  private final Map<String, String> byChannel = new ConcurrentHashMap<>();

  /** Starts with the given cursors (channel name → cursor), e.g. ones the application stored. */
  Cursors(final Map<String, String> initial) {
    byChannel.putAll(initial);
  }

  /** The position to resume {@code channel} from, if any. */
  Optional<String> get(final String channel) {
    return Optional.ofNullable(byChannel.get(channel));
  }

  /** A copy of every channel's cursor. */
  Map<String, String> all() {
    return Map.copyOf(byChannel);
  }

  /** An event of {@code channel} was handled. */
  void eventHandled(final String channel, final String cursor) {
    byChannel.put(channel, cursor);
  }

  /** The gateway confirmed a subscription. */
  void subscribed(final String channel, final boolean recovered, final Optional<String> cursor) {
    if (!recovered && cursor.isPresent()) {
      byChannel.put(channel, cursor.get());
    }
  }

  /** A snapshot of {@code channel} was handled. */
  void snapshotHandled(final String channel, final Optional<String> cursor) {
    cursor.ifPresent(c -> byChannel.put(channel, c));
  }
}
