package io.tidewire.client;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A change of who is on a channel, as handed to {@code onPresence}: the whole state after it, and
 * the connections that joined and left (user id → connections). The first change after a join
 * carries the channel's state as joins; after a reconnect the rejoin's state is compared with the
 * one held, so users who left meanwhile show up as leaves.
 *
 * <p>Immutable and thread-safe (apart from the meta trees, see {@link Presence}).
 *
 * @param channel the channel
 * @param state who is on it now
 * @param joins connections that joined (or re-tracked with new meta)
 * @param leaves connections that left
 */
public record PresenceChange(String channel, PresenceState state, Map<String, List<Presence>> joins,
    Map<String, List<Presence>> leaves) {

  /** Copies the maps. */
  public PresenceChange {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(state, "state");
    joins = new PresenceState(joins).users();
    leaves = new PresenceState(leaves).users();
  }
}
