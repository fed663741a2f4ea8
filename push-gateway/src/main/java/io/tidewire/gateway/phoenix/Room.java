package io.tidewire.gateway.phoenix;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.UUID;

/**
 * What a Phoenix join asks of broadcast and presence ({@code config.broadcast} and
 * {@code config.presence}), and the core channel it maps to: the topic {@code realtime:<name>} is
 * the broadcast/presence channel {@code <name>} of Tidewire's core, the one a Tidewire-protocol
 * client joins with {@code {"op":"join","channel":"<name>"}} (docs/SUPABASE.md, "Broadcast and
 * presence"). Immutable.
 *
 * @param channel the core channel's name
 * @param self whether the channel receives its own broadcasts ({@code config.broadcast.self})
 * @param ack whether each broadcast is answered once Kafka stored it ({@code config.broadcast.ack})
 * @param presence whether the join asked for presence ({@code config.presence.enabled}, which
 *     realtime-js sets when the channel has presence listeners): the state follows the join's reply
 * @param key the channel's presence key: {@code config.presence.key}, or a fresh UUID when it is
 *     empty or absent, as Supabase does
 */
record Room(String channel, boolean self, boolean ack, boolean presence, String key) {

  Room {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(key, "key");
  }

  /**
   * Reads a join's {@code config}; a flag that is not {@code true} is off, as Supabase reads it.
   *
   * @throws IllegalArgumentException with Supabase's kind of reason if the presence key is not a
   *     string of at most {@value PhxCodec#MAX_NAME_LENGTH} characters
   */
  static Room parse(final String channel, final JsonNode config) {
    final JsonNode broadcast = config.path("broadcast");
    final JsonNode presence = config.path("presence");
    final JsonNode key = presence.path("key");
    final String chosen;
    if (key.isMissingNode() || key.isNull() || key.isTextual() && key.textValue().isEmpty()) {
      chosen = UUID.randomUUID().toString();
    } else if (key.isTextual() && key.textValue().length() <= PhxCodec.MAX_NAME_LENGTH) {
      chosen = key.textValue();
    } else {
      throw new IllegalArgumentException("InvalidJoinPayload: config.presence.key must be a string of at most "
          + PhxCodec.MAX_NAME_LENGTH + " characters");
    }
    return new Room(channel, on(broadcast.path("self")), on(broadcast.path("ack")), on(presence.path("enabled")),
        chosen);
  }

  private static boolean on(final JsonNode flag) {
    return flag.isBoolean() && flag.booleanValue();
  }
}
