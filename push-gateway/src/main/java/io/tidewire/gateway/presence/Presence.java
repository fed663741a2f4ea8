package io.tidewire.gateway.presence;

import java.util.Objects;

/**
 * One connection's presence in a channel: who ({@code userId}, verified), under which presence
 * {@code ref} (unique, one per {@code track}), with which {@code meta} (a JSON object as compact
 * text), tracked through which gateway, and under which {@code key}: the user id for the Tidewire
 * protocol, the client's {@code config.presence.key} for the Supabase endpoint (Phoenix presence
 * groups by it). Limits count users, never keys. Protocol-neutral: each codec writes it its way.
 *
 * @param channel the channel
 * @param userId the tracking user (the token's subject)
 * @param ref the presence ref, unique over all gateways
 * @param meta the presence data, a JSON object as text
 * @param gateway the id of the gateway the connection is on
 * @param key the presence's key (Phoenix presence's), the user id unless the client chose one
 */
public record Presence(String channel, String userId, String ref, String meta, String gateway, String key) {
  public Presence {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(gateway, "gateway");
    Objects.requireNonNull(key, "key");
  }

  /** A presence keyed by its user id. */
  public Presence(final String channel, final String userId, final String ref, final String meta,
      final String gateway) {
    this(channel, userId, ref, meta, gateway, userId);
  }
}
