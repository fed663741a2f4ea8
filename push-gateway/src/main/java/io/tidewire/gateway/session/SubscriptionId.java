package io.tidewire.gateway.session;

import io.tidewire.gateway.protocol.Channel;
import java.util.Objects;

/**
 * Names one subscription of one session: its channel and a serial number unique within the
 * session. The {@link Hub} files a session under the id it subscribed with, so leaving with an old
 * id never removes a newer subscription of the same channel; replay reads, snapshots and timers
 * carry it back to the {@link SessionCore}, which ignores answers meant for a subscription that is
 * no longer current.
 *
 * @param kind the channel
 * @param serial unique within the session
 */
public record SubscriptionId(Channel.Kind kind, long serial) {

  public SubscriptionId {
    Objects.requireNonNull(kind, "kind");
  }
}
