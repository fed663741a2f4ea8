package io.tidewire.gateway.broadcast;

import io.tidewire.gateway.presence.Presence;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Broadcast and presence as the sessions of one gateway use them, whatever protocol they speak:
 * who may join ({@link #rules()}), the limits, joining and leaving channels at the hub's seam, and
 * storing broadcasts and presences (through Kafka, {@link ChannelBus}; or in this process only,
 * {@link LocalChannels}). Every callback runs on a thread of the implementation and must not
 * block.
 *
 * <p>Thread-safe.
 */
public interface Channels {

  /** How a {@link #track} ended. */
  enum TrackOutcome {
    /** The presence is stored; its diff follows. */
    STORED,
    /** A new user in a channel with as many users as allowed: not stored. */
    TOO_MANY_PRESENCES,
    /** The store refused it. */
    FAILED
  }

  /** Who may join which channel. */
  ChannelRules rules();

  /** The limits. */
  ChannelLimits limits();

  /** This gateway's id (unique per process start). */
  String gatewayId();

  /** A new presence ref, unique over all gateways. */
  String nextPresenceRef();

  /**
   * Files {@code member} under {@code channel} and runs {@code joined} with the channel's presences
   * at that point, before any later diff or broadcast of the channel reaches the member.
   */
  void join(Member member, String channel, Consumer<List<Presence>> joined);

  /** Stops delivering the channel to {@code member}. */
  void leave(Member member, String channel);

  /** Stops delivering every channel to {@code member}. */
  void leaveAll(Member member);

  /** Stores a broadcast; every member of its channel (on every gateway) receives it. */
  void publish(BroadcastMessage message, Runnable stored, Consumer<Exception> failed);

  /** Stores a presence, removing {@code replaced} (the connection's previous one), if any. */
  void track(Presence presence, Optional<Presence> replaced, Consumer<TrackOutcome> done);

  /** Removes a presence. */
  void untrack(Presence presence, Runnable stored, Consumer<Exception> failed);
}
