package io.tidewire.gateway.phoenix;

import io.tidewire.gateway.protocol.Channel;
import java.util.EnumMap;
import java.util.Map;

/**
 * A channel's Tidewire position as one opaque string for the app to keep: the cursor of each
 * stream the channel reads, {@code tw1~<user cursor>~<public cursor>} (a stream the channel does
 * not read is empty). Cursors are signed, so a position edited by hand is refused. Pure functions.
 */
final class Position {

  static final String PREFIX = "tw1";
  private static final String SEPARATOR = "~";

  private Position() {}

  static String write(final Map<Channel.Kind, String> cursors) {
    return PREFIX + SEPARATOR + cursors.getOrDefault(Channel.Kind.USER, "") + SEPARATOR
        + cursors.getOrDefault(Channel.Kind.PUBLIC, "");
  }

  /**
   * The cursor text of each stream in a position (an empty position: none).
   *
   * @throws IllegalArgumentException if it is not a position
   */
  static Map<Channel.Kind, String> read(final String position) {
    final Map<Channel.Kind, String> cursors = new EnumMap<>(Channel.Kind.class);
    if (position.isEmpty()) {
      return cursors;
    }
    final String[] parts = position.split(SEPARATOR, -1);
    if (parts.length != 3 || !parts[0].equals(PREFIX)) {
      throw new IllegalArgumentException("not a Tidewire position");
    }
    if (!parts[1].isEmpty()) {
      cursors.put(Channel.Kind.USER, parts[1]);
    }
    if (!parts[2].isEmpty()) {
      cursors.put(Channel.Kind.PUBLIC, parts[2]);
    }
    return cursors;
  }
}
