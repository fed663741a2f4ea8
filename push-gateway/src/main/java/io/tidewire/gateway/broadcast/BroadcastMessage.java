package io.tidewire.gateway.broadcast;

import java.util.Objects;

/**
 * One broadcast, as it travels through {@code realtime.broadcast} and reaches the members of its
 * channel. Protocol-neutral: each codec writes it its way.
 *
 * @param id unique id the sender's gateway assigned (a UUID): clients de-duplicate by it
 * @param channel the channel
 * @param event the application's event name
 * @param from the sender's user id (from its token)
 * @param payload the application's JSON object, as compact text
 * @param sender the connection that sent it (to skip it unless it joined with {@code self})
 */
public record BroadcastMessage(String id, String channel, String event, String from, String payload,
    Sender sender) {

  public BroadcastMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(sender, "sender");
  }

  /**
   * A connection, over all gateways.
   *
   * @param gateway the gateway's id
   * @param session the connection's serial on that gateway
   */
  public record Sender(String gateway, long session) {
    public Sender {
      Objects.requireNonNull(gateway, "gateway");
    }
  }
}
