package io.tidewire.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * One tracked connection of a user on a channel: the connection's ref (unique per channel, a user
 * with two tabs has two) and the meta it tracked, as Phoenix presence keeps them.
 *
 * <p>Immutable apart from {@code meta}, a Jackson tree owned by the receiver: do not modify it.
 *
 * @param ref the tracking connection's ref, as the gateway named it
 * @param meta what that connection tracked (a JSON object)
 */
public record Presence(String ref, JsonNode meta) {

  /** Checks that nothing is null. */
  public Presence {
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(meta, "meta");
  }
}
