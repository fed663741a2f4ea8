package io.tidewire.client;

import java.util.Objects;
import java.util.Optional;

/**
 * The gateway confirmed a subscription (on every connection, so once per reconnect and channel).
 *
 * @param channel the channel
 * @param recovered true if the gateway resumes right after the cursor the client sent (nothing
 *     missed); false if there was no cursor or it could not be resumed from (a {@link Snapshot}
 *     may follow)
 * @param cursor the position the gateway named, if any
 */
public record Subscribed(String channel, boolean recovered, Optional<String> cursor) {

  /** Checks that nothing is null. */
  public Subscribed {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(cursor, "cursor");
  }
}
