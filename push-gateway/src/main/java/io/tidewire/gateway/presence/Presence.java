package io.tidewire.gateway.presence;

import java.util.Objects;

/**
 * One connection's presence in a channel: who ({@code userId}, the presence's key), under which
 * presence {@code ref} (unique, one per {@code track}), with which {@code meta} (a JSON object as
 * compact text), tracked through which gateway. Protocol-neutral: each codec writes it its way.
 *
 * @param channel the channel
 * @param userId the tracking user (the token's subject)
 * @param ref the presence ref, unique over all gateways
 * @param meta the presence data, a JSON object as text
 * @param gateway the id of the gateway the connection is on
 */
public record Presence(String channel, String userId, String ref, String meta, String gateway) {
  public Presence {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(ref, "ref");
    Objects.requireNonNull(meta, "meta");
    Objects.requireNonNull(gateway, "gateway");
  }
}
