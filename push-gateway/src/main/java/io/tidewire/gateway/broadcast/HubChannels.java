package io.tidewire.gateway.broadcast;

import io.tidewire.gateway.presence.Presence;
import io.tidewire.gateway.presence.PresenceTracker;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What every {@link Channels} of this gateway shares: a fresh gateway id, the rules and limits,
 * presence refs, and the {@link ChannelHub} that sessions join and leave. Subclasses store
 * broadcasts and presences.
 *
 * <p>Thread-safe.
 */
abstract class HubChannels implements Channels {

  private final ChannelRules rules;
  private final ChannelLimits limits;
  private final String gatewayId = UUID.randomUUID().toString();
  private final AtomicLong refs = new AtomicLong();
  /** The hub, with a tracker that never expires this gateway. */
  protected final ChannelHub hub;

  HubChannels(final ChannelRules rules, final ChannelLimits limits, final Duration lease) {
    this.rules = Objects.requireNonNull(rules, "rules");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.hub = new ChannelHub(new PresenceTracker(gatewayId, lease));
  }

  @Override
  public final ChannelRules rules() {
    return rules;
  }

  @Override
  public final ChannelLimits limits() {
    return limits;
  }

  @Override
  public final String gatewayId() {
    return gatewayId;
  }

  /** The gateway id's first 12 characters, a dot, a per-gateway counter in base 36. */
  @Override
  public final String nextPresenceRef() {
    return gatewayId.substring(0, 12) + "." + Long.toString(refs.incrementAndGet(), 36);
  }

  @Override
  public final void join(final Member member, final String channel, final Consumer<List<Presence>> joined) {
    hub.join(member, channel, joined);
  }

  @Override
  public final void leave(final Member member, final String channel) {
    hub.leave(member, channel);
  }

  @Override
  public final void leaveAll(final Member member) {
    hub.leaveAll(member);
  }
}
