package io.tidewire.gateway.broadcast;

import io.tidewire.gateway.presence.PresenceDiff;

/**
 * What the {@link ChannelHub} needs of a connection that joined channels. Both methods only hand
 * the input over (the member queues it and handles it in its own order); they never block.
 * Implementations are thread-safe.
 */
public interface Member {

  /** A broadcast to a channel the member joined (the member filters its own). */
  void broadcast(BroadcastMessage message);

  /** Presences of a channel the member joined changed. */
  void presence(PresenceDiff diff);
}
