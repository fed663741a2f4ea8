package io.tidewire.gateway;

import io.tidewire.gateway.broadcast.ChannelLimits;
import io.tidewire.gateway.broadcast.ChannelRules;
import java.time.Duration;
import java.util.Objects;

/**
 * Broadcast and presence: who may join which channel, the limits, the presence lease and the
 * broadcast topic's retention (see docs/PROTOCOL.md, "Broadcast and presence").
 *
 * @param rules who may join which channel ({@code TIDEWIRE_GATEWAY_CHANNELS})
 * @param limits the per-connection and per-channel limits
 * @param lease how long a gateway's presences outlive its last lease renewal
 * @param renew how often a gateway renews its lease
 * @param broadcastRetention retention of {@code realtime.broadcast} when the gateway creates it
 */
public record ChannelConfig(ChannelRules rules, ChannelLimits limits, Duration lease, Duration renew,
    Duration broadcastRetention) {

  /** The defaults of the settings. */
  public static final ChannelConfig DEFAULTS = new ChannelConfig(ChannelRules.defaults(),
      ChannelLimits.DEFAULTS, Duration.ofSeconds(15), Duration.ofSeconds(5), Duration.ofHours(1));

  public ChannelConfig {
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(lease, "lease");
    Objects.requireNonNull(renew, "renew");
    Objects.requireNonNull(broadcastRetention, "broadcastRetention");
  }
}
