package io.tidewire.gateway.presence;

import java.util.List;
import java.util.Objects;

/**
 * Presences of one channel that joined and left, in the order they did. Protocol-neutral.
 *
 * @param channel the channel
 * @param joins presences added
 * @param leaves presences removed
 */
public record PresenceDiff(String channel, List<Presence> joins, List<Presence> leaves) {
  public PresenceDiff {
    Objects.requireNonNull(channel, "channel");
    joins = List.copyOf(joins);
    leaves = List.copyOf(leaves);
  }
}
