package io.tidewire.gateway.broadcast;

import io.tidewire.gateway.presence.Presence;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Broadcast and presence within this process only: what is published or tracked is applied to the
 * {@link ChannelHub} at once, on the caller's thread. For a gateway without Kafka (unit tests of
 * sessions); a deployment uses {@link ChannelBus}.
 *
 * <p>Thread-safe.
 */
public final class LocalChannels extends HubChannels {

  /** Channels with {@code rules} and {@code limits}. */
  public LocalChannels(final ChannelRules rules, final ChannelLimits limits) {
    super(rules, limits, Duration.ofSeconds(15));
    hub.loaded();
  }

  /** Channels with the default rules and limits. */
  public static LocalChannels defaults() {
    return new LocalChannels(ChannelRules.defaults(), ChannelLimits.DEFAULTS);
  }

  @Override
  public void publish(final BroadcastMessage message, final Runnable stored,
      final Consumer<Exception> failed) {
    stored.run();
    hub.deliver(message);
  }

  @Override
  public void track(final Presence presence, final Optional<Presence> replaced,
      final Consumer<TrackOutcome> done) {
    if (!hub.admits(presence, limits().maxKeysPerChannel())) {
      done.accept(TrackOutcome.TOO_MANY_PRESENCES);
      return;
    }
    done.accept(TrackOutcome.STORED);
    replaced.ifPresent(old -> hub.remove(old.channel(), old.gateway(), old.ref()));
    hub.put(presence, System.currentTimeMillis(), System.nanoTime());
  }

  @Override
  public void untrack(final Presence presence, final Runnable stored, final Consumer<Exception> failed) {
    stored.run();
    hub.remove(presence.channel(), presence.gateway(), presence.ref());
  }
}
