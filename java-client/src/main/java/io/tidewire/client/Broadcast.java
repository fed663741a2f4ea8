package io.tidewire.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/**
 * A message another client broadcast on a channel (or this one, with {@code self}). Delivery is
 * at least once; the client hands each id to the application at most once per channel (among the
 * last {@code dedupCapacity} ids).
 *
 * <p>Immutable apart from {@code payload}, a Jackson tree owned by the receiver.
 *
 * @param channel the channel, e.g. {@code "room:lobby"}
 * @param id the message id the gateway gave it
 * @param event the application's event name, e.g. {@code "typing"}
 * @param from the sender's user id (the token's subject), as the gateway vouches for it
 * @param payload what was sent (a JSON object)
 */
public record Broadcast(String channel, String id, String event, String from, JsonNode payload) {

  /** Checks that nothing is null. */
  public Broadcast {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(payload, "payload");
  }
}
