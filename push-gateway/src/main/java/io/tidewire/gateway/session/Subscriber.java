package io.tidewire.gateway.session;

import io.tidewire.gateway.protocol.Channel;

/** What the {@link Hub} needs of a session. Implementations are thread-safe. */
public interface Subscriber {

  /** The authenticated user; fixed for the subscriber's lifetime. */
  String userId();

  /**
   * Hands an event of a channel the subscriber is registered for; the subscriber applies its
   * filters and queues the frame (possibly later, on another thread). Never blocks.
   *
   * @return whether the subscriber took the event (false: it is not for this subscriber)
   */
  boolean deliver(Channel.Kind kind, EncodedEvent event);

  /** The server is shutting down: close with {@code 1001 going away}. */
  void goAway();
}
